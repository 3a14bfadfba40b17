"""The loader turns rows into engine records, in the same few queries for any number of patients."""

import datetime

import pytest

from patients.models import Patient, Relapse
from rules.loader import record_for, records_for

from ..factories import PatientFactory

pytestmark = pytest.mark.django_db


def with_relapses(*onsets):
    patient = PatientFactory()
    for onset in onsets:
        Relapse.objects.create(patient=patient, onset=onset)
    return patient


def test_a_record_carries_the_relapse_dates_sorted():
    patient = with_relapses(
        datetime.date(2024, 5, 1), datetime.date(2021, 1, 9), datetime.date(2023, 3, 2)
    )
    assert record_for(patient).relapses == (
        datetime.date(2021, 1, 9),
        datetime.date(2023, 3, 2),
        datetime.date(2024, 5, 1),
    )


def test_a_screening_as_of_a_past_date_sees_only_the_relapses_known_then():
    patient = with_relapses(datetime.date(2021, 1, 9), datetime.date(2024, 5, 1))
    record = record_for(patient, as_of=datetime.date(2023, 12, 31))
    assert record.relapses == (datetime.date(2021, 1, 9),)


def test_a_patient_without_relapses_has_none():
    assert record_for(PatientFactory()).relapses == ()


def test_the_number_of_queries_does_not_grow_with_the_patients(django_assert_num_queries):
    for number in range(10):
        with_relapses(datetime.date(2022, 1, 1), *[datetime.date(2023, 1, 1)] * (number % 2))
    patients = list(Patient.objects.select_related("disease"))
    # One query each for the assessment values, the treatment lines and the relapse dates.
    with django_assert_num_queries(3):
        records_for(patients[:2])
    with django_assert_num_queries(3):
        records = records_for(patients)
    assert sorted(len(record.relapses) for record in records.values()) == [1] * 5 + [2] * 5
