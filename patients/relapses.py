"""MS relapses on the record: the onset date of each, as a clinician or the EHR recorded it.

The rules engine reads the dates (``PatientRecord.relapses``, built by rules/loader.py): a
relapse counts as a treatment failure only while a DMT was given, which a count cannot say.
The model is collected by ``patients.models`` for Django; it lives here beside its checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

ONSET_IN_FUTURE = "A relapse cannot start in the future."
ONSET_BEFORE_BIRTH = "A relapse cannot start before the date of birth."
ONSET_BEFORE_DIAGNOSIS = (
    "A relapse cannot start before the date of onset or diagnosis ({day:%d %b %Y}). "
    "If the disease began earlier, correct that date first."
)
ONSET_TWICE = "A relapse with this date of onset is already recorded."


class Relapse(models.Model):
    """The onset of one MS relapse."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="relapses"
    )
    onset = models.DateField("date of onset")
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()
    _change_reason: str  # set before save() or delete(): simple_history's reason for the row

    class Meta:
        ordering = ["onset", "id"]
        constraints = [
            # Also the index the loader reads the dates by (patient, then onset).
            models.UniqueConstraint(
                fields=["patient", "onset"],
                name="one_relapse_per_day",
                violation_error_message=ONSET_TWICE,
            ),
        ]

    def __str__(self):
        return f"Relapse of {self.onset:%d %b %Y}"

    def clean(self):
        if self.onset is None:
            return
        message = onset_error(
            self.onset,
            today=timezone.localdate(),
            birth=self.patient.birth_date if self.patient_id else None,
            diagnosis=self.patient.diagnosis_date if self.patient_id else None,
        )
        if message:
            raise ValidationError({"onset": message})


def onset_error(
    onset: date, *, today: date, birth: date | None, diagnosis: date | None
) -> str | None:
    """Why a relapse cannot have started on ``onset``, or None. The importer asks too."""
    if onset > today:
        return ONSET_IN_FUTURE
    if birth is not None and onset < birth:
        return ONSET_BEFORE_BIRTH
    if diagnosis is not None and onset < diagnosis:
        return ONSET_BEFORE_DIAGNOSIS.format(day=diagnosis)
    return None


def year_before(day: date) -> date:
    """The same calendar day a year earlier (28 Feb for a 29 Feb)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def count_in_last_year(onsets: Iterable[date], *, today: date) -> int:
    """Relapses that began in the 12 months up to ``today``, that day a year ago excluded."""
    start = year_before(today)
    return sum(1 for onset in onsets if start < onset <= today)
