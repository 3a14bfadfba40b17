"""The screening result: structured lines and their JSON round trip.

The stored result keeps structure only (criterion, value, date, threshold, outcome, points,
template, citation); sentences are built when shown, by :func:`sentence` and
:func:`render_text` in :mod:`rules.render`, re-exported here with every user-facing phrase.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import date
from typing import Any, NamedTuple

from .facts import AT_LEAST, MISSING, STALE, FactValue
from .render import (
    AT_LEAST_PREFIX,
    DECISION_SUPPORT,
    NO_SCORE,
    NO_VALUE,
    NOT_RECORDED,
    OUTCOME_PHRASES,
    REASON_MESSAGES,
    STATUS_PHRASES,
    display_value,
    format_date,
    format_threshold,
    format_value,
    reason_text,
    render_text,
    score_text,
    sentence,
)
from .specs import MET, NOT_EVALUABLE, NOT_MET, OUTCOMES, CriterionSpec

# What other modules import from here: the result's types, its outcome codes, the states a
# line's value can be in (rules.facts), and the phrases and functions that turn a result
# into text (rules.render).
__all__ = [
    "AT_LEAST",
    "AT_LEAST_PREFIX",
    "DECISION_SUPPORT",
    "MET",
    "MISSING",
    "NOT_EVALUABLE",
    "NOT_MET",
    "NO_SCORE",
    "NO_VALUE",
    "NOT_RECORDED",
    "OUTCOMES",
    "OUTCOME_PHRASES",
    "PATHWAY_EXPLANATION",
    "PATHWAY_LABEL",
    "REASON_MESSAGES",
    "STALE",
    "STATUS_PHRASES",
    "Indication",
    "Line",
    "Reason",
    "Result",
    "ToCollect",
    "display_value",
    "format_date",
    "format_threshold",
    "format_value",
    "reason_text",
    "render_text",
    "score_text",
    "sentence",
]

PATHWAY_LABEL = "Aplastic anaemia pathway"
PATHWAY_EXPLANATION = (
    "Aplastic anaemia pathway {value}: transplant is the indicated next step, so the "
    "failed-treatment domain is met by the pathway itself."
)


class Line(NamedTuple):
    """One criterion as applied to one patient.

    It holds the criterion itself (so a stored result explains itself even after the rule
    set is retired) and what this patient's data made of it. A NamedTuple, not a dataclass:
    there are many per result and the engine's speed budget is tight.
    """

    criterion: CriterionSpec
    value: Any
    value_on: date | None
    value_status: str
    outcome: str
    points: float  # awarded
    points_possible: float  # counted in the domain's denominator (0 when not evaluable)
    note: str = ""

    # The criterion's fields, read through the line (templates say line.label).
    @property
    def key(self) -> str:
        return self.criterion.key

    @property
    def label(self) -> str:
        return self.criterion.label

    @property
    def kind(self) -> str:
        return self.criterion.kind

    @property
    def domain(self) -> str:
        return self.criterion.domain

    @property
    def fact(self) -> str:
        return self.criterion.fact

    @property
    def operator(self) -> str:
        return self.criterion.operator

    @property
    def thresholds(self) -> tuple[float | int | str, ...]:
        return self.criterion.thresholds

    @property
    def required(self) -> bool:
        return self.criterion.required

    @property
    def explanation(self) -> str:
        return self.criterion.explanation

    @property
    def citation(self) -> str:
        return self.criterion.citation

    @property
    def evidence(self) -> str:
        return self.criterion.evidence


class Reason(NamedTuple):
    """Why the band is what it is: a code from REASON_MESSAGES, the criterion it names and,
    for a cap, the best band it allows."""

    code: str
    key: str = ""
    label: str = ""
    band: str = ""


class ToCollect(NamedTuple):
    """An input to record (``missing``) or to measure again (``stale``)."""

    item: str
    reason: str
    required: bool
    criteria: tuple[str, ...]


class Indication(NamedTuple):
    disease: str
    transplant_type: str
    category: str
    citation: str
    evidence: str


class Result(NamedTuple):
    """A screening result. Serialise with :meth:`to_dict`; it holds no sentences.

    Immutable. A NamedTuple rather than a frozen dataclass because one is built per
    evaluation and a frozen dataclass's ``__init__`` costs several microseconds.
    """

    band: str
    score: int | None  # None for the gated bands: a number beside them reads as favourable
    score_upper: int | None  # the score once the data to collect are in (not-evaluable as met)
    reasons: tuple[Reason, ...]
    lines: tuple[Line, ...]
    completeness: float  # evaluable / applicable criteria, 0-1
    to_collect: tuple[ToCollect, ...]
    review_marks: tuple[str, ...]  # keys of review criteria that were met
    domain_scores: Mapping[str, float | None]  # share of points met; None: no scored criterion
    domain_upper: Mapping[str, float | None]  # the same once the data to collect are in
    indication: Indication | None
    ruleset_name: str
    ruleset_version: str
    as_of: date
    disease: str | None
    disease_subtype: str | None
    facts: Mapping[str, FactValue]  # the input snapshot the result was computed from

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (dates as ISO strings, tuples as lists)."""
        return {
            "band": self.band,
            "score": self.score,
            "score_upper": self.score_upper,
            "reasons": [list(r) for r in self.reasons],
            "lines": [_line_to_dict(line) for line in self.lines],
            "completeness": self.completeness,
            "to_collect": [
                {
                    "item": t.item,
                    "reason": t.reason,
                    "required": t.required,
                    "criteria": list(t.criteria),
                }
                for t in self.to_collect
            ],
            "review_marks": list(self.review_marks),
            "domain_scores": dict(self.domain_scores),
            "domain_upper": dict(self.domain_upper),
            "indication": None if self.indication is None else self.indication._asdict(),
            "ruleset_name": self.ruleset_name,
            "ruleset_version": self.ruleset_version,
            "as_of": self.as_of.isoformat(),
            "disease": self.disease,
            "disease_subtype": self.disease_subtype,
            "facts": {k: _fact_to_dict(v) for k, v in self.facts.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Result:
        """The inverse of :meth:`to_dict`; reads results stored by earlier versions too
        (rule set v1 stored no upper figure and a score for every band)."""
        return cls(
            band=d["band"],
            score=d["score"],
            score_upper=d.get("score_upper", d["score"]),
            reasons=tuple(Reason(*r) for r in d["reasons"]),
            lines=tuple(_line_from_dict(x) for x in d["lines"]),
            completeness=d["completeness"],
            to_collect=tuple(
                ToCollect(t["item"], t["reason"], t["required"], tuple(t["criteria"]))
                for t in d["to_collect"]
            ),
            review_marks=tuple(d["review_marks"]),
            domain_scores=dict(d["domain_scores"]),
            domain_upper=dict(d.get("domain_upper", d["domain_scores"])),
            indication=None if d["indication"] is None else Indication(**d["indication"]),
            ruleset_name=d["ruleset_name"],
            ruleset_version=d["ruleset_version"],
            as_of=date.fromisoformat(d["as_of"]),
            disease=d["disease"],
            disease_subtype=d["disease_subtype"],
            facts={k: _fact_from_dict(v) for k, v in d["facts"].items()},
        )


def _json_value(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


def _py_value(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _from_iso(s: str | None) -> date | None:
    return None if s is None else date.fromisoformat(s)


# A stored line is flat: the criterion's fields, then what the patient's data made of it.
# The criterion's own "points" is stored as "criterion_points" ("points" is what was awarded).
_CRITERION_FIELDS = tuple(f.name for f in fields(CriterionSpec))


def _line_to_dict(line: Line) -> dict[str, Any]:
    c = line.criterion
    d: dict[str, Any] = {name: getattr(c, name) for name in _CRITERION_FIELDS}
    d["criterion_points"] = d.pop("points")
    d["diseases"] = list(c.diseases)
    d["thresholds"] = list(c.thresholds)
    d.update(
        value=_json_value(line.value),
        value_on=_iso(line.value_on),
        value_status=line.value_status,
        outcome=line.outcome,
        points=line.points,
        points_possible=line.points_possible,
        note=line.note,
    )
    return d


def _line_from_dict(d: Mapping[str, Any]) -> Line:
    # Fields a later version added are absent from lines stored before it: the spec's defaults.
    spec = {name: d[name] for name in _CRITERION_FIELDS if name != "points" and name in d}
    spec.update(
        points=d["criterion_points"],
        diseases=tuple(d["diseases"]),
        thresholds=tuple(d["thresholds"]),
    )
    return Line(
        CriterionSpec(**spec),
        _py_value(d["value"]),
        _from_iso(d["value_on"]),
        d["value_status"],
        d["outcome"],
        d["points"],
        d["points_possible"],
        d["note"],
    )


def _fact_to_dict(fv: FactValue) -> dict[str, Any]:
    return {
        "value": _json_value(fv.value),
        "on": _iso(fv.on),
        "status": fv.status,
        "missing": list(fv.missing),
        "stale": list(fv.stale),
        "note": fv.note,
    }


def _fact_from_dict(d: Mapping[str, Any]) -> FactValue:
    return FactValue(
        _py_value(d["value"]),
        _from_iso(d["on"]),
        d["status"],
        tuple(d["missing"]),
        tuple(d["stale"]),
        d["note"],
    )
