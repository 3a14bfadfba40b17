"""GET /fhir/Patient/<uuid>/$screening: the current screening as an R4B RiskAssessment, in scope."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.riskassessment import RiskAssessment

from candidacy.interop import fhir
from candidacy.screening.models import Screening
from rules.result import DECISION_SUPPORT
from rules.specs import INCOMPLETE, STRONG

from .conftest import SSC_FIRST_LINE_FAILED

pytestmark = pytest.mark.django_db


def url(patient) -> str:
    return reverse("interop:fhir_screening", args=[patient.public_id])


def fetch(client, patient):
    return client.get(url(patient), HTTP_ACCEPT=fhir.FHIR_JSON)


def test_the_path_is_the_fhir_operation_path(strong_ms_patient):
    assert url(strong_ms_patient) == f"/fhir/Patient/{strong_ms_patient.public_id}/$screening"


def test_it_returns_a_valid_r4b_risk_assessment_with_band_and_score(
    client_for, clinician, strong_ms_patient
):
    response = fetch(client_for(clinician), strong_ms_patient)
    assert response.status_code == 200
    assert response["Content-Type"] == fhir.FHIR_JSON
    assessment = RiskAssessment.model_validate_json(response.content)  # validates as R4B
    screening = Screening.objects.of_patient(strong_ms_patient.pk)
    assert assessment.status == "final"
    prediction = assessment.prediction[0]
    assert prediction.outcome.text == STRONG == screening.band
    assert prediction.qualitativeRisk.text == STRONG
    assert prediction.probabilityDecimal == Decimal(screening.score) / 100
    assert "not a calibrated probability" in prediction.rationale
    assert assessment.extension[0].valueInteger == screening.score
    assert str(assessment.occurrenceDateTime) == screening.as_of.isoformat()
    assert assessment.identifier[0].value == str(screening.pk)


def test_the_method_names_the_rule_set_and_its_version(client_for, clinician, strong_ms_patient):
    data = json.loads(fetch(client_for(clinician), strong_ms_patient).content)
    screening = Screening.objects.of_patient(strong_ms_patient.pk)
    assert (
        data["method"]["text"]
        == f"EBMT-aligned autoimmune HSCT screen v2, version {screening.ruleset_version}"
    )
    assert data["method"]["coding"][0]["code"] == screening.ruleset_version


def test_the_subject_is_the_public_uuid_when_the_patient_was_not_imported(
    client_for, clinician, strong_ms_patient
):
    data = json.loads(fetch(client_for(clinician), strong_ms_patient).content)
    subject = {
        "type": "Patient",
        "identifier": {
            "system": "urn:ietf:rfc:3986",
            "value": f"urn:uuid:{strong_ms_patient.public_id}",
        },
    }
    assert data["subject"] == subject
    assert data["basis"][0] == subject


def test_the_subject_is_the_ehr_patient_id_when_imported(client_for, clinician, make_patient):
    patient = make_patient(
        "ms_rr", fhir_id="ehr-patient-42", values={"relapses_12m": 2, "edss": 3.5}
    )
    data = json.loads(fetch(client_for(clinician), patient).content)
    assert data["subject"]["identifier"] == {
        "system": fhir.source_patient_id_system(),
        "value": "ehr-patient-42",
    }


def test_the_notes_explain_each_criterion_with_its_citation(
    client_for, clinician, strong_ms_patient
):
    data = json.loads(fetch(client_for(clinician), strong_ms_patient).content)
    notes = [n["text"] for n in data["note"]]
    assert any(n.startswith("A high-efficacy DMT has failed") and "— met;" in n for n in notes)
    assert any("Muraro PA et al. ECTRIMS/EBMT 2025" in n and n.endswith("]") for n in notes)
    assert notes[-1] == DECISION_SUPPORT
    # Inputs are named by display only: we keep no ids of the resources they came from.
    inputs = data["basis"][1:]
    assert inputs and all(set(ref) == {"display"} for ref in inputs)


def test_an_incomplete_screening_carries_its_band_reason(client_for, clinician, make_patient):
    patient = make_patient(
        "ssc", age=45, values={"mrss": 24, "ssc_lung": 1}, treatments=SSC_FIRST_LINE_FAILED
    )
    patient.assessments.get().values.filter(item="lvef").delete()
    from candidacy.screening.services import screening_record

    screening_record(patient=patient)
    data = json.loads(fetch(client_for(clinician), patient).content)
    assert data["prediction"][0]["outcome"]["text"] == INCOMPLETE
    assert any(n["text"].startswith("Band reason: required data missing") for n in data["note"])


def test_a_gated_screening_carries_no_score_and_no_probability(client_for, clinician, make_patient):
    # EBMT 2012: type 1 diabetes, autologous D -> Trial only, which shows no score.
    patient = make_patient("t1d", age=22)
    data = json.loads(fetch(client_for(clinician), patient).content)
    [prediction] = data["prediction"]
    assert prediction["outcome"]["text"] == "Trial only"
    assert "probabilityDecimal" not in prediction and "rationale" not in prediction
    assert "extension" not in data


@pytest.mark.parametrize("role", ["other_clinician", "superuser_of_other_centre"])
def test_it_hides_patients_of_other_centres(request, client_for, role, strong_ms_patient):
    response = fetch(client_for(request.getfixturevalue(role)), strong_ms_patient)
    assert response.status_code == 404
    outcome = OperationOutcome.model_validate_json(response.content)
    assert outcome.issue[0].diagnostics == fhir.NOT_FOUND
    assert STRONG.encode() not in response.content


def test_a_patient_without_a_current_screening_is_a_404_operation_outcome(
    client_for, clinician, make_patient
):
    patient = make_patient("ms_rr", screen=False)
    response = fetch(client_for(clinician), patient)
    assert response.status_code == 404
    assert response["Content-Type"] == fhir.FHIR_JSON
    assert (
        OperationOutcome.model_validate_json(response.content).issue[0].diagnostics
        == fhir.NO_SCREENING
    )


def test_anonymous_callers_are_sent_to_sign_in(client, strong_ms_patient):
    response = fetch(client, strong_ms_patient)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
