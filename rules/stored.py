"""The slim stored form of a result, and its way back to a full :class:`Result`.

A full result (``Result.to_dict``) copies the whole criterion (label, source, threshold
text…) into every explanation line and carries the input facts: about 12 kB per screening,
most of it the same for every patient. The slim form keeps what this patient's data made of
each criterion and names the criterion by its key; the criterion is read back from the
rule set version, which never changes once published. The input facts are stored apart,
once per distinct content, under the digest :func:`facts_json` gives.

A slim line is a list, ``[key, outcome]``: the engine takes a line's value, its date, status
and note from the criterion's input fact, and its points from the criterion and the outcome,
so those are derived again from the stored facts (:func:`_derived`). A line that does not
follow that rule (the writer checks each one) is stored as ``[key, outcome, value, value_on,
value_status, points, points_possible, note]``; one whose criterion is not the rule set's own
(the engine makes one for the aplastic anaemia pathway from the indication) stores that
criterion whole in place of the key. Lists rather than objects, so that JSON stores no field
names per line. Readers accept both forms, so rows stored before the slim form still read.

Pure: no Django.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import fields
from datetime import date
from typing import Any

from .facts import FactValue
from .result import (
    Indication,
    Line,
    Reason,
    Result,
    ToCollect,
    _fact_from_dict,
    _fact_to_dict,
    _json_value,
    _py_value,
)
from .specs import MET, NOT_APPLICABLE, SCORED_KINDS, CriterionSpec

_NO_FACT = FactValue()  # what the engine reads for a fact it did not compute
_CRITERION_FIELDS = tuple(f.name for f in fields(CriterionSpec))

SLIM = 2  # the "form" of a slim stored result; a full one has no "form"
UNKNOWN_CRITERION = "The stored screening names criterion {key!r}, which its rule set lacks."


def is_slim(stored: Mapping[str, Any]) -> bool:
    return stored.get("form") == SLIM


def to_slim(result: Result, criteria: Mapping[str, CriterionSpec]) -> dict[str, Any]:
    """The JSON-safe slim form of a result: no criterion text, no input facts.

    ``criteria`` are the rule set's criteria by key, as the engine used them.
    """
    return {
        "form": SLIM,
        "band": result.band,
        "score": result.score,
        "score_upper": result.score_upper,
        "reasons": [list(r) for r in result.reasons],
        "lines": [_slim_line(line, criteria, result.facts) for line in result.lines],
        "completeness": result.completeness,
        "to_collect": [
            {
                "item": t.item,
                "reason": t.reason,
                "required": t.required,
                "criteria": list(t.criteria),
            }
            for t in result.to_collect
        ],
        "review_marks": list(result.review_marks),
        "domain_scores": dict(result.domain_scores),
        "domain_upper": dict(result.domain_upper),
        "indication": None if result.indication is None else result.indication._asdict(),
        "ruleset_name": result.ruleset_name,
        "ruleset_version": result.ruleset_version,
        "as_of": result.as_of.isoformat(),
        "disease": result.disease,
        "disease_subtype": result.disease_subtype,
    }


def _derived(criterion: CriterionSpec, outcome: str, fv: FactValue) -> tuple:
    """A line's value, date, status, points, possible points and note, as the engine sets
    them from the criterion's fact and the outcome (rules.tally.apply_criteria)."""
    possible = 0.0
    if outcome != NOT_APPLICABLE and criterion.kind in SCORED_KINDS:
        possible = criterion.points
    points = possible if outcome == MET else 0.0
    return (fv.value, fv.on, fv.status, points, possible, fv.note)


def _slim_line(
    line: Line, criteria: Mapping[str, CriterionSpec], facts: Mapping[str, FactValue]
) -> list[Any]:
    ref = _criterion_ref(line.criterion, criteria)
    c = line.criterion
    own = (line.value, line.value_on, line.value_status, line.points, line.points_possible)
    if isinstance(ref, str) and (*own, line.note) == _derived(
        c, line.outcome, facts.get(c.fact, _NO_FACT)
    ):
        return [ref, line.outcome]
    return [
        ref,
        line.outcome,
        _json_value(line.value),
        None if line.value_on is None else line.value_on.isoformat(),
        line.value_status,
        line.points,
        line.points_possible,
        line.note,
    ]


def _criterion_ref(criterion: CriterionSpec, criteria: Mapping[str, CriterionSpec]) -> Any:
    """The criterion's key if the rule set has it as it is, else the criterion whole."""
    known = criteria.get(criterion.key)
    if known is criterion or known == criterion:
        return criterion.key
    d = {name: getattr(criterion, name) for name in _CRITERION_FIELDS}
    d["diseases"], d["thresholds"] = list(criterion.diseases), list(criterion.thresholds)
    return d


def facts_json(facts: Mapping[str, FactValue]) -> tuple[str, str]:
    """The input facts as canonical JSON (sorted keys, no spaces) and the sha256 of it."""
    text = json.dumps(
        {k: _fact_to_dict(v) for k, v in facts.items()}, sort_keys=True, separators=(",", ":")
    )
    return text, hashlib.sha256(text.encode()).hexdigest()


def line_outcomes(stored: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(criterion key, outcome) per line, from either stored form.

    Within one rule set version a line's points follow from its criterion and outcome, so
    this is all two results of the same version need to be told apart; a row stored in full
    compares equal to a slim one with the same outcomes.
    """
    if is_slim(stored):
        return [(_key(x[0]), x[1]) for x in stored.get("lines", [])]
    return [(x["key"], x["outcome"]) for x in stored.get("lines", [])]


def _key(ref: Any) -> str:
    return ref["key"] if isinstance(ref, dict) else ref


def from_stored(
    stored: Mapping[str, Any],
    *,
    criteria: Mapping[str, CriterionSpec],
    facts: Mapping[str, Any] | None,
) -> Result:
    """A full Result from either stored form.

    ``criteria`` are the rule set version's criteria by key; ``facts`` the stored input
    facts (JSON). A full form carries both itself and ignores the arguments.
    """
    if not is_slim(stored):
        return Result.from_dict(stored)
    d = stored
    fact_values = {k: _fact_from_dict(v) for k, v in (facts or {}).items()}
    return Result(
        band=d["band"],
        score=d["score"],
        score_upper=d["score_upper"],
        reasons=tuple(Reason(*r) for r in d["reasons"]),
        lines=tuple(_line(x, criteria, fact_values) for x in d["lines"]),
        completeness=d["completeness"],
        to_collect=tuple(
            ToCollect(t["item"], t["reason"], t["required"], tuple(t["criteria"]))
            for t in d["to_collect"]
        ),
        review_marks=tuple(d["review_marks"]),
        domain_scores=dict(d["domain_scores"]),
        domain_upper=dict(d["domain_upper"]),
        indication=None if d["indication"] is None else Indication(**d["indication"]),
        ruleset_name=d["ruleset_name"],
        ruleset_version=d["ruleset_version"],
        as_of=date.fromisoformat(d["as_of"]),
        disease=d["disease"],
        disease_subtype=d["disease_subtype"],
        facts=fact_values,
    )


def _line(
    x: list[Any], criteria: Mapping[str, CriterionSpec], facts: Mapping[str, FactValue]
) -> Line:
    if len(x) == 2:
        criterion = criteria.get(x[0])
        if criterion is None:
            raise ValueError(UNKNOWN_CRITERION.format(key=x[0]))
        value, on, status, points, possible, note = _derived(
            criterion, x[1], facts.get(criterion.fact, _NO_FACT)
        )
        return Line(criterion, value, on, status, x[1], points, possible, note)
    return _full_line(x, criteria)


def _full_line(x: list[Any], criteria: Mapping[str, CriterionSpec]) -> Line:
    ref, outcome, value, value_on, status, points, possible, note = x
    criterion: CriterionSpec | None
    if isinstance(ref, dict):
        criterion = CriterionSpec(
            **{**ref, "diseases": tuple(ref["diseases"]), "thresholds": tuple(ref["thresholds"])}
        )
    else:
        criterion = criteria.get(ref)
    if criterion is None:
        raise ValueError(UNKNOWN_CRITERION.format(key=ref))
    return Line(
        criterion,
        _py_value(value),
        None if value_on is None else date.fromisoformat(value_on),
        status,
        outcome,
        points,
        possible,
        note,
    )
