"""FHIR: no NUL, oversized or malformed value gives a 500, and every failed import has a report."""

import json
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patients.fhir.bundle import NUL_IN_FILE, BundleError, read_bundle
from patients.models import ImportRun, Patient

from ..factories import PatientFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fhir"
MS_PATIENT = json.loads((FIXTURES / "ms_patient.json").read_text())


def with_patient(**changes) -> bytes:
    data = json.loads(json.dumps(MS_PATIENT))
    for entry in data["entry"]:
        if entry["resource"]["resourceType"] == "Patient":
            entry["resource"].update(changes)
    return json.dumps(data).encode()


def upload(client, centre, data: bytes, name="bundle.json"):
    files = [SimpleUploadedFile(name, data, content_type="application/json")]
    return client.post(reverse("patients:import"), {"centre": centre.pk, "files": files})


def test_a_nul_in_the_patient_id_fails_that_file_with_a_report(client_for, clinician, centre):
    # Before: the validator's message quoted the id, PostgreSQL refused the NUL in the report's
    # JSON, the upload gave a 500 and left an ImportRun with an empty report.
    client = client_for(clinician)
    client.raise_request_exception = False
    response = upload(client, centre, with_patient(id="abc\x00def"))
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert [(r["status"], r["error"]) for r in run.report] == [("failed", NUL_IN_FILE)]
    assert (run.bundles, run.bundles_failed) == (1, 1) and not Patient.objects.exists()


def test_a_nul_anywhere_in_a_bundle_is_refused_but_an_escaped_backslash_is_not():
    with pytest.raises(BundleError, match="NUL"):
        read_bundle(with_patient(gender="male\x00"))
    # A backslash followed by "u0000" is text, not a NUL: it reads.
    assert read_bundle(with_patient(name=[{"family": "x\\u0000", "given": ["Ada"]}]))


def test_a_report_is_stored_even_when_its_text_holds_a_nul(centre):
    from patients.fhir.importer import Source, import_run

    run = import_run(
        sources=[Source(name="a\x00b.json", data=b"not json")], centre=centre, source="command"
    )
    run.refresh_from_db()
    assert run.report[0]["name"] == "a\ufffdb.json" and run.report[0]["status"] == "failed"


FHIR_TEXT = st.text(st.characters(codec="utf-8"), max_size=80)


def a_file_name_a_browser_can_send(name: str) -> bool:
    # Django drops a part whose name has no last path component ("/", "..") before any view
    # sees it, so such a name cannot reach the importer.
    return os.path.basename(name) not in {"", ".", ".."}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    patient_id=FHIR_TEXT,
    family=FHIR_TEXT,
    gender=FHIR_TEXT,
    birth_date=FHIR_TEXT,
    mrn=FHIR_TEXT,
)
def test_any_patient_values_give_a_report_never_a_500(
    client_for, clinician, centre, patient_id, family, gender, birth_date, mrn
):
    client = client_for(clinician)
    client.raise_request_exception = False
    data = with_patient(
        id=patient_id,
        name=[{"family": family, "given": ["Ada"]}],
        gender=gender,
        birthDate=birth_date,
        identifier=[{"system": "urn:mrn", "value": mrn}],
    )
    before = ImportRun.objects.count()
    response = upload(client, centre, data)
    assert response.status_code == 302
    run = ImportRun.objects.order_by("-pk").first()
    assert ImportRun.objects.count() == before + 1 and len(run.report) == 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=400), name=FHIR_TEXT.filter(a_file_name_a_browser_can_send))
def test_any_file_gives_a_report_never_a_500(client_for, clinician, centre, body, name):
    client = client_for(clinician)
    client.raise_request_exception = False
    response = upload(client, centre, body, name=name)
    assert response.status_code in (200, 302, 400)  # the form may refuse a name; never a 500
    if response.status_code == 302:
        assert ImportRun.objects.order_by("-pk").first().report


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=st.dictionaries(FHIR_TEXT, FHIR_TEXT, max_size=3), accept=FHIR_TEXT)
def test_the_risk_assessment_read_answers_any_query(client_for, clinician, centre, params, accept):
    patient = PatientFactory(centre=centre)
    client = client_for(clinician)
    client.raise_request_exception = False
    url = reverse("interop:fhir_screening", args=[patient.public_id])
    response = client.get(url, params, HTTP_ACCEPT=accept.replace("\n", " "))
    assert response.status_code in (400, 404)  # no screening yet; a NUL is a 400


def test_an_anonymous_fhir_read_is_sent_to_sign_in():
    response = Client().get("/fhir/Patient/00000000-0000-0000-0000-000000000000/$screening")
    assert response.status_code == 302
