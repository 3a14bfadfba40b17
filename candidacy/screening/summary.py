"""The one-page summary for the team meeting: what the print view shows beside the screening.

The meeting reads band and reasons, the checklist, the key results with their dates, the
treatments, the comorbidities and the review's decision on one A4 sheet. The full explanation,
criterion by criterion, stays on the patient page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from common.labels import COMORBIDITY_LABELS, TREATMENT_OUTCOME_LABELS
from patients.items import ITEMS

from ..reviews.models import Review

# The results a transplant meeting asks for first: disease activity, then organ function,
# then performance. Only those recorded are printed.
KEY_ITEMS = (
    "edss",
    "relapses_12m",
    "sledai_2k",
    "mrss",
    "cdai",
    "anc",
    "platelets",
    "haemoglobin",
    "karnofsky",
    "ecog",
    "lvef",
    "dlco",
    "fev1",
    "pasp",
    "creatinine_clearance",
    "bilirubin",
    "alt",
    "bmi",
)
TREATMENTS_SHOWN = 8
COLLECT_SHOWN = 6


@dataclass(frozen=True)
class KeyResult:
    label: str
    value: str
    on: date


@dataclass(frozen=True)
class Bar:
    """One domain of the score as an SVG bar: drawn by the server, so it prints."""

    label: str
    percent: int | None
    width: int  # of 200
    y: int
    note: str


def key_results(patient) -> list[KeyResult]:
    latest = patient.latest_values()
    return [
        KeyResult(ITEMS[key].label, latest[key].display, latest[key].assessment.taken_on)
        for key in KEY_ITEMS
        if key in latest and key in ITEMS
    ]


def treatment_lines(patient) -> tuple[list[str], int]:
    lines = []
    for t in patient.treatments.select_related("therapy").order_by("-start_date", "-id"):
        start = f"{t.start_date:%b %Y}" if t.start_date else "start unknown"
        outcome = TREATMENT_OUTCOME_LABELS.get(t.outcome, t.outcome)
        if t.end_date:
            lines.append(f"{t.therapy.name}: {start} to {t.end_date:%b %Y}, {outcome}")
        else:
            lines.append(f"{t.therapy.name}: since {start}, {outcome}")
    return lines[:TREATMENTS_SHOWN], max(0, len(lines) - TREATMENTS_SHOWN)


def comorbidity_text(patient) -> tuple[list[str], int]:
    """The comorbidities answered yes, and how many are still not assessed."""
    answers = patient.comorbidities()
    present = [COMORBIDITY_LABELS.get(k, k) for k, v in answers.items() if v is True]
    unknown = sum(1 for v in answers.values() if v is None)
    return present, unknown


def domain_bars(domains: list[dict]) -> list[Bar]:
    return [
        Bar(
            d["domain"],
            d["percent"],
            0 if d["percent"] is None else 2 * d["percent"],
            i * 22,
            d.get("note", ""),
        )
        for i, d in enumerate(domains)
    ]


def summary_context(patient) -> dict:
    treatments, more_treatments = treatment_lines(patient)
    present, unknown = comorbidity_text(patient)
    review = (
        Review.objects.filter(patient=patient, centre_id=patient.centre_id)
        .select_related("decided_by", "assignee")
        .newest_first()
        .first()
    )
    return {
        "key_results": key_results(patient),
        "treatments": treatments,
        "more_treatments": more_treatments,
        "comorbidities_present": present,
        "comorbidities_unknown": unknown,
        "review": review,
        "collect_shown": COLLECT_SHOWN,
    }
