"""Importing clinical model v2's inputs (docs/fhir-mapping.md): relapse onsets, the new items,
malignancy as a coded answer, the EHR's HCT-CI answers and the NMOSD targeted therapies; and
importing them again never undoes what a clinician recorded."""

import datetime
import json
from pathlib import Path

import pytest

from patients import services
from patients.fhir.importer import Source, import_run
from patients.models import AssessmentValue, Patient, Relapse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fhir"
OWN = "urn:candidacy:assessment"

pytestmark = pytest.mark.django_db


def run(centre, *bundles, by=None):
    sources = [
        Source(b, (FIXTURES / b).read_bytes()) if isinstance(b, str) else Source(f"b{i}.json", b)
        for i, b in enumerate(bundles)
    ]
    return import_run(sources=sources, centre=centre, source="command", by=by)


def values_of(patient) -> dict[str, float]:
    return dict(
        AssessmentValue.objects.filter(assessment__patient=patient).values_list("item", "value")
    )


def skipped(report) -> dict[str, str]:
    return {row["id"]: row["reason"] for row in report["skipped"]}


# --- small bundles, built by hand -----------------------------------------------------------------


def bundle(*resources) -> bytes:
    entries = [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()


PATIENT = {
    "resourceType": "Patient",
    "id": "p1",
    "identifier": [{"value": "H-1"}],
    "birthDate": "1984-05-05",
    "gender": "female",
    "name": [{"family": "Okafor", "given": ["Ngozi"]}],
}
MS = {
    "resourceType": "Condition",
    "id": "ms",
    "subject": {"reference": "urn:uuid:p1"},
    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "426373005"}]},
    "onsetDateTime": "2014-01-01",
}


def own(oid, code, day="2025-06-01", **value):
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "subject": {"reference": "urn:uuid:p1"},
        "code": {"coding": [{"system": OWN, "code": code}]},
        "effectiveDateTime": day,
        **value,
    }


def relapse(day):
    return own(f"r-{day}", "ms-relapse", day)


def answer(item, value, day="2025-06-01"):
    return own(f"a-{item}-{day}", f"hct-ci-{item}", day, valueBoolean=value)


# --- the fixtures -----------------------------------------------------------------------------------


def test_an_ms_bundle_brings_relapse_onsets_the_new_ms_items_and_malignancy(centre):
    report = run(centre, "ms_v2_inputs.json").report[0]
    assert report["status"] == "imported", report
    patient = Patient.objects.get(centre=centre, mrn="V2-0001")
    # Two onsets: the same day twice is one relapse.
    assert list(patient.relapses.values_list("onset", flat=True)) == [
        datetime.date(2023, 11, 2),
        datetime.date(2025, 9, 15),
    ]
    assert values_of(patient) == {
        "edss": 4.0,
        "edss_relapse_related": 1.0,
        "new_t2_lesions_12m": 3.0,
        "gd_lesions_12m": 1.0,
        "ms_rapidly_evolving": 0.0,
        "malignancy": 1.0,  # past
    }
    reasons = skipped(report)
    assert reasons["rel-before-diagnosis"] == (
        "MS relapse: onset 2015-01-10 before the date of onset or diagnosis (2016-05-01)"
    )
    assert reasons["rel-no-onset"] == "MS relapse: no effectiveDateTime (its onset)"
    assert reasons["rel-error"] == "status entered-in-error"
    assert reasons["obs-malignancy-bad"].startswith(
        "malignancy: answer not understood (probably not; expected none, past, active)"
    )


def test_the_ehrs_hct_ci_answers_fill_their_items_and_the_rest_stay_unknown(centre):
    report = run(centre, "ms_v2_inputs.json").report[0]
    patient = Patient.objects.get(centre=centre, mrn="V2-0001")
    assert patient.psychiatric is True
    assert patient.dyspnoea_at_rest_or_oxygen is False  # undated: an answer all the same
    assert patient.prior_solid_tumour is True  # the latest answer wins
    assert patient.cardiac is None  # its answer was not a valueBoolean
    assert patient.cirrhosis is None  # not answered: unknown, not no
    # An active atrial fibrillation and an answer of no: recorded as yes, and noted.
    assert patient.arrhythmia is True
    assert any("answered no, but an active condition says yes" in n for n in report["notes"])
    assert skipped(report)["hct-cardiac"] == "HCT-CI cardiac: valueBoolean expected"


def test_an_aplastic_anaemia_bundle_brings_camittas_residual_fraction_and_the_work_up(centre):
    report = run(centre, "aa_workup.json").report[0]
    patient = Patient.objects.get(centre=centre, mrn="V2-0002")
    assert values_of(patient) == {
        "marrow_cellularity": 35.0,
        "marrow_residual_haematopoietic_pct": 20.0,
        "pnh_clone_pct": 4.5,
        "abnormal_cytogenetics": 0.0,
        "inherited_marrow_failure": 0.0,
        "malignancy": 0.0,  # valueString "None"
    }
    assert skipped(report)["obs-residual-unit"] == "residual haematopoiesis: unknown unit 'mg'"


def test_an_nmosd_bundle_brings_the_targeted_therapies_by_name_and_the_activity_answer(centre):
    report = run(centre, "nmosd_targeted.json").report[0]
    patient = Patient.objects.get(centre=centre, mrn="V2-0003")
    lines = {t.therapy.key: t for t in patient.treatments.select_related("therapy")}
    assert set(lines) == {"eculizumab", "satralizumab"}
    assert lines["eculizumab"].outcome == "inadequate_response"
    assert lines["satralizumab"].outcome == "ongoing"
    assert values_of(patient) == {"active_despite_standard_therapy": 1.0, "malignancy": 2.0}
    assert not report["skipped"]


# --- importing again --------------------------------------------------------------------------------


def test_relapses_the_bundle_drops_go_and_a_clinicians_stay(centre):
    run(centre, bundle(PATIENT, MS, relapse("2024-01-05"), relapse("2024-08-20")))
    patient = Patient.objects.get()
    own_relapse = Relapse.objects.create(patient=patient, onset=datetime.date(2025, 2, 2))

    run(centre, bundle(PATIENT, MS, relapse("2024-08-20"), relapse("2025-02-02")))

    assert list(patient.relapses.values_list("onset", flat=True)) == [
        datetime.date(2024, 8, 20),
        datetime.date(2025, 2, 2),
    ]
    assert Relapse.objects.filter(pk=own_relapse.pk).exists()  # not duplicated, not replaced


def test_a_relapse_a_clinician_deleted_or_moved_is_not_imported_again(centre):
    run(centre, bundle(PATIENT, MS, relapse("2024-01-05"), relapse("2024-08-20")))
    first, second = Relapse.objects.order_by("onset")
    first.delete()  # a clinician removes it (no change reason of the importer's)
    second.onset = datetime.date(2024, 8, 22)  # and corrects the other
    second.save()

    run(centre, bundle(PATIENT, MS, relapse("2024-01-05"), relapse("2024-08-20")))

    assert list(Relapse.objects.values_list("onset", flat=True)) == [datetime.date(2024, 8, 22)]


def test_importing_the_same_relapses_again_changes_nothing(centre):
    data = bundle(PATIENT, MS, relapse("2024-01-05"))
    run(centre, data)
    before = list(Relapse.history.values_list("history_id", flat=True))
    run(centre, data)
    assert list(Relapse.history.values_list("history_id", flat=True)) == before


def test_a_relapse_before_the_clinicians_diagnosis_date_is_noted_not_imported(centre, clinician):
    run(centre, bundle(PATIENT, MS))
    patient = Patient.objects.get()
    patient.diagnosis_date = datetime.date(2020, 1, 1)
    services.patient_save(patient=patient)  # the clinician's diagnosis now stands

    report = run(centre, bundle(PATIENT, MS, relapse("2018-03-03"))).report[0]

    assert not patient.relapses.exists()
    assert any("relapse of 2018-03-03 not imported" in note for note in report["notes"])


def test_an_hct_ci_answer_updates_the_importers_own_and_never_a_clinicians(centre):
    run(centre, bundle(PATIENT, answer("cardiac", True), answer("peptic-ulcer", True)))
    patient = Patient.objects.get()
    patient.peptic_ulcer = False  # the clinician knows better
    services.patient_save(patient=patient)

    report = run(
        centre, bundle(PATIENT, answer("cardiac", False), answer("peptic-ulcer", True))
    ).report[0]

    patient.refresh_from_db()
    assert patient.cardiac is False  # the EHR's newer answer replaces the importer's yes
    assert patient.peptic_ulcer is False  # a clinician's no stays
    assert any(
        "peptic ulcer needing treatment kept as no; the bundle answers yes" in n
        for n in report["notes"]
    )


def test_a_bundle_without_an_answer_leaves_the_item_as_it_was(centre):
    run(centre, bundle(PATIENT, answer("cirrhosis", False)))
    run(centre, bundle(PATIENT))
    assert Patient.objects.get().cirrhosis is False


@pytest.mark.parametrize(
    "value, expected",
    [
        ({"valueString": " Active "}, 2.0),
        ({"valueCodeableConcept": {"coding": [{"system": OWN, "code": "none"}]}}, 0.0),
        ({"valueCodeableConcept": {"text": "past"}}, None),  # text of a concept is not a code
        ({"valueCodeableConcept": {"coding": [{"system": "x", "code": "past"}]}}, None),
        ({"valueBoolean": True}, None),
    ],
)
def test_malignancy_is_read_only_as_one_of_its_three_answers(centre, value, expected):
    report = run(centre, bundle(PATIENT, own("m", "malignancy", **value))).report[0]
    assert values_of(Patient.objects.get()).get("malignancy") == expected
    assert ("m" in skipped(report)) is (expected is None)


def test_crohns_surgery_not_an_option_is_a_yes_or_no(centre):
    report = run(
        centre,
        bundle(
            PATIENT,
            own("s1", "surgery-not-an-option", valueBoolean=True),
            own("s2", "surgery-not-an-option", "2025-05-01", valueQuantity={"value": 1}),
        ),
    ).report[0]
    assert values_of(Patient.objects.get()) == {"surgery_not_an_option": 1.0}
    assert skipped(report)["s2"] == "surgery not an option: valueBoolean expected"
