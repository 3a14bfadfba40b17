"""Seeding the database with demo patients: bulk inserts a chunk at a time, idempotent.

Django and the models are imported inside the functions, as before the package was split,
so that importing the generator and its tables needs no Django.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .centres import CENTRES, RECORDED_BY, centre_for
from .generator import demo_mrn, generate_patient


@dataclass
class SeedResult:
    requested: int = 0
    done: int = 0  # indices handled so far, new or already there
    patients: int = 0  # created
    assessments: int = 0
    values: int = 0
    treatments: int = 0
    relapses: int = 0

    @property
    def existing(self) -> int:
        return self.done - self.patients


def seed_patients(
    *,
    count: int,
    seed: int | str,
    as_of: date,
    chunk_size: int = 1000,
    on_chunk: Callable[[SeedResult], None] | None = None,
) -> SeedResult:
    """Create demo patients 1..count that are not there yet, a chunk at a time.

    Rows are bulk-inserted, so no history rows are written and ``record_changed`` is
    not sent: seeded data is nobody's change, and it is not queued for screening.
    """
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from ..models import Centre, Disease, Patient, Therapy

    centres = {c.code: c for c in Centre.objects.filter(code__in=[c.code for c in CENTRES])}
    diseases = dict(Disease.objects.values_list("key", "id"))
    therapies = dict(Therapy.objects.values_list("key", "id"))
    users = dict(
        get_user_model()
        .objects.filter(username__in=RECORDED_BY.values())
        .values_list("username", "id")
    )
    recorders = {code: users.get(username) for code, username in RECORDED_BY.items()}

    result = SeedResult(requested=count)
    for first in range(1, count + 1, chunk_size):
        indices = range(first, min(first + chunk_size, count + 1))
        with transaction.atomic():
            existing = set(
                Patient.objects.filter(
                    centre__in=centres.values(), mrn__in=[demo_mrn(i) for i in indices]
                ).values_list("centre__code", "mrn")
            )
            batch = [
                generate_patient(seed, i, as_of)
                for i in indices
                if (centre_for(i), demo_mrn(i)) not in existing
            ]
            _insert(batch, centres, diseases, therapies, recorders, result)
        result.done = indices[-1]
        if on_chunk:
            on_chunk(result)
    return result


def _insert(batch, centres, diseases, therapies, recorders, result: SeedResult) -> None:
    from ..models import Assessment, AssessmentValue, Patient, PriorTreatment

    if not batch:
        return
    patients = [
        Patient(
            public_id=p.public_id,
            centre=centres[p.centre],
            mrn=p.mrn,
            given_name=p.given_name,
            family_name=p.family_name,
            birth_date=p.birth_date,
            sex=p.sex,
            death_date=p.death_date,
            deceased=p.death_date is not None,
            disease_id=diseases[p.disease],
            diagnosis_date=p.diagnosis_date,
            **p.comorbidities,
        )
        for p in batch
    ]
    Patient.objects.bulk_create(patients)  # returns the ids (PostgreSQL, and SQLite >= 3.35)

    assessments, assessment_data, treatments = [], [], []
    for data, patient in zip(batch, patients, strict=True):
        for a in data.assessments:
            assessments.append(
                Assessment(
                    patient_id=patient.pk,
                    taken_on=a.taken_on,
                    note=a.note,
                    recorded_by_id=recorders[data.centre],
                )
            )
            assessment_data.append(a)
        for t in data.treatments:
            treatments.append(
                PriorTreatment(
                    patient_id=patient.pk,
                    therapy_id=therapies[t.therapy],
                    start_date=t.start,
                    end_date=t.end,
                    outcome=t.outcome,
                    stop_reason=t.stop_reason,
                )
            )
    Assessment.objects.bulk_create(assessments)
    values = [
        AssessmentValue(assessment_id=assessment.pk, item=key, value=value)
        for assessment, data in zip(assessments, assessment_data, strict=True)
        for key, value in data.values.items()
    ]
    AssessmentValue.objects.bulk_create(values, batch_size=5000)
    PriorTreatment.objects.bulk_create(treatments, batch_size=5000)
    result.relapses += _insert_relapses(batch, patients)
    result.patients += len(patients)
    result.assessments += len(assessments)
    result.values += len(values)
    result.treatments += len(treatments)


def _insert_relapses(batch, patients) -> int:
    """Bulk-insert the MS relapse onsets of the batch's patients; return how many."""
    from ..models import Relapse

    relapses = [
        Relapse(patient_id=patient.pk, onset=onset)
        for data, patient in zip(batch, patients, strict=True)
        for onset in data.relapses
    ]
    Relapse.objects.bulk_create(relapses, batch_size=5000)
    return len(relapses)
