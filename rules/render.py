"""Sentences and text for a screening result, built when shown (never stored).

Every user-facing phrase is a constant here so tests can assert on it. Import these from
:mod:`rules.result`, which re-exports them with the result they describe.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from common.labels import OUTCOME_LABELS, label

from .describe import threshold_words
from .facts import AT_LEAST, FACTS, MISSING, STALE
from .specs import LOCAL_POLICY, MET, NOT_APPLICABLE, NOT_EVALUABLE, NOT_MET

if TYPE_CHECKING:  # only for annotations: rules.result imports this module
    from .result import Line, Reason, Result

# --- Messages ---------------------------------------------------------------------------------

DECISION_SUPPORT = "Supports a decision; the team decides."
REASON_MESSAGES: Mapping[str, str] = {
    "paediatric": "paediatric indications are not covered by this rule set",
    "no_covered_disease": "no disease this rule set covers",
    "no_indication": "the rule set has no indication for this disease",
    "no_disease": "the disease is not recorded",
    "age_unknown": "the age cannot be worked out: check the date of birth",
    "category_gnr": "EBMT category GNR (generally not recommended) for this transplant",
    "category_d": "EBMT category D (developmental): only within a clinical trial or protocol",
    "indication_not_met": "indication not met: {label}",
    "excluded": "contraindication: {label}",
    "required_missing": "required data missing or out of date: {label}",
    "core_unknown": "guideline criterion not yet known: {label}",
    "core_not_met": "guideline criterion not met: {label} ({band} at best)",
    "core_not_met_trial": "guideline criterion not met: {label}; transplant only within a clinical trial",
    "review_cap": "for team review: {label} ({band} at best)",
    "strong_needs": "a strong candidate needs {label} recorded",
    "score_below_possible": "score {label} is below the possible-candidate threshold",
    "pathway_unknown": "the aplastic anaemia pathway cannot be decided from the data recorded",
    "ist_first": "immunosuppression first (BSH 2024): no matched sibling donor at 50 or under, and no failed course of immunosuppression",
    "not_severe": "not severe by Camitta: transplant is not the treatment of choice (BSH 2024)",
}
OUTCOME_PHRASES = {
    code: OUTCOME_LABELS[code] for code in (MET, NOT_MET, NOT_EVALUABLE, NOT_APPLICABLE)
}
NO_SCORE = "-"  # what the terminal prints for the gated bands
UPPER_TEXT = "{score}, up to {upper} with {count} {items} to collect"
STATUS_PHRASES = {MISSING: "missing", STALE: "out of date", AT_LEAST: "lower bound only"}
NO_VALUE = "—"
NOT_RECORDED = "not recorded"
AT_LEAST_PREFIX = "at least "
# Kinds whose explanation template states a finding that holds only when the criterion is met.
FINDING_KINDS = ("review", "exclusion")
# An operator in words, for an explanation template that names it apart from its threshold.
_OPERATOR_WORDS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- Rendering ---------------------------------------------------------------------------------


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
        return ", ".join(format_value(v) for v in value) or "none"
    if isinstance(value, str):
        return label(value)  # a coded answer ("rr", "transplant_after_ist") in words
    return str(value)


def format_threshold(operator: str, thresholds: tuple[Any, ...]) -> str:
    """The threshold in words ("at least 3", "yes", "relapsing-remitting or ..."), without a
    unit: explanation templates write their own after ``{threshold}``."""
    return threshold_words(operator, thresholds)


def display_value(line: Line) -> str:
    """A line's value as shown: "not recorded", "at least 2" for a lower bound, else the value."""
    if line.value_status == MISSING:
        return NOT_RECORDED
    text = format_value(line.value)
    return f"{AT_LEAST_PREFIX}{text}" if line.value_status == AT_LEAST else text


def reason_text(reason: Reason) -> str:
    return REASON_MESSAGES.get(reason.code, reason.code).format(
        label=reason.label or reason.key, band=reason.band
    )


def score_text(result: Result) -> str:
    """ "62", "62, up to 85 with 2 items to collect", or "-" for a gated band."""
    if result.score is None:
        return NO_SCORE
    upper = result.score_upper
    if upper is None or upper <= result.score:
        return str(result.score)
    count = len(result.to_collect)
    return UPPER_TEXT.format(
        score=result.score, upper=upper, count=count, items="item" if count == 1 else "items"
    )


def sentence(line: Line) -> str:
    """The clinician-readable sentence for a line, built only when shown."""
    threshold = format_threshold(line.operator, line.thresholds)
    if line.value_status == MISSING:
        # The template describes a value; with none, say what is lacking instead.
        return f"{line.label or line.key} ({threshold}): {NOT_RECORDED} — {OUTCOME_PHRASES[NOT_EVALUABLE]}."
    unit = FACTS[line.fact].unit if line.fact in FACTS else ""
    outcome = OUTCOME_PHRASES[line.outcome]
    if line.outcome == NOT_EVALUABLE:
        outcome += f" ({STATUS_PHRASES.get(line.value_status, line.value_status)})"
    if line.kind in FINDING_KINDS and line.outcome != MET:
        # A review or exclusion template states the finding ("HCT-CI 3: the high-risk
        # group"); read when the finding is absent or unknown, it says the opposite of the
        # truth ("HCT-CI at least 0: the high-risk group"). Say what was checked instead.
        value = display_value(line) if line.value is None else f"{display_value(line)} {unit}"
        return f"{line.label or line.key} — {outcome}: the value is {value.rstrip()}."
    filled = line.explanation.format(
        label=line.label or line.key,
        value=display_value(line),
        unit=unit,
        date=format_date(line.value_on),
        operator=_OPERATOR_WORDS.get(line.operator, ""),
        threshold=threshold,
    )
    return f"{filled} — {outcome}."


def render_text(result: Result) -> str:
    """A terminal rendering: ``Band:`` and ``Score:`` first, then the explanation."""
    score = NO_SCORE if result.score is None else str(result.score)
    out = [f"Band: {result.band}", f"Score: {score}", DECISION_SUPPORT]
    if result.score is not None and (result.score_upper or 0) > result.score:
        out.append(f"Up to: {score_text(result)}")
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
            if line.points_possible
            else line.kind
        )
        if line.criterion.cap:
            points += f", {line.criterion.cap} at best while met"
        if line.criterion.not_met_band:
            points += f", {line.criterion.not_met_band} when not met"
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
