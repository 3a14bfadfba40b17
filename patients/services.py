"""Writes to the patient record. Each one is atomic and announces the change."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction

from .models import Assessment, AssessmentValue, Patient
from .signals import record_changed


def _announce(patient: Patient) -> None:
    record_changed.send(sender=Patient, patient_id=patient.pk)


@transaction.atomic
def patient_save(*, patient: Patient) -> Patient:
    """Create or update a patient from a validated form instance."""
    patient.save()
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
    _announce(patient)
    return assessment


@transaction.atomic
def assessment_mark_in_error(*, assessment: Assessment, reason: str) -> None:
    """Keep the assessment in the history, but stop it counting."""
    assessment.mark_entered_in_error(reason=reason)
    _announce(assessment.patient)


@transaction.atomic
def treatments_save(*, patient: Patient, formset) -> None:
    """Save a validated prior-treatment formset in one transaction."""
    formset.save()
    _announce(patient)


@transaction.atomic
def relapses_save(*, patient: Patient, formset) -> None:
    """Save a validated relapse formset (onset dates of MS relapses) in one transaction."""
    formset.save()
    _announce(patient)
