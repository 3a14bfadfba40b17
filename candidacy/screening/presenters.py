"""Turn an engine result into what a page shows: sentences, labels, links, chart data.

Sentences are built here, when shown; the stored result keeps only structure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from patients.items import ITEMS
from rules import result as engine_result
from rules.describe import threshold_words
from rules.facts import COMORBIDITY_PREFIX, FACTS
from rules.specs import (
    CORE,
    DOMAINS,
    EXCLUDED,
    INCOMPLETE,
    NOT_APPLICABLE,
    NOT_INDICATED,
    POSSIBLE,
    STRONG,
    TRIAL_ONLY,
    UNLIKELY,
)

from . import wording
from .wording import RECORD_FIELDS

DOMAIN_LABELS = {d: wording.domain_text(d) for d in DOMAINS}
BAND_CSS = {
    NOT_INDICATED: "band-not-indicated",
    TRIAL_ONLY: "band-trial-only",
    EXCLUDED: "band-excluded",
    INCOMPLETE: "band-incomplete",
    STRONG: "band-strong",
    POSSIBLE: "band-possible",
    UNLIKELY: "band-unlikely",
}
# Record inputs with a page of their own (the others are fields of the patient form).
RECORD_PAGES = {"treatment_history": "patients:treatments", "relapse_dates": "patients:relapses"}


def band_css(band: str) -> str:
    return BAND_CSS.get(band, "band-unlikely")


@dataclass(frozen=True)
class ExplanationRow:
    label: str
    kind: str
    domain: str
    value: str
    value_on: date | None
    stale: bool
    threshold: str
    outcome: str
    outcome_code: str
    points: str
    sentence: str
    citation: str
    evidence: wording.Evidence


@dataclass(frozen=True)
class CollectRow:
    label: str
    reason: str
    required: bool
    criteria: str
    url: str


@dataclass(frozen=True)
class ChecklistRow:
    """One item of the disease's guideline checklist, as its source writes it."""

    label: str
    outcome: str  # met / not met / unknown
    outcome_code: str
    value: str
    when_not_met: str  # the band it gives when not met
    citation: str
    evidence: wording.Evidence


CHECKLIST_OUTCOMES = {
    engine_result.MET: "met",
    engine_result.NOT_MET: "not met",
    engine_result.NOT_EVALUABLE: "unknown",
}
# The reasons that say what keeps the band from being better (shown as "What limits the band").
LIMIT_CODES = ("review_cap", "core_not_met", "strong_needs", "ist_first", "not_severe")


def checklist_rows(result: engine_result.Result) -> list[ChecklistRow]:
    """The core criteria that apply to this patient, in the rule set's order."""
    rows = []
    for line in result.lines:
        if line.kind != CORE or line.outcome == NOT_APPLICABLE:
            continue
        rows.append(
            ChecklistRow(
                label=line.label or line.key,
                outcome=CHECKLIST_OUTCOMES.get(line.outcome, line.outcome),
                outcome_code=line.outcome,
                value=engine_result.display_value(line),
                when_not_met=line.criterion.not_met_band or UNLIKELY,
                citation=wording.citation(line),
                evidence=wording.evidence(line.evidence),
            )
        )
    return rows


def limits(result: engine_result.Result) -> list[str]:
    """The caps that apply: reviews, unmet checklist items, what Strong still needs."""
    return [engine_result.reason_text(r) for r in result.reasons if r.code in LIMIT_CODES]


def explanation_rows(result: engine_result.Result) -> list[ExplanationRow]:
    rows = []
    for line in result.lines:
        unit = FACTS[line.fact].unit if line.fact in FACTS else ""
        value = wording.value_text(line, unit)
        rows.append(
            ExplanationRow(
                label=line.label or line.key,
                kind=wording.kind_text(line.kind),
                domain=wording.domain_text(line.domain),
                value=value,
                value_on=line.value_on,
                stale=line.value_status == engine_result.STALE,
                threshold=threshold_words(line.operator, line.thresholds, unit),
                outcome=engine_result.OUTCOME_PHRASES[line.outcome],
                outcome_code=line.outcome,
                points=wording.effect_text(line),
                sentence=engine_result.sentence(line),
                citation=wording.citation(line),
                evidence=wording.evidence(line.evidence),
            )
        )
    return rows


def collect_rows(result: engine_result.Result, patient) -> list[CollectRow]:
    """What to record next, required first; the HCT-CI comorbidities not yet assessed
    make one row (one form records them all)."""
    rows, comorbidities = [], []
    for item in result.to_collect:
        if item.item.startswith(COMORBIDITY_PREFIX):
            comorbidities.append(item)
            continue
        if item.item in ITEMS:
            label = ITEMS[item.item].label
            url = (
                reverse("patients:assessment_create", args=[patient.public_id]) + f"#id_{item.item}"
            )
        elif item.item in RECORD_PAGES:
            label, url = (
                RECORD_FIELDS[item.item],
                reverse(RECORD_PAGES[item.item], args=[patient.public_id]),
            )
        else:
            label = RECORD_FIELDS.get(item.item, item.item.replace("_", " "))
            url = reverse("patients:update", args=[patient.public_id]) + f"#id_{item.item}"
        rows.append(
            CollectRow(
                label=label,
                reason=engine_result.STATUS_PHRASES.get(item.reason, item.reason),
                required=item.required,
                criteria=wording.criteria_text(item.criteria, result),
                url=url,
            )
        )
    if comorbidities:
        names = [wording.input_label(c.item) for c in comorbidities]
        criteria = sorted({key for c in comorbidities for key in c.criteria})
        rows.append(
            CollectRow(
                label=f"HCT-CI comorbidities not assessed ({len(names)}): " + "; ".join(names),
                reason="not assessed",
                required=any(c.required for c in comorbidities),
                criteria=wording.criteria_text(criteria, result),
                url=reverse("patients:update", args=[patient.public_id])
                + f"#id_{comorbidities[0].item.removeprefix(COMORBIDITY_PREFIX)}",
            )
        )
    rows.sort(key=lambda row: not row.required)
    return rows


def domain_chart(result: engine_result.Result) -> list[dict]:
    """Each domain's share of its points met, as a percentage; None when it has no criterion.

    A gated result (Not indicated, Trial only, Excluded) has no score, and no chart either.
    """
    if result.score is None:
        return []
    chart = []
    for d in DOMAINS:
        share = result.domain_scores.get(d)
        chart.append(
            {
                "domain": DOMAIN_LABELS[d],
                "percent": None if share is None else round(share * 100),
                "note": wording.domain_unscored(result, d) if share is None else "",
            }
        )
    return chart


def screening_context(result: engine_result.Result | None, patient) -> dict:
    if result is None:
        return {"result": None}
    labels = {line.key: line.label or line.key for line in result.lines}
    return {
        "result": result,
        "band_css": band_css(result.band),
        "score_text": engine_result.score_text(result),
        "reasons": [engine_result.reason_text(r) for r in result.reasons],
        "checklist": checklist_rows(result),
        "limits": limits(result),
        "rows": explanation_rows(result),
        "to_collect": collect_rows(result, patient),
        "review_marks": [labels.get(k, k) for k in result.review_marks],
        "domains": domain_chart(result),
        "completeness_percent": round(result.completeness * 100),
        "decision_support": engine_result.DECISION_SUPPORT,
    }
