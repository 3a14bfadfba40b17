"""The letter for the referring doctor: plain words, the checklist, what is missing, the
options still open; no score. Emailed as a link only, and over FHIR as a Communication."""

import base64
import json

import pytest
from django.core import mail
from django.urls import reverse

from candidacy.referrals import services
from candidacy.referrals.models import Referral
from candidacy.screening.services import screening_record

from ...clock import TODAY

Status = Referral.Status


@pytest.fixture
def screened_referral(make_patient, hospital, centre, referring_clinician, coordinator):
    """A patient of the referring hospital with a real screening, and an EDSS not recorded."""
    patient = make_patient("ms_rr", age=34, centre=hospital)
    screening_record(patient=patient)
    referring_clinician.email = "farclin@hospital.example"
    referring_clinician.save(update_fields=["email"])
    return services.referral_create(
        patient=patient, to_centre=centre, message="Please assess.", by=referring_clinician
    )


def letter_text(client, referral) -> str:
    response = client.get(reverse("referrals:letter", args=[referral.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_letter_says_where_things_stand_with_the_checklist_and_no_score(
    client_for, referring_clinician, screened_referral
):
    page = letter_text(client_for(referring_clinician), screened_referral)
    assert "We received your referral on" in page
    assert 'id="letter-checklist"' in page
    checklist = page.split('id="letter-checklist"', 1)[1].split("</table>", 1)[0]
    assert any(
        word in checklist
        for word in ("<strong>met</strong>", "<strong>not met</strong>", "<strong>unknown</strong>")
    )
    assert "/100" not in page and "score" not in page.lower()


def test_a_decline_gives_the_reason_and_the_standard_options_still_open(
    client_for, coordinator, referring_clinician, screened_referral
):
    services.referral_step(
        referral=screened_referral,
        to_status=Status.DECLINED,
        by=coordinator,
        reason="Disease inactive for five years.",
    )
    page = letter_text(client_for(referring_clinician), screened_referral)
    assert "We are not offering" in page and "Disease inactive for five years." in page
    assert "A high-efficacy disease-modifying therapy not yet tried" in page


def test_each_step_emails_the_referring_doctor_a_link_and_no_clinical_detail(
    django_capture_on_commit_callbacks, coordinator, screened_referral
):
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_step(
            referral=screened_referral,
            to_status=Status.DECLINED,
            by=coordinator,
            reason="Disease inactive.",
        )
    (email,) = mail.outbox
    assert email.to == ["farclin@hospital.example"]
    link = reverse("referrals:letter", args=[screened_referral.public_id])
    assert link in email.body and screened_referral.patient.mrn in email.body
    assert "inactive" not in email.body and screened_referral.patient.family_name not in email.body
    assert "Multiple sclerosis" not in email.body


def test_the_letter_is_a_fhir_communication_with_the_letter_attached(
    client_for, referring_clinician, coordinator, screened_referral
):
    services.referral_step(referral=screened_referral, to_status=Status.WORKUP, by=coordinator)
    response = client_for(referring_clinician).get(
        reverse("referrals:letter_fhir", args=[screened_referral.public_id])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    resource = json.loads(response.content)
    assert resource["resourceType"] == "Communication" and resource["status"] == "completed"
    attachment = resource["payload"][0]["contentAttachment"]
    html = base64.b64decode(attachment["data"]).decode()
    assert "We accepted" in html and "for transplant work-up on" in html
    assert screened_referral.patient.mrn in html
    assert f"{TODAY:%Y}" in resource["sent"]


def test_a_third_centre_gets_no_letter(client_for, screened_referral, third_clinician):
    client = client_for(third_clinician)
    assert (
        client.get(reverse("referrals:letter", args=[screened_referral.public_id])).status_code
        == 404
    )
    assert (
        client.get(reverse("referrals:letter_fhir", args=[screened_referral.public_id])).status_code
        == 404
    )


def test_values_too_old_for_the_guideline_are_named_on_the_referral_and_in_the_letter(
    make_patient, hospital, centre, referring_clinician, coordinator, client_for
):
    from ...clock import days_ago
    from ...factories import AssessmentFactory

    patient = make_patient("ms_rr", age=34, centre=hospital, fit=False, screen=False)
    AssessmentFactory(patient=patient, taken_on=days_ago(900), values={"lvef": 60, "dlco": 85})
    screening_record(patient=patient)
    referral = services.referral_create(
        patient=patient, to_centre=centre, message="Please assess.", by=referring_clinician
    )
    page = client_for(coordinator).get(reverse("referrals:detail", args=[referral.public_id]))
    warning = page.content.decode().split('id="referral-stale">', 1)[1].split("</div>", 1)[0]
    assert "Data the decision rests on have gone stale" in warning and "LVEF" in warning
    letter = letter_text(client_for(referring_clinician), referral)
    assert "These values are too old to rely on" in letter
