"""The FHIR importer must never undo a clinician's correction, lose a run's record, or import data that
cannot be right. Each test here reproduces a confirmed review finding (the reviewer's scripts, made tests).
"""

import datetime
import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patients import services
from patients.fhir import importer
from patients.fhir.bundle import BundleError, read_bundle
from patients.fhir.importer import IMPORT_NOTE, UNEXPECTED_ERROR, Source, import_run
from patients.models import (
    OLDEST_PLAUSIBLE_AGE_YEARS,
    Assessment,
    AssessmentValue,
    ImportRun,
    Patient,
    PriorTreatment,
)

from ..factories import disease

pytestmark = pytest.mark.django_db

SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


# --- bundles, built by hand -------------------------------------------------------------------------


def bundle(*resources) -> bytes:
    return json.dumps(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
        }
    ).encode()


def pat(pid="p1", mrn="MRN1", **fields):
    return {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [{"value": mrn}],
        "birthDate": "1980-01-01",
        "gender": "female",
        "name": [{"family": "Doe", "given": ["Jane"]}],
        **fields,
    }


def cond(cid, code, pid="p1", system=SNOMED, onset="2015-03-01", **fields):
    return {
        "resourceType": "Condition",
        "id": cid,
        "subject": {"reference": f"urn:uuid:{pid}"},
        "code": {"coding": [{"system": system, "code": code}]},
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "onsetDateTime": onset,
        **fields,
    }


def obs(oid, code, value, unit, pid="p1", day="2024-01-01", **quantity):
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "subject": {"reference": f"urn:uuid:{pid}"},
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "effectiveDateTime": day,
        "valueQuantity": {"value": value, "code": unit, "unit": unit, **quantity},
    }


def medreq(
    mid,
    display="Methotrexate 10 MG Oral Tablet",
    status="stopped",
    day="2018-01-01",
    pid="p1",
    **fields,
):
    return {
        "resourceType": "MedicationRequest",
        "id": mid,
        "status": status,
        "intent": "order",
        "subject": {"reference": f"urn:uuid:{pid}"},
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": "999", "display": display}]
        },
        "authoredOn": day,
        **fields,
    }


RA, AF, DEPRESSION = "69896004", "49436004", "35489007"
BASE = [pat(), cond("c1", RA), cond("c2", AF), obs("o1", "718-7", 12.5, "g/dL"), medreq("m1")]


def run(centre, *datas, by=None) -> ImportRun:
    return import_run(
        sources=[Source(f"f{i}.json", d) for i, d in enumerate(datas)],
        centre=centre,
        source="command",
        by=by,
    )


def clinician_edits(patient, **fields):
    """As the patient form saves: no change reason of the importer's."""
    patient.refresh_from_db()
    for name, value in fields.items():
        setattr(patient, name, value)
    services.patient_save(patient=patient)


# --- 1. importing again never undoes a clinician's correction ---------------------------------------


def test_reimport_keeps_a_clinicians_comorbidity_death_diagnosis_date_and_deleted_treatment(centre):
    run(centre, bundle(*BASE))
    patient = Patient.objects.get()
    assert (patient.arrhythmia, patient.disease.key, patient.diagnosis_date) == (
        True,
        "ra",
        datetime.date(2015, 3, 1),
    )
    clinician_edits(
        patient,
        arrhythmia=False,
        deceased=True,
        death_date=datetime.date(2024, 6, 1),
        diagnosis_date=datetime.date(2010, 1, 1),
    )
    PriorTreatment.objects.get(patient=patient).delete()  # the treatments form deletes row by row

    report = run(centre, bundle(*BASE)).report[0]
    patient.refresh_from_db()
    assert patient.arrhythmia is False
    assert patient.deceased is True and patient.death_date == datetime.date(2024, 6, 1)
    assert patient.diagnosis_date == datetime.date(2010, 1, 1)
    assert not PriorTreatment.objects.filter(patient=patient).exists()
    notes = " ".join(report["notes"])
    assert (
        "kept as no" in notes
        and "Kept as deceased" in notes
        and "recorded by a clinician kept" in notes
    )


def test_a_bundle_silent_about_death_never_revives_the_patient(centre):
    run(centre, bundle(pat(deceasedDateTime="2024-05-01"), *BASE[1:]))
    run(centre, bundle(*BASE))
    patient = Patient.objects.get()
    assert patient.is_deceased and patient.death_date == datetime.date(2024, 5, 1)


def test_a_bundle_fills_only_unanswered_comorbidities_and_may_update_its_own_diagnosis(centre):
    run(centre, bundle(*BASE))
    patient = Patient.objects.get()
    clinician_edits(patient, cardiac=False)  # another field: the diagnosis is still the importer's
    run(
        centre,
        bundle(
            pat(),
            cond("c1", "M32.1", system="http://hl7.org/fhir/sid/icd-10-cm", onset="2016-02-01"),
            cond("c2", AF),
            cond("c3", DEPRESSION),
        ),
    )
    patient.refresh_from_db()
    assert (patient.disease.key, patient.diagnosis_date) == ("sle", datetime.date(2016, 2, 1))
    assert (patient.psychiatric, patient.arrhythmia, patient.cardiac) == (True, True, False)


def test_a_diagnosis_a_clinician_set_stays(centre):
    run(centre, bundle(pat(), obs("o1", "718-7", 12.5, "g/dL")))  # no disease in the bundle
    patient = Patient.objects.get()
    clinician_edits(patient, disease=disease("ms"))
    run(centre, bundle(*BASE))
    patient.refresh_from_db()
    assert patient.disease.key == "ms"


def test_identity_fields_follow_the_ehr_and_the_report_says_so(centre):
    run(centre, bundle(*BASE))
    report = run(
        centre,
        bundle(
            pat(name=[{"family": "Smith", "given": ["Jane"]}], birthDate="1980-02-01"), *BASE[1:]
        ),
    ).report[0]
    patient = Patient.objects.get()
    assert (patient.family_name, patient.birth_date) == ("Smith", datetime.date(1980, 2, 1))
    assert any("changed from Doe to Smith" in note for note in report["notes"])
    assert any("changed from 1980-01-01 to 1980-02-01" in note for note in report["notes"])


def test_a_changed_imported_treatment_is_replaced_again_and_again(centre):
    def with_end(end):
        return bundle(
            *BASE[:-1],
            medreq("m1", dispenseRequest={"validityPeriod": {"start": "2018-01-01", "end": end}}),
        )

    for end in ("2018-06-01", "2018-09-01", "2018-12-01"):
        run(centre, with_end(end))
        assert list(PriorTreatment.objects.values_list("therapy__key", "end_date")) == [
            ("methotrexate", datetime.date.fromisoformat(end))
        ]


def test_a_treatment_line_a_clinician_moved_is_not_imported_again_beside_it(centre):
    run(centre, bundle(*BASE))
    line = PriorTreatment.objects.get()
    line.start_date = datetime.date(2017, 11, 1)  # the clinician knows better
    line.save()
    run(centre, bundle(*BASE))
    assert list(PriorTreatment.objects.values_list("start_date", flat=True)) == [
        datetime.date(2017, 11, 1)
    ]


# --- 10. the importer's assessments are known by their history, not their note -----------------------


def test_a_clinicians_assessment_noted_imported_from_fhir_is_never_deleted(centre, clinician):
    run(centre, bundle(*BASE))
    patient = Patient.objects.get()
    own = services.assessment_record(
        patient=patient,
        taken_on=datetime.date(2024, 2, 1),
        values={"haemoglobin": 9.0},
        note=IMPORT_NOTE,
        by=clinician,
    )
    run(centre, bundle(*BASE))
    assert Assessment.objects.filter(pk=own.pk).exists()
    assert AssessmentValue.objects.get(assessment=own).value == 9.0


def test_imported_assessments_are_still_replaced_when_the_bundle_changes(centre):
    run(centre, bundle(*BASE))
    run(centre, bundle(*BASE[:3], obs("o1", "718-7", 11.0, "g/dL")))
    assert list(AssessmentValue.objects.values_list("item", "value")) == [("haemoglobin", 11.0)]


def test_reimport_queries_stay_few(centre, django_assert_max_num_queries):
    run(centre, bundle(*BASE))
    with django_assert_max_num_queries(40):
        run(centre, bundle(*BASE))


# --- 2. an unexpected error fails its bundle only, and the run is always recorded ---------------------

DEEP = (
    b'{"resourceType":"Bundle","type":"collection","entry":[{"resource":'
    + b'{"a":' * 50000
    + b"1"
    + b"}" * 50000
    + b"}]}"
)


def test_json_nested_too_deeply_is_a_bundle_error():
    with pytest.raises(BundleError, match="nested too deeply"):
        read_bundle(DEEP)
    with pytest.raises(BundleError, match="nested too deeply"):
        read_bundle(b"[" * 100000 + b"]" * 100000)


def test_a_resource_type_that_is_not_a_string_is_a_bundle_error():
    # It was a dict key: a list raised TypeError, which the run reported as an unexpected error.
    with pytest.raises(BundleError, match="Entry 1: resourceType must be a string, not list"):
        read_bundle(bundle(pat(), {"resourceType": ["Condition"], "id": "c1"}))


def test_an_upload_with_a_deep_file_reports_it_and_imports_the_other(client_for, clinician, centre):
    response = client_for(clinician).post(
        reverse("patients:import"),
        {
            "centre": centre.pk,
            "files": [
                SimpleUploadedFile("good.json", bundle(*BASE)),
                SimpleUploadedFile("deep.json", DEEP),
            ],
        },
    )
    assert response.status_code == 302
    run_ = ImportRun.objects.get()
    assert [(r["name"], r["status"]) for r in run_.report] == [
        ("good.json", "imported"),
        ("deep.json", "failed"),
    ]
    assert Patient.objects.count() == 1


def test_an_unexpected_error_while_writing_fails_that_bundle_and_rolls_it_back(
    centre, monkeypatch, caplog
):
    real = importer._replace_treatments
    calls = []

    def second_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ValueError("unexpected")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "_replace_treatments", second_fails)
    with caplog.at_level(logging.ERROR, logger="patients.fhir.importer"):
        result = run(
            centre, bundle(*BASE), bundle(pat(mrn="MRN2"), obs("o1", "718-7", 12.5, "g/dL"))
        )
    assert [(r["status"], r["error"]) for r in result.report] == [
        ("imported", ""),
        ("failed", UNEXPECTED_ERROR),
    ]
    assert list(Patient.objects.values_list("mrn", flat=True)) == [
        "MRN1"
    ]  # MRN2's patient and values rolled back
    assert Assessment.objects.count() == 1 and Patient.history.filter(mrn="MRN2").count() == 0
    assert (result.bundles, result.bundles_failed, ImportRun.objects.count()) == (2, 1, 1)
    assert "f1.json" in caplog.text and "ValueError: unexpected" in caplog.text


def test_an_unexpected_error_while_reading_fails_that_bundle(centre, monkeypatch, caplog):
    def broken(parsed, today):
        raise KeyError("a bug")

    monkeypatch.setattr(importer, "extract", broken)
    with caplog.at_level(logging.ERROR, logger="patients.fhir.importer"):
        result = run(centre, bundle(*BASE))
    assert (result.report[0]["status"], result.report[0]["error"]) == ("failed", UNEXPECTED_ERROR)
    assert "KeyError" in caplog.text and Patient.objects.count() == 0


@pytest.mark.parametrize("save_each_first", [10, 0])  # saved after the bundle, or on the way out
def test_a_run_that_stops_half_way_is_still_recorded(centre, monkeypatch, save_each_first):
    monkeypatch.setattr(importer._Progress, "SAVE_EACH_FIRST", save_each_first)
    monkeypatch.setattr(importer._Progress, "SAVE_INTERVAL_SECONDS", 3600)
    real = importer._bundle_write
    calls = []

    def crash_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("the worker was killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "_bundle_write", crash_on_second)
    with pytest.raises(SystemExit):
        run(centre, bundle(*BASE), bundle(pat(mrn="MRN2")))
    stored = ImportRun.objects.get()
    # The report says the run stopped, after the bundle it did import (issue 12: never a run
    # that says nothing of why it ended).
    assert (stored.bundles, stored.patients_created, [r["status"] for r in stored.report]) == (
        1,
        1,
        ["imported", "failed"],
    )
    assert stored.report[-1]["error"] == importer.RUN_STOPPED


# --- 4 and 11. one patient per bundle -------------------------------------------------------------


@pytest.mark.parametrize(
    "resources, error",
    [
        (
            (
                pat("a", "M"),
                obs("o1", "718-7", 12.5, "g/dL", pid="a"),
                pat("b", "M", name=[{"family": "Other"}]),
            ),
            "Two Patient resources share MRN M (entries 0 and 2)",
        ),
        (
            (pat("a", "M1"), obs("o1", "718-7", 12.5, "g/dL", pid="a"), pat("a", "M2")),
            "Two Patient resources share id a (entries 0 and 2)",
        ),
        (
            (pat(), obs("o1", "718-7", 12.5, "g/dL"), pat()),
            "Two Patient resources share MRN MRN1 (entries 0 and 2)",
        ),
        ((pat("a", "M1"), pat("b", "M2")), "The bundle has 2 Patient resources (entries 0, 1)"),
    ],
)
def test_a_bundle_with_two_patients_is_not_imported(centre, resources, error):
    result = run(centre, bundle(*resources))
    assert result.report[0]["status"] == "failed"
    assert result.report[0]["error"].startswith(error), result.report[0]["error"]
    assert Patient.objects.count() == 0 and AssessmentValue.objects.count() == 0


# --- 8 and 9. values that are not measurements, dates that cannot be right ----------------------------


def reasons(report) -> dict:
    return {s["id"]: s["reason"] for s in report["skipped"]}


def test_an_observation_with_a_comparator_is_skipped(centre):
    report = run(
        centre,
        bundle(
            pat(),
            obs("egfr", "33914-3", 60, "mL/min/{1.73_m2}", comparator=">"),
            obs("crp", "1988-5", 5, "mg/L", comparator="<"),
            obs("hb", "718-7", 12.5, "g/dL"),
        ),
    ).report[0]
    assert reasons(report)["egfr"].endswith("value is a bound (comparator >), not a measurement")
    assert reasons(report)["crp"].endswith("value is a bound (comparator <), not a measurement")
    assert list(AssessmentValue.objects.values_list("item", flat=True)) == ["haemoglobin"]


def test_a_birth_date_too_long_ago_fails_the_bundle(centre):
    result = run(
        centre,
        bundle(pat(birthDate="1800-01-01"), obs("o1", "718-7", 12.5, "g/dL", day="1900-01-01")),
    )
    assert result.report[0]["status"] == "failed"
    assert result.report[0]["error"] == (
        f"Patient p1 (entry 0): birthDate: 1800-01-01 is more than {OLDEST_PLAUSIBLE_AGE_YEARS} years ago; "
        "not a plausible date of birth."
    )
    assert Patient.objects.count() == 0


def test_a_birth_date_in_the_future_fails_the_bundle(centre):
    result = run(centre, bundle(pat(birthDate="2999-01-01")))
    assert result.report[0]["error"].startswith("Patient p1 (entry 0): birthDate:")


def test_resources_dated_before_birth_or_in_the_future_are_skipped(centre):
    report = run(
        centre,
        bundle(
            pat(),
            obs("obs-before", "718-7", 12.5, "g/dL", day="1970-01-01"),
            obs("obs-future", "718-7", 12.5, "g/dL", day="2999-01-01"),
            obs("obs-good", "777-3", 150, "10*3/uL", day="2020-01-01"),
            cond("cond-before", RA, onset="1975-01-01"),
            cond("cond-future", AF, onset="2999-01-01"),
            medreq("med-before", day="1979-12-31"),
            medreq("med-future", day="2999-01-01"),
        ),
    ).report[0]
    why = reasons(report)
    assert (
        why["obs-before"] == "haemoglobin: dated 1970-01-01, before the date of birth (1980-01-01)"
    )
    assert why["obs-future"] == "haemoglobin: dated in the future (2999-01-01)"
    assert why["cond-before"].startswith("dated 1975-01-01, before the date of birth")
    assert why["cond-future"].startswith("dated in the future")
    assert (
        why["med-before"] == "methotrexate: dated 1979-12-31, before the date of birth (1980-01-01)"
    )
    assert why["med-future"] == "methotrexate: dated in the future (2999-01-01)"
    patient = Patient.objects.get()
    assert (patient.disease, patient.arrhythmia) == (None, None)
    assert not PriorTreatment.objects.exists()
    assert list(AssessmentValue.objects.values_list("item", flat=True)) == ["platelets"]


def test_the_stored_run_is_the_report_built_bundle_by_bundle(centre):
    result = run(
        centre,
        bundle(*BASE),
        b"not json",
        bundle(pat(mrn="MRN2"), obs("o1", "718-7", 12.5, "g/dL")),
    )
    stored = ImportRun.objects.get()
    assert stored.report == json.loads(json.dumps(result.report))
    assert [r["status"] for r in stored.report] == ["imported", "failed", "imported"]
    assert (
        stored.bundles,
        stored.bundles_failed,
        stored.patients_created,
        stored.resources_mapped,
    ) == (3, 1, 2, result.resources_mapped)
    assert stored.seconds == result.seconds > 0


def test_a_long_run_saves_its_report_at_intervals_and_at_the_end(centre, monkeypatch):
    monkeypatch.setattr(importer._Progress, "SAVE_EACH_FIRST", 1)
    monkeypatch.setattr(importer._Progress, "SAVE_INTERVAL_SECONDS", 3600)
    saves = []
    real_save = ImportRun.save
    monkeypatch.setattr(
        ImportRun,
        "save",
        lambda self, *a, **k: (saves.append(self.bundles), real_save(self, *a, **k)),
    )
    result = run(centre, *(bundle(pat(mrn=f"MRN{i}")) for i in range(4)))
    assert saves == [0, 1, 4]  # created before the first bundle, saved after it, then at the end
    assert ImportRun.objects.get().report == json.loads(json.dumps(result.report))
