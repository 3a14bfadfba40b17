"""Access follows the referral: the receiving centre reads the referred patient, logged, for
as long as the referral is open and CANDIDACY_REFERRAL_ACCESS_DAYS after; nobody else."""

import datetime

import pytest
from django.urls import reverse

from candidacy.referrals import services
from candidacy.referrals.models import Referral
from candidacy.screening.models import Screening
from patients.audit.log import REFERRAL
from patients.audit.models import AccessEvent
from patients.models import Patient

Status = Referral.Status


def reads(user, url) -> int:
    """The status of one read in a session signed in now (the clock moved by weeks between
    reads, and a session idle that long has rightly timed out)."""
    from django.test import Client

    from config.mfa.policy import mfa_due

    from ...conftest import pass_second_step

    client = Client()
    client.force_login(user)
    if mfa_due(user):
        pass_second_step(client, user)
    return client.get(url).status_code


def test_the_receiving_coordinator_reads_the_referred_patient_and_the_read_says_referral(
    client_for, coordinator, referral, hospital_patient
):
    page = client_for(coordinator).get(
        reverse("patients:detail", args=[hospital_patient.public_id])
    )
    assert page.status_code == 200 and hospital_patient.family_name in page.content.decode()
    event = AccessEvent.objects.filter(patient_id=hospital_patient.pk, user=coordinator).first()
    assert (event.what, event.reason) == ("Patient page", REFERRAL)


def test_no_other_patient_of_the_referring_hospital_becomes_visible(
    client_for, coordinator, referral, hospital_patient, neighbour
):
    assert list(Patient.objects.visible_to(coordinator)) == [hospital_patient]
    response = client_for(coordinator).get(reverse("patients:detail", args=[neighbour.public_id]))
    assert response.status_code == 404


def test_the_referred_patient_is_read_on_their_page_not_listed_in_the_centres_worklist(
    client_for, coordinator, referral, hospital_patient
):
    # The worklist is the centre's own: its index plans stay those of one centre.
    assert not Screening.objects.visible_to(coordinator).exists()
    page = client_for(coordinator).get(
        reverse("patients:detail", args=[hospital_patient.public_id])
    )
    assert "Strong candidate" in page.content.decode()


def test_a_centre_that_was_not_referred_to_sees_nothing(
    client_for, referral, hospital_patient, third_clinician
):
    response = client_for(third_clinician).get(
        reverse("patients:detail", args=[hospital_patient.public_id])
    )
    assert response.status_code == 404


def test_the_receiving_centre_cannot_change_the_record(
    client_for, clinician, referral, hospital_patient
):
    page = client_for(clinician).get(reverse("patients:detail", args=[hospital_patient.public_id]))
    html = page.content.decode()
    assert "Referred to your centre: read only" in html and "Edit details" not in html
    response = client_for(clinician).get(
        reverse("patients:update", args=[hospital_patient.public_id])
    )
    assert response.status_code == 403


def test_the_referring_clinician_sees_who_read_the_record(
    client_for, coordinator, referring_clinician, referral, hospital_patient
):
    client_for(coordinator).get(reverse("patients:detail", args=[hospital_patient.public_id]))
    client = client_for(referring_clinician)
    page = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    readers = page.split('id="referral-readers"', 1)[1].split("</table>", 1)[0]
    assert "coord" in readers and "Patient page" in readers
    assert "farclin" not in readers  # the referring side's own reads are care, not the referral's


@pytest.mark.parametrize("close", ["decline", "withdraw"])
def test_access_ends_the_configured_days_after_the_referral_closes(
    settings, client_for, clock, coordinator, referring_clinician, referral, hospital_patient, close
):
    settings.CANDIDACY_REFERRAL_ACCESS_DAYS = 30
    url = reverse("patients:detail", args=[hospital_patient.public_id])
    clock.shift(datetime.timedelta(days=90))  # open for months: access stays
    assert reads(coordinator, url) == 200
    if close == "decline":
        services.referral_step(
            referral=referral, to_status=Status.DECLINED, by=coordinator, reason="Too frail"
        )
    else:
        services.referral_withdraw(referral=referral, by=referring_clinician, reason="Moved")
    clock.shift(datetime.timedelta(days=29, hours=23))
    assert reads(coordinator, url) == 200
    clock.shift(datetime.timedelta(hours=2))
    assert reads(coordinator, url) == 404
    assert not Patient.objects.visible_to(coordinator).exists()
    # The referral itself stays on the centre's list, without the record behind it.
    queue = client_for(coordinator).get(reverse("referrals:queue"), {"show": "all"})
    assert hospital_patient.family_name in queue.content.decode()
