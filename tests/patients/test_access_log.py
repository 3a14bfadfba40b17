"""The access log (issue 12, finding 2): every view of a patient's data and every refusal."""

import csv
import io
import json
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from patients.audit.log import CARE, EHR_REQUEST, QUALITY, REVIEW
from patients.audit.middleware import UNRECORDED
from patients.audit.models import AccessEvent, AppendOnlyError
from patients.permissions import AUDITOR

from ..clock import FROZEN_NOW
from ..factories import PatientFactory, UserFactory
from ..factories_candidacy import ReviewFactory, ScreeningFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(centre):
    return ScreeningFactory(patient=PatientFactory(centre=centre, mrn="MRN-7")).patient


@pytest.fixture
def auditor(centre):
    user = UserFactory(username="audrey")
    user.groups.add(Group.objects.get(name=AUDITOR))
    return user


def only_event(**filters) -> AccessEvent:
    [event] = AccessEvent.objects.filter(**filters)
    return event


@pytest.mark.parametrize(
    "url_name, what, reason",
    [
        ("patients:detail", "Patient page", CARE),
        ("screening:patient_print", "Print summary", CARE),
        ("worklist:why", "Why this rank: the screening's explanation", CARE),
        ("interop:fhir_screening", "FHIR RiskAssessment", EHR_REQUEST),
    ],
)
def test_each_view_of_a_patient_writes_who_when_where_what_and_why(
    client_for, clinician, patient, url_name, what, reason
):
    response = client_for(clinician).get(
        reverse(url_name, args=[patient.public_id]), REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    event = only_event()
    assert (event.user, event.actor, event.address, event.patient) == (
        clinician,
        "clin",
        "10.1.2.3",
        patient,
    )
    assert (event.action, event.what, event.reason, event.status) == ("view", what, reason, 200)
    assert abs((event.at - FROZEN_NOW).total_seconds()) < 60


def test_another_centres_patient_is_a_404_recorded_with_whom_it_protected(
    client_for, other_clinician, patient
):
    response = client_for(other_clinician).get(reverse("patients:detail", args=[patient.public_id]))
    assert response.status_code == 404
    event = only_event()
    assert (event.user, event.patient, event.action, event.status) == (
        other_clinician,
        patient,
        "denied",
        404,
    )
    assert event.patient_ref == str(patient.public_id)


def test_a_role_without_the_permission_is_a_403_recorded(client_for, coordinator, patient):
    response = client_for(coordinator).get(reverse("patients:update", args=[patient.public_id]))
    assert response.status_code == 403
    assert (only_event().action, only_event().status, only_event().patient) == (
        "denied",
        403,
        patient,
    )


def test_the_worklist_logs_one_row_with_its_filters_and_no_patient(client_for, clinician, patient):
    client_for(clinician).get(reverse("worklist:list"), {"q": "Patient"})
    event = only_event()
    assert (event.action, event.what, event.patient, event.detail) == (
        "list",
        "Worklist",
        None,
        "q=Patient",
    )


def test_the_worklist_csv_export_is_logged_before_it_streams(client_for, clinician, patient):
    response = client_for(clinician).get(reverse("worklist:export"), {"q": "x"})
    assert only_event().action == "export" and only_event().detail == "q=x"
    b"".join(response.streaming_content)


def test_the_concordance_report_is_logged_with_its_purpose(client_for, coordinator):
    assert client_for(coordinator).get(reverse("reviews:concordance:report")).status_code == 200
    assert (only_event().reason, only_event().action) == (QUALITY, "list")


def test_the_review_page_is_logged_as_a_review(client_for, coordinator, patient):
    ReviewFactory(flag_screening=patient.screenings.get())
    client_for(coordinator).get(reverse("reviews:detail", args=[patient.public_id]))
    assert (only_event().reason, only_event().patient) == (REVIEW, patient)


def test_a_preview_patient_page_refused_is_recorded(client_for, criteria_admin, patient):
    url = reverse("rules:preview_patient", args=[999999, patient.public_id])
    assert client_for(criteria_admin).get(url).status_code == 404
    assert (only_event().action, only_event().patient) == ("denied", patient)


def test_pages_without_patient_data_write_nothing(client_for, clinician, patient):
    client_for(clinician).get(reverse("worklist:dashboard"))
    client_for(clinician).get(reverse("rules:active"))
    assert not AccessEvent.objects.exists()


def test_every_url_naming_a_patient_says_what_it_shows():
    # A new patient page without @access_logged would be logged as "A page about this patient".
    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), entry.callback

    unlisted = [
        route
        for route, view in walk(get_resolver().url_patterns)
        if "public_id" in route and not hasattr(view, "access_log")
    ]
    assert unlisted == []


def test_if_the_row_cannot_be_written_the_page_is_not_shown(client_for, clinician, patient):
    with mock.patch.object(AccessEvent.objects, "create", side_effect=DatabaseError("disk full")):
        response = client_for(clinician).get(reverse("patients:detail", args=[patient.public_id]))
    assert response.status_code == 503
    assert UNRECORDED in response.content.decode()
    assert patient.family_name not in response.content.decode()


def test_the_log_is_append_only_in_the_app(client_for, clinician, patient):
    client_for(clinician).get(reverse("patients:detail", args=[patient.public_id]))
    event = only_event()
    event.what = "nothing"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.filter(pk=event.pk).update(what="nothing")
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()


def test_clinicians_see_who_viewed_their_patient(client_for, clinician, other_clinician, patient):
    client_for(other_clinician).get(reverse("patients:detail", args=[patient.public_id]))
    client_for(clinician).get(reverse("screening:patient_print", args=[patient.public_id]))
    page = client_for(clinician).get(reverse("patients:detail", args=[patient.public_id]))
    viewers = page.content.decode().split('id="record-viewers"')[1]
    assert "Print summary" in viewers and "clin" in viewers
    assert "farclin" in viewers and "Refused (404)" in viewers


def test_the_patient_page_adds_one_insert_and_nothing_else(
    client_for, clinician, patient, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(clinician)
    url = reverse("patients:detail", args=[patient.public_id])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    writes = [q["sql"] for q in queries.captured_queries if "audit_accessevent" in q["sql"]]
    assert len(writes) == 2  # the one INSERT, and the page's list of earlier viewers
    assert sum(sql.startswith("INSERT") for sql in writes) == 1


# --- The auditor --------------------------------------------------------------------------------


def test_an_auditor_filters_by_patient_user_and_dates(client_for, auditor, clinician, patient):
    client_for(clinician).get(reverse("patients:detail", args=[patient.public_id]))
    client_for(clinician).get(reverse("worklist:list"))
    client = client_for(auditor)
    day = FROZEN_NOW.date().isoformat()
    page = client.get(reverse("audit:log"), {"patient": "MRN-7", "user": "clin", "start": day})
    assert page.status_code == 200
    rows = page.content.decode().split('id="access-log"')[1]
    assert "Patient page" in rows and "Worklist" not in rows
    assert client.get(reverse("audit:log"), {"start": "2030-01-01"}).context["events"] == []


def test_an_auditor_exports_the_log_as_csv(client_for, auditor, clinician, patient):
    client_for(clinician).get(reverse("patients:detail", args=[patient.public_id]))
    response = client_for(auditor).get(reverse("audit:export"), {"patient": "MRN-7"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("Time,User,Address,Patient MRN")
    assert len(lines) == 2 and "MRN-7" in lines[1] and "Patient page" in lines[1]
    assert response["Cache-Control"] == "no-store"


def test_the_access_log_csv_neutralises_what_a_spreadsheet_would_run(
    client_for, auditor, clinician, centre
):
    patient = PatientFactory(centre=centre, mrn="﹦HYPERLINK(1)")
    client_for(clinician).get(reverse("patients:detail", args=[patient.public_id]))
    response = client_for(auditor).get(reverse("audit:export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    mrns = [row[rows[0].index("Patient MRN")] for row in rows[1:]]
    assert "'﹦HYPERLINK(1)" in mrns and "﹦HYPERLINK(1)" not in mrns


def test_reading_the_log_is_logged_and_only_auditors_may(client_for, auditor, clinician):
    client_for(auditor).get(reverse("audit:log"))
    assert only_event().what == "Access log"
    assert client_for(clinician).get(reverse("audit:log")).status_code == 403


def test_an_auditor_lands_on_the_access_log(client_for, auditor):
    response = client_for(auditor).get("/")
    assert response.status_code == 302 and response["Location"] == reverse("audit:log")


def test_reversed_dates_are_a_400_naming_the_fault(client_for, auditor):
    response = client_for(auditor).get(
        reverse("audit:log"), {"start": "2026-03-02", "end": "2026-03-01"}
    )
    assert response.status_code == 400 and "after the last" in response.content.decode()


def test_cds_calls_are_logged_under_the_ehr(ehr_call):
    response, event = ehr_call
    assert response.status_code == 200
    assert event.actor.startswith("CDS client") and event.patient_ref == "ehr-patient-1"


@pytest.fixture
def ehr_call(centre, settings):
    from cryptography.hazmat.primitives.asymmetric import ec

    from candidacy.interop.models import CdsClient

    from ..candidacy.test_cds_hooks import AUDIENCE, BASE_URL, call, public_jwk, token

    settings.CANDIDACY_BASE_URL = BASE_URL
    key = ec.generate_private_key(ec.SECP384R1())
    client = CdsClient.objects.create(
        name="North EHR",
        issuer="https://ehr.north.example.org",
        public_key=json.dumps(public_jwk(key)),
    )
    client.centres.add(centre)
    assert AUDIENCE
    response = call(token(key))
    return response, only_event()
