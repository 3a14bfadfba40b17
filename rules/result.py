"""The screening result: structured lines, JSON round trip, and the text rendering.

The stored result keeps structure only (criterion, value, date, threshold, outcome, points,
template, citation); sentences are built when shown, by :func:`sentence` and
:func:`render_text`. Every user-facing phrase is a constant here so tests can assert on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import date
from typing import Any, NamedTuple

from .facts import AT_LEAST, FACTS, MISSING, STALE, FactValue
from .specs import LOCAL_POLICY, CriterionSpec

MET = "met"
NOT_MET = "not_met"
NOT_EVALUABLE = "not_evaluable"
OUTCOMES = (MET, NOT_MET, NOT_EVALUABLE)

# --- Messages ---------------------------------------------------------------------------------

DECISION_SUPPORT = "Supports a decision; the team decides."
REASON_MESSAGES: Mapping[str, str] = {
    "paediatric": "paediatric indications are not covered by this rule set",
    "no_indication": "the rule set has no indication for this disease",
    "no_disease": "the disease is not recorded",
    "category_gnr": "EBMT category GNR (generally not recommended) for this transplant",
    "category_d": "EBMT category D (developmental): only within a clinical trial or protocol",
    "indication_not_met": "indication not met: {label}",
    "excluded": "contraindication: {label}",
    "required_missing": "required data missing or out of date: {label}",
    "pathway_unknown": "the aplastic anaemia pathway cannot be decided from the data recorded",
    "ist_first": "immunosuppression first (BSH 2024): no matched sibling donor under 40 and no failed course of immunosuppression",
    "not_severe": "not severe by Camitta: transplant is not the treatment of choice (BSH 2024)",
}
OUTCOME_PHRASES = {MET: "met", NOT_MET: "not met", NOT_EVALUABLE: "not evaluable"}
STATUS_PHRASES = {MISSING: "missing", STALE: "out of date", AT_LEAST: "lower bound only"}
PATHWAY_LABEL = "Aplastic anaemia pathway"
PATHWAY_EXPLANATION = (
    "Aplastic anaemia pathway {value}: transplant is the indicated next step, so the "
    "failed-treatment domain is met by the pathway itself."
)
NO_VALUE = "—"
NOT_RECORDED = "not recorded"
AT_LEAST_PREFIX = "at least "
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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

    key = property(lambda self: self.criterion.key)
    label = property(lambda self: self.criterion.label)
    kind = property(lambda self: self.criterion.kind)
    domain = property(lambda self: self.criterion.domain)
    fact = property(lambda self: self.criterion.fact)
    operator = property(lambda self: self.criterion.operator)
    thresholds = property(lambda self: self.criterion.thresholds)
    required = property(lambda self: self.criterion.required)
    explanation = property(lambda self: self.criterion.explanation)
    citation = property(lambda self: self.criterion.citation)
    evidence = property(lambda self: self.criterion.evidence)


class Reason(NamedTuple):
    """Why the band is what it is: a code from REASON_MESSAGES and the criterion it names."""

    code: str
    key: str = ""
    label: str = ""


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
    score: int
    reasons: tuple[Reason, ...]
    lines: tuple[Line, ...]
    completeness: float  # evaluable / applicable criteria, 0-1
    to_collect: tuple[ToCollect, ...]
    review_marks: tuple[str, ...]  # keys of review criteria that were met
    domain_scores: Mapping[str, float | None]  # None: left out of the weighting
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
        """The inverse of :meth:`to_dict`."""
        return cls(
            band=d["band"],
            score=d["score"],
            reasons=tuple(Reason(*r) for r in d["reasons"]),
            lines=tuple(_line_from_dict(x) for x in d["lines"]),
            completeness=d["completeness"],
            to_collect=tuple(
                ToCollect(t["item"], t["reason"], t["required"], tuple(t["criteria"]))
                for t in d["to_collect"]
            ),
            review_marks=tuple(d["review_marks"]),
            domain_scores=dict(d["domain_scores"]),
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
    spec = {name: d[name] for name in _CRITERION_FIELDS if name != "points"}
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


# --- Rendering --------------------------------------------------------------------------------


def format_date(d: date | None) -> str:
    """25 Nov 2026: unambiguous and independent of the server's locale."""
    return NO_VALUE if d is None else f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def format_value(value: Any) -> str:
    """A fact value as shown to a clinician (without its unit: templates place units)."""
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")  # 5.74 years, 3.5, 1.2
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def format_threshold(operator: str, thresholds: tuple[Any, ...]) -> str:
    if operator == "between":
        return f"between {thresholds[0]:g} and {thresholds[1]:g}"
    if operator == "in":
        return "one of " + ", ".join(str(t) for t in thresholds)
    if operator in ("is true", "is false"):
        return operator
    return f"{operator} {thresholds[0]:g}"


def display_value(line: Line) -> str:
    """A line's value as shown: "not recorded", "at least 2" for a lower bound, else the value."""
    if line.value_status == MISSING:
        return NOT_RECORDED
    text = format_value(line.value)
    return f"{AT_LEAST_PREFIX}{text}" if line.value_status == AT_LEAST else text


def reason_text(reason: Reason) -> str:
    return REASON_MESSAGES.get(reason.code, reason.code).format(label=reason.label or reason.key)


def sentence(line: Line) -> str:
    """The clinician-readable sentence for a line, built only when shown."""
    threshold = format_threshold(line.operator, line.thresholds)
    if line.value_status == MISSING:
        # The template describes a value; with none, say what is lacking instead.
        return f"{line.label or line.key} ({threshold}): {NOT_RECORDED} — {OUTCOME_PHRASES[NOT_EVALUABLE]}."
    unit = FACTS[line.fact].unit if line.fact in FACTS else ""
    filled = line.explanation.format(
        label=line.label or line.key,
        value=display_value(line),
        unit=unit,
        date=format_date(line.value_on),
        operator=line.operator,
        threshold=threshold,
    )
    outcome = OUTCOME_PHRASES[line.outcome]
    if line.outcome == NOT_EVALUABLE:
        outcome += f" ({STATUS_PHRASES.get(line.value_status, line.value_status)})"
    return f"{filled} — {outcome}."


def render_text(result: Result) -> str:
    """A terminal rendering: ``Band:`` and ``Score:`` first, then the explanation."""
    out = [f"Band: {result.band}", f"Score: {result.score}", DECISION_SUPPORT]
    for r in result.reasons:
        out.append(f"Reason: {reason_text(r)}")
    if result.indication:
        i = result.indication
        out.append(
            f"Indication: {i.disease} {i.transplant_type} {i.category} — {i.citation} [{i.evidence}]"
        )
    out.append(f"Completeness: {round(result.completeness * 100)}%")
    out.append("Criteria:")
    for line in result.lines:
        if line.value_status == MISSING:
            value = NOT_RECORDED
        else:
            unit = FACTS[line.fact].unit if line.fact in FACTS else ""
            value = f"{display_value(line)} {unit}".rstrip()
            if line.value_on is not None:
                value += f" ({format_date(line.value_on)})"
            if line.note:
                value += f" [{line.note}]"
        points = (
            f"{line.points:g}/{line.points_possible:g} points ({LOCAL_POLICY})"
            if line.kind == "points"
            else line.kind
        )
        source = (
            f"{line.citation} [{line.evidence}]" if line.evidence != LOCAL_POLICY else LOCAL_POLICY
        )
        out.append(
            f"  - {line.label or line.key}: {value}; threshold {format_threshold(line.operator, line.thresholds)}; "
            f"{OUTCOME_PHRASES[line.outcome]}; {points}"
        )
        out.append(f"    {sentence(line)} Source: {source}")
    if result.to_collect:
        out.append("Data to collect:")
        for t in result.to_collect:
            flag = " (required)" if t.required else ""
            out.append(
                f"  - {t.item}: {STATUS_PHRASES[t.reason]}{flag}, for {', '.join(t.criteria)}"
            )
    if result.review_marks:
        labels = {line.key: line.label or line.key for line in result.lines}
        out.append("Review marks:")
        out.extend(f"  - {labels.get(k, k)}" for k in result.review_marks)
    out.append(f"Rule set: {result.ruleset_name}, version {result.ruleset_version}")
    out.append(f"As of: {format_date(result.as_of)}")
    return "\n".join(out)
