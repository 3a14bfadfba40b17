"""Writes to the patient record. Each one is atomic, counts a new record version and
announces the change.

``Patient.record_version`` goes up by one per write (one transaction), whatever it touched:
patient fields, assessments and their values, treatments, relapses. A screening stores the
version it was computed from, so one computed before the latest change can be told apart.
A record as first stored (by a form, an import or the demo seeding) is version 1. The
counter is left out of the edit history: it is bookkeeping, not part of the record.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Now

from .models import Assessment, AssessmentValue, Patient
from .signals import record_changed


def record_version_next(patient: Patient) -> None:
    """Make the coming ``patient.save()`` count one more record version (1 for a new patient).

    The count is done in SQL (``record_version + 1``), not from the value this instance
    was loaded with, so two edits saved at the same time are both counted.
    """
    patient.record_version = F("record_version") + 1 if patient.pk else 1


def record_version_saved(patient: Patient) -> None:
    """Read back the version the save wrote, so a second save does not count it again."""
    patient.refresh_from_db(fields=["record_version"])


def record_version_bump(patient: Patient) -> None:
    """One more record version for a change that does not save the patient row itself.

    ``updated_at`` moves with it (an UPDATE skips auto_now): it is when the record last
    changed, which a page shows beside a screening computed before it.
    """
    Patient.objects.filter(pk=patient.pk).update(
        record_version=F("record_version") + 1, updated_at=Now()
    )


def _announce(patient: Patient) -> None:
    record_changed.send(sender=Patient, patient_id=patient.pk)


def _changed(patient: Patient) -> None:
    record_version_bump(patient)
    _announce(patient)


@transaction.atomic
def patient_save(*, patient: Patient) -> Patient:
    """Create or update a patient from a validated form instance."""
    record_version_next(patient)
    patient.save()
    record_version_saved(patient)
    _announce(patient)
    return patient


@transaction.atomic
def assessment_record(
    *,
    patient: Patient,
    taken_on,
    values: dict[str, float],
    note: str = "",
    by=None,
    submission_key: uuid.UUID | None = None,
) -> Assessment:
    """Record a dated assessment: one row for the date, one per item given.

    ``submission_key`` is the form's own (one per opened form): a resubmit of the same form,
    after a timeout or a double click, returns the assessment the first one stored and
    stores nothing (a unique constraint decides between two at once).
    """
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                patient=patient,
                taken_on=taken_on,
                note=note,
                recorded_by=by,
                submission_key=submission_key,
            )
    except IntegrityError:
        if submission_key is None:
            raise
        return Assessment.objects.get(patient=patient, submission_key=submission_key)
    # One create per value (a handful), so each value has its own history row.
    for item, value in values.items():
        AssessmentValue.objects.create(assessment=assessment, item=item, value=value)
    _changed(patient)
    return assessment


@transaction.atomic
def assessment_mark_in_error(*, assessment: Assessment, reason: str) -> None:
    """Keep the assessment in the history, but stop it counting."""
    assessment.mark_entered_in_error(reason=reason)
    _changed(assessment.patient)


@transaction.atomic
def treatments_save(*, patient: Patient, formset) -> None:
    """Save a validated prior-treatment formset in one transaction."""
    formset.save()
    _changed(patient)


@transaction.atomic
def relapses_save(*, patient: Patient, formset) -> None:
    """Save a validated relapse formset (onset dates of MS relapses) in one transaction."""
    formset.save()
    _changed(patient)
