"""Importing hand-made FHIR bundles (tests/fixtures/fhir): each mapping and each kind of failure."""

import datetime
from pathlib import Path

import pytest

from candidacy.screening.models import Screening
from patients.fhir.importer import IMPORT_NOTE, Source, import_run
from patients.models import Assessment, AssessmentValue, ImportRun, Patient, PriorTreatment

from ..factories import AssessmentFactory, PriorTreatmentFactory, therapy

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fhir"


def source(name: str) -> Source:
    return Source(name=name, data=(FIXTURES / name).read_bytes())


@pytest.fixture
def run_import(centre, django_capture_on_commit_callbacks):
    def run(*names, by=None) -> ImportRun:
        with django_capture_on_commit_callbacks(execute=True):
            return import_run(
                sources=[source(n) for n in names], centre=centre, source="command", by=by
            )

    return run


def record_snapshot():
    return (
        Patient.objects.count(),
        Assessment.objects.count(),
        AssessmentValue.objects.count(),
        PriorTreatment.objects.count(),
    )


@pytest.mark.django_db
def test_an_ms_bundle_maps_identity_diagnosis_comorbidities_values_and_treatments(
    run_import, centre
):
    run = run_import("ms_patient.json")
    report = run.report[0]
    assert report["status"] == "imported", report
    patient = Patient.objects.get(
        centre=centre, mrn="MS-0001"
    )  # the MR identifier, not the first one
    assert (patient.given_name, patient.family_name, patient.sex) == (
        "Rowan Alex",
        "Ashdown",
        "female",
    )
    assert patient.fhir_id == "pat-ms-1"
    # The subtype wins over unspecified MS; the onset is the earliest MS condition.
    assert patient.disease.key == "ms_rr"
    assert patient.diagnosis_date == datetime.date(2015, 3, 1)
    assert any("ms_rr chosen over ms" in note for note in report["notes"])
    assert patient.arrhythmia is True
    assert patient.rheumatologic is None  # the RA condition is resolved
    assert patient.psychiatric is None  # the depression is refuted

    values = {
        (v.assessment.taken_on.isoformat(), v.item): v.value
        for v in AssessmentValue.objects.filter(assessment__patient=patient).select_related(
            "assessment"
        )
    }
    assert values == {
        ("2024-03-01", "haemoglobin"): 12.5,  # g/L to g/dL, the later of two that day
        ("2024-03-01", "creatinine"): 1.0,  # µmol/L to mg/dL
        ("2024-03-01", "platelets"): 250,
        ("2024-03-01", "creatinine_clearance"): 95,  # eGFR, no measured clearance
        ("2024-02-15", "edss"): 3.5,
        ("2024-02-15", "relapses_12m"): 2,
    }
    assert set(patient.assessments.values_list("note", flat=True)) == {IMPORT_NOTE}

    lines = {t.therapy.key: t for t in patient.treatments.select_related("therapy")}
    assert set(lines) == {"natalizumab", "ocrelizumab", "interferon_beta", "plasma_exchange"}
    assert (lines["natalizumab"].end_date, lines["natalizumab"].outcome) == (
        datetime.date(2021, 6, 30),
        "inadequate_response",
    )
    assert lines["natalizumab"].stop_reason.startswith("Lack of efficacy")
    assert (lines["ocrelizumab"].outcome, lines["ocrelizumab"].end_date) == (
        "ongoing",
        None,
    )  # by name, U+200B
    # Two consecutive interferon orders are one line; the last gives the outcome.
    assert (lines["interferon_beta"].start_date, lines["interferon_beta"].end_date) == (
        datetime.date(2016, 6, 1),
        datetime.date(2017, 5, 1),
    )
    assert lines["interferon_beta"].outcome == "intolerance"

    assert report["mapped"] == {
        "Condition": 3,
        "MedicationRequest": 3,
        "MedicationStatement": 1,
        "Observation": 7,
        "Patient": 1,
        "Procedure": 1,
    }
    assert report["other"] == {"Claim": 1, "Encounter": 1}
    reasons = {s["id"]: s["reason"] for s in report["skipped"]}
    assert reasons["obs-error"] == "status entered-in-error"
    assert reasons["obs-bp"].startswith("panel with components not mapped")
    assert reasons["cond-ra-resolved"].startswith("clinicalStatus resolved")
    assert reasons["med-paracetamol"].startswith("medication not mapped")
    assert Screening.objects.filter(patient=patient, is_current=True).exists()
    assert (run.patients_created, run.bundles_failed) == (1, 0)


@pytest.mark.django_db
def test_unusable_values_skip_only_their_resource(run_import, centre):
    report = run_import("unusable_values.json").report[0]
    assert report["status"] == "imported"
    reasons = {s["id"]: s["reason"] for s in report["skipped"]}
    assert reasons["obs-bad-unit"] == "haemoglobin: unknown unit 'mmol/L'"
    assert reasons["obs-unknown-code"] == "code not mapped: http://loinc.org|2093-3"
    assert reasons["obs-out-of-range"].startswith("haemoglobin 40: Haemoglobin must be at most 25")
    assert reasons["med-unknown"].startswith("medication not mapped")
    patient = Patient.objects.get(centre=centre, mrn="UV-0001")
    assert [
        (v.item, v.value) for v in AssessmentValue.objects.filter(assessment__patient=patient)
    ] == [("haemoglobin", 13.1)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, error",
    [
        ("not_json.json", "Not JSON"),
        ("not_a_bundle.json", "Not a FHIR Bundle (resourceType is 'Patient')."),
        ("no_patient.json", "The bundle has no Patient resource."),
        ("invalid_resource.json", "Observation obs-broken (entry 2): valueQuantity.value:"),
    ],
)
def test_a_bundle_that_cannot_be_read_changes_nothing_and_says_why(run_import, name, error):
    before = record_snapshot()
    run = run_import(name)
    assert record_snapshot() == before
    assert run.report[0]["status"] == "failed"
    assert run.report[0]["error"].startswith(error), run.report[0]["error"]
    assert run.bundles_failed == 1


@pytest.mark.django_db
def test_a_good_bundle_imports_when_another_of_the_run_fails(run_import, centre):
    run = run_import("invalid_resource.json", "unusable_values.json", "not_json.json")
    assert [r["status"] for r in run.report] == ["failed", "imported", "failed"]
    assert list(Patient.objects.filter(centre=centre).values_list("mrn", flat=True)) == ["UV-0001"]
    assert (run.bundles, run.bundles_failed, run.patients_created) == (3, 2, 1)


@pytest.mark.django_db
def test_importing_again_updates_and_never_duplicates_nor_touches_what_clinicians_entered(
    run_import, centre, clinician
):
    run_import("ms_patient.json")
    patient = Patient.objects.get(centre=centre, mrn="MS-0001")
    by_hand = AssessmentFactory(
        patient=patient, taken_on=datetime.date(2024, 3, 1), values={"karnofsky": 90}
    )
    own_line = PriorTreatmentFactory(patient=patient, therapy=therapy("glatiramer"))
    snapshot = record_snapshot()

    run = run_import("ms_patient.json")
    assert (run.patients_created, run.patients_updated) == (0, 1)
    assert record_snapshot() == snapshot
    assert Assessment.objects.filter(pk=by_hand.pk).exists()
    assert PriorTreatment.objects.filter(pk=own_line.pk).exists()
    assert patient.assessments.filter(note=IMPORT_NOTE).count() == 2


@pytest.mark.django_db
def test_children_and_deceased_patients_are_imported_and_marked(run_import, centre):
    run = run_import("child.json", "deceased.json")
    assert [r["status"] for r in run.report] == ["imported", "imported"]
    child = Patient.objects.get(centre=centre, mrn="CH-0001")
    assert child.age < 18 and child.disease.key == "sle"
    assert Screening.objects.filter(patient=child, is_current=True).exists()
    dead = Patient.objects.get(centre=centre, mrn="DC-0001")
    assert dead.is_deceased and dead.death_date == datetime.date(2022, 12, 1)
    assert not Screening.objects.filter(
        patient=dead, is_current=True
    ).exists()  # never screened or flagged
    assert run.report[1]["patients"][0]["deceased"] is True


@pytest.mark.django_db
def test_the_command_prints_the_report_and_the_rate(centre, capsys):
    from django.core.management import call_command

    call_command(
        "import_fhir",
        str(FIXTURES / "ms_patient.json"),
        str(FIXTURES / "not_json.json"),
        "--centre",
        centre.code,
        "--jobs",
        "1",
    )
    out = capsys.readouterr().out
    assert "OK " in out and "FAILED " in out and "Not JSON" in out
    assert out.strip().splitlines()[-1].endswith("bundles per second")
    assert ImportRun.objects.get().source == "command"


@pytest.mark.django_db
def test_bundles_read_in_worker_processes_are_written_in_order(centre):
    run = import_run(
        sources=[source("unusable_values.json"), source("not_json.json"), source("child.json")],
        centre=centre,
        source="command",
        jobs=2,
    )
    assert [(r["name"], r["status"]) for r in run.report] == [
        ("unusable_values.json", "imported"),
        ("not_json.json", "failed"),
        ("child.json", "imported"),
    ]
    assert Patient.objects.filter(centre=centre).count() == 2
