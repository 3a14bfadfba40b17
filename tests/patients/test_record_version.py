"""Patient.record_version: one more per write to the record, and the screening remembers its own."""

from pathlib import Path

import pytest

from candidacy.screening.services import screening_record
from patients import services
from patients.fhir.importer import Source, import_run
from patients.models import Patient

from ..clock import TODAY, days_ago
from ..factories import PatientFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fhir"

pytestmark = pytest.mark.django_db


def version(patient) -> int:
    return Patient.objects.values_list("record_version", flat=True).get(pk=patient.pk)


def test_a_patient_created_through_the_service_is_version_one():
    patient = PatientFactory.build(centre=PatientFactory().centre, mrn="NEW-1")
    services.patient_save(patient=patient)
    assert version(patient) == 1 == patient.record_version


def test_each_write_to_the_record_counts_one_version(centre):
    patient = PatientFactory(centre=centre)
    start = version(patient)
    services.patient_save(patient=patient)
    assessment = services.assessment_record(
        patient=patient, taken_on=days_ago(3), values={"edss": 3.5, "karnofsky": 90}
    )
    assert version(patient) == start + 2  # the assessment and its two values: one version
    services.assessment_mark_in_error(assessment=assessment, reason="wrong patient")
    assert version(patient) == start + 3


def test_two_edits_saved_from_copies_loaded_at_the_same_time_both_count(centre):
    patient = PatientFactory(centre=centre)
    start = version(patient)
    first, second = Patient.objects.get(pk=patient.pk), Patient.objects.get(pk=patient.pk)
    first.given_name = "Alex"
    services.patient_save(patient=first)
    second.family_name = "Other"
    services.patient_save(patient=second)  # loaded before the first save: must not undo it
    assert version(patient) == start + 2


def test_a_screening_stores_the_version_it_was_computed_from_so_a_later_change_shows(centre):
    patient = PatientFactory(centre=centre)
    services.assessment_record(patient=patient, taken_on=days_ago(3), values={"edss": 3.5})
    screening = screening_record(patient=patient, as_of=TODAY)
    assert screening.record_version == version(patient)
    services.assessment_record(patient=patient, taken_on=days_ago(1), values={"edss": 4.0})
    assert version(patient) == screening.record_version + 1  # this screening is now stale


def test_importing_a_bundle_counts_one_version_however_many_rows_it_replaced(centre):
    def run():
        data = (FIXTURES / "ms_patient.json").read_bytes()
        import_run(sources=[Source(name="ms", data=data)], centre=centre, source="command")
        return Patient.objects.get(centre=centre)

    assert run().record_version == 1
    assert run().record_version == 2
