"""The edit history of a patient's record, read from django-simple-history."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from common.users import display_name

from .models import Assessment, AssessmentValue, Patient, PriorTreatment, Relapse

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    what: (
        str  # "Patient", "Assessment of 3 Nov 2026", "Prior treatment: natalizumab", "Relapse of …"
    )
    action: str
    changes: tuple[str, ...]  # "Karnofsky: 70 → 80"


def _describe(record, label: str) -> HistoryEntry:
    changes: list[str] = []
    if record.history_type == "~" and record.prev_record is not None:
        delta = record.diff_against(record.prev_record)
        for change in delta.changes:
            field = record.instance._meta.get_field(change.field)
            changes.append(f"{field.verbose_name}: {_show(change.old)} → {_show(change.new)}")
    user = record.history_user
    return HistoryEntry(
        when=record.history_date,
        who=display_name(user) if user else "system",
        what=label,
        action=ACTIONS[record.history_type],
        changes=tuple(changes),
    )


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def edit_history(patient: Patient) -> list[HistoryEntry]:
    """Who changed what, when, newest first, across the whole record."""
    entries: list[HistoryEntry] = []
    for record in Patient.history.filter(id=patient.pk).select_related("history_user"):
        entry = _describe(record, "Patient")
        if record.history_type != "~" or entry.changes:
            entries.append(entry)
    assessment_ids = list(Assessment.objects.filter(patient=patient).values_list("id", flat=True))
    recorded: dict[int, list[str]] = {}
    for value in AssessmentValue.objects.filter(assessment_id__in=assessment_ids).order_by("item"):
        recorded.setdefault(value.assessment_id, []).append(
            f"{value.get_item_display()}: {value.display}"
        )
    assessments = Assessment.history.filter(patient_id=patient.pk).select_related("history_user")
    for record in assessments:
        entry = _describe(record, f"Assessment of {record.taken_on:%d %b %Y}")
        if record.history_type == "+":
            entry = replace(entry, changes=tuple(recorded.get(record.id, ())))
        entries.append(entry)
    values = AssessmentValue.history.filter(assessment_id__in=assessment_ids).select_related(
        "history_user"
    )
    for record in values:
        if record.history_type == "+":
            continue  # shown as part of its assessment's creation
        entries.append(_describe(record, f"Value: {record.get_item_display()}"))
    treatments = PriorTreatment.history.filter(patient_id=patient.pk).select_related(
        "history_user", "therapy"
    )
    for record in treatments:
        entries.append(_describe(record, f"Prior treatment: {record.therapy.name}"))
    for record in Relapse.history.filter(patient_id=patient.pk).select_related("history_user"):
        entries.append(_describe(record, f"Relapse of {record.onset:%d %b %Y}"))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
