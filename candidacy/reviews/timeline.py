"""The patient's story on the review page: diagnosis, treatments, relapses, assessments,
screenings whose band changed, and the reviews, newest first.

A coordinator decides on the whole course, not on the latest numbers alone; each entry is a
date and a sentence in the clinician's words.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from common.labels import TREATMENT_OUTCOME_LABELS

from ..screening.models import Screening
from .models import Review

# Enough for the last few years of a busy record; the patient page holds the rest.
TIMELINE_LIMIT = 40


@dataclass(frozen=True)
class TimelineEntry:
    day: datetime.date
    what: str  # Diagnosis, Treatment, Relapse, Assessment, Screening, Review
    text: str


def _day(moment) -> datetime.date:
    return timezone.localtime(moment).date()


def _record(patient) -> list[TimelineEntry]:
    out = []
    if patient.diagnosis_date:
        disease = str(patient.disease) if patient.disease_id else "disease"
        out.append(TimelineEntry(patient.diagnosis_date, "Diagnosis", f"{disease} diagnosed"))
    for t in patient.treatments.select_related("therapy"):
        if t.start_date:
            out.append(TimelineEntry(t.start_date, "Treatment", f"{t.therapy.name} started"))
        if t.end_date:
            outcome = TREATMENT_OUTCOME_LABELS.get(t.outcome, t.outcome)
            out.append(
                TimelineEntry(t.end_date, "Treatment", f"{t.therapy.name} stopped: {outcome}")
            )
    for r in patient.relapses.all():
        out.append(TimelineEntry(r.onset, "Relapse", r.note or "MS relapse"))
    for a in patient.assessments.filter(entered_in_error=False).prefetch_related("values"):
        names = [v.get_item_display() for v in a.values.all()]
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        out.append(TimelineEntry(a.taken_on, "Assessment", shown or "no values"))
    return out


def _screenings(patient) -> list[TimelineEntry]:
    """Only the screenings that changed the band: re-screens that changed nothing are noise."""
    out, before = [], None
    history = Screening.objects.filter(patient=patient).order_by("created_at", "pk")
    for band, score, created in history.values_list("band", "score", "created_at"):
        if band != before:
            scored = f", score {score}" if score is not None else ""
            out.append(TimelineEntry(_day(created), "Screening", f"{band}{scored}"))
        before = band
    return out


def _reviews(patient) -> list[TimelineEntry]:
    out = []
    for review in Review.objects.filter(patient=patient).prefetch_related("events"):
        for e in review.events.all():
            label = Review.State(e.to_state).label if e.to_state in Review.State else e.to_state
            text = f"{label}: {e.detail}" if e.detail else label
            out.append(TimelineEntry(_day(e.created_at), "Review", text))
    return out


def patient_timeline(patient, limit: int = TIMELINE_LIMIT) -> list[TimelineEntry]:
    entries = _record(patient) + _screenings(patient) + _reviews(patient)
    entries.sort(key=lambda e: e.day, reverse=True)
    return entries[:limit]
