"""A clinician refers; the transplant centre's coordinator works the referral to a decision."""

import datetime

import pytest
from django.urls import reverse

from candidacy.referrals import services
from candidacy.referrals.models import Referral, ReferralStep
from patients.models import Centre
from rules.specs import STRONG

from ...clock import TODAY, days_ago, days_ahead
from ...factories import CentreFactory

Status = Referral.Status


def step(client, referral, **data):
    data.setdefault("seen_status", referral.status)
    return client.post(reverse("referrals:step", args=[referral.public_id]), data)


def test_a_clinician_refers_a_patient_with_the_screening_as_it_was(
    client_for, referring_clinician, hospital_patient, centre
):
    client = client_for(referring_clinician)
    response = client.post(
        reverse("referrals:new", args=[hospital_patient.public_id]),
        {"to_centre": centre.pk, "message": "Please assess for aHSCT."},
        follow=True,
    )
    referral = Referral.objects.get()
    assert (referral.patient, referral.to_centre, referral.from_centre) == (
        hospital_patient,
        centre,
        hospital_patient.centre,
    )
    assert referral.status == Status.RECEIVED and referral.referred_by == referring_clinician
    assert referral.screening.band == referral.screening_band == STRONG
    assert services.REFERRED.format(patient=hospital_patient.name, centre=centre.name) in (
        response.content.decode()
    )
    assert "Please assess for aHSCT." in response.content.decode()


def test_the_patient_page_offers_the_referral_to_its_own_clinician_only(
    client_for, referring_clinician, hospital_patient, referral, coordinator
):
    page = client_for(referring_clinician).get(
        reverse("patients:detail", args=[hospital_patient.public_id])
    )
    assert 'id="refer-button"' in page.content.decode()
    assert "To North Transplant Centre" in page.content.decode()
    page = client_for(coordinator).get(
        reverse("patients:detail", args=[hospital_patient.public_id])
    )
    assert page.status_code == 200 and 'id="refer-button"' not in page.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"message": "Please assess."}, "Choose a transplant centre."),
        ({"to_centre": "CENTRE", "message": "   "}, "Write a message for the transplant centre."),
    ],
)
def test_a_referral_form_with_a_gap_says_what_is_missing_and_saves_nothing(
    client_for, referring_clinician, hospital_patient, centre, data, message
):
    data = {key: centre.pk if value == "CENTRE" else value for key, value in data.items()}
    response = client_for(referring_clinician).post(
        reverse("referrals:new", args=[hospital_patient.public_id]), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Referral.objects.exists()


def test_a_referring_hospital_is_not_a_destination(
    client_for, referring_clinician, hospital_patient
):
    elsewhere = CentreFactory(code="gen", name="General Hospital", kind=Centre.Kind.REFERRING)
    response = client_for(referring_clinician).post(
        reverse("referrals:new", args=[hospital_patient.public_id]),
        {"to_centre": elsewhere.pk, "message": "Please assess."},
    )
    assert response.status_code == 400 and not Referral.objects.exists()
    with pytest.raises(services.ReferralError, match=services.NOT_A_TRANSPLANT_CENTRE):
        services.referral_create(
            patient=hospital_patient, to_centre=elsewhere, message="x", by=referring_clinician
        )


def test_a_second_open_referral_to_the_same_centre_is_refused(
    referral, hospital_patient, centre, referring_clinician
):
    with pytest.raises(services.ReferralError, match="already has an open referral"):
        services.referral_create(
            patient=hospital_patient, to_centre=centre, message="Again", by=referring_clinician
        )


def test_the_coordinator_works_the_referral_from_work_up_to_acceptance(
    client_for, coordinator, referral
):
    client = client_for(coordinator)
    queue = client.get(reverse("referrals:queue")).content.decode()
    assert referral.patient.family_name in queue and "Received" in queue

    assert step(client, referral, to_status=Status.WORKUP).status_code == 302
    referral.refresh_from_db()
    response = step(
        client,
        referral,
        to_status=Status.COMMITTEE,
        committee_on=days_ago(1).isoformat(),
        outcome="Suitable; proceed.",
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert step(client, referral, to_status=Status.ACCEPTED).status_code == 302

    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED and referral.closed_at is not None
    assert (referral.committee_on, referral.committee_outcome) == (
        days_ago(1),
        "Suitable; proceed.",
    )
    steps = list(referral.steps.values_list("to_status", "actor__username"))
    assert steps == [
        (Status.RECEIVED, "farclin"),
        (Status.WORKUP, "coord"),
        (Status.COMMITTEE, "coord"),
        (Status.ACCEPTED, "coord"),
    ]
    assert referral.history.count() == 4  # created, and one change per step


@pytest.mark.parametrize(
    "reach, data, message",
    [
        # a committee step needs its date and what was concluded
        ([], {"to_status": "committee", "outcome": "Fine"}, services.COMMITTEE_DATE_REQUIRED),
        (
            [],
            {"to_status": "committee", "committee_on": "DAY+1", "outcome": "x"},
            services.COMMITTEE_DATE_FUTURE,
        ),
        (
            [],
            {"to_status": "committee", "committee_on": "DAY-1"},
            services.COMMITTEE_OUTCOME_REQUIRED,
        ),
        (["committee"], {"to_status": "declined"}, services.DECLINE_REASON_REQUIRED),
        (["committee"], {"to_status": "deferred"}, services.DEFER_DATE_REQUIRED),
        (
            ["committee"],
            {"to_status": "deferred", "deferred_until": "DAY+0"},
            services.DEFER_DATE_NOT_FUTURE,
        ),
        # accepting is the committee's decision, not the work-up's
        ([], {"to_status": "accepted"}, "cannot become accepted for transplant"),
    ],
)
def test_a_step_with_a_gap_says_what_is_missing_and_changes_nothing(
    client_for, coordinator, referral, reach, data, message
):
    referral = services.referral_step(referral=referral, to_status=Status.WORKUP, by=coordinator)
    if reach:
        referral = services.referral_step(
            referral=referral,
            to_status=Status.COMMITTEE,
            by=coordinator,
            committee_on=TODAY,
            outcome="Discussed",
        )
    offsets = {"DAY+1": days_ahead(1), "DAY-1": days_ago(1), "DAY+0": TODAY}
    data = {key: offsets.get(value, value) for key, value in data.items()}
    steps_before = referral.steps.count()
    response = step(client_for(coordinator), referral, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Referral.objects.get().status == referral.status
    assert referral.steps.count() == steps_before


def test_a_stale_page_cannot_take_a_step(client_for, coordinator, referral):
    services.referral_step(referral=referral, to_status=Status.WORKUP, by=coordinator)
    response = step(
        client_for(coordinator),
        referral,
        seen_status=Status.RECEIVED,
        to_status=Status.DECLINED,
        reason="No",
    )
    assert services.REFERRAL_CHANGED in response.content.decode()
    assert Referral.objects.get().status == Status.WORKUP


def test_only_the_receiving_centres_coordinators_take_steps(
    client_for, referral, clinician, referring_clinician, other_coordinator
):
    # A clinician of the transplant centre has no step permission at all.
    assert step(client_for(clinician), referral, to_status=Status.WORKUP).status_code == 403
    # A coordinator of the referring hospital may not decide for the transplant centre.
    with pytest.raises(services.ReferralError, match="Only a coordinator of North"):
        services.referral_step(referral=referral, to_status=Status.WORKUP, by=other_coordinator)
    assert Referral.objects.get().status == Status.RECEIVED


def test_the_referring_clinician_withdraws_and_sees_it_in_my_referrals(
    client_for, referring_clinician, coordinator, referral
):
    client = client_for(referring_clinician)
    url = reverse("referrals:withdraw", args=[referral.public_id])
    empty = client.post(url, {"seen_status": "received", "reason": ""})
    assert (
        empty.status_code == 400 and "Say why the referral is withdrawn." in empty.content.decode()
    )
    assert client.post(url, {"seen_status": "received", "reason": "Moved away"}).status_code == 302
    assert Referral.objects.get().status == Status.WITHDRAWN
    mine = client.get(reverse("referrals:mine")).content.decode()
    assert referral.patient.family_name in mine and "Withdrawn" in mine
    # The transplant centre cannot withdraw for the referring side.
    with pytest.raises(services.ReferralError):
        services.referral_withdraw(referral=referral, by=coordinator, reason="x")


def test_a_referral_is_invisible_to_a_third_centre(client_for, referral, third_clinician):
    response = client_for(third_clinician).get(
        reverse("referrals:detail", args=[referral.public_id])
    )
    assert response.status_code == 404


def test_every_step_is_dated_and_attributed_on_the_page(client_for, coordinator, referral, clock):
    clock.shift(datetime.timedelta(days=3))
    services.referral_step(
        referral=referral, to_status=Status.WORKUP, by=coordinator, reason="Echo booked"
    )
    page = client_for(coordinator).get(reverse("referrals:detail", args=[referral.public_id]))
    html = page.content.decode()
    assert "Accepted for work-up" in html and "Echo booked" in html
    assert ReferralStep.objects.filter(referral=referral).count() == 2


def test_a_step_on_a_referral_closed_meanwhile_says_so(
    client_for, coordinator, referring_clinician, referral
):
    services.referral_withdraw(referral=referral, by=referring_clinician, reason="Moved")
    response = step(client_for(coordinator), referral, seen_status="received", to_status="workup")
    assert response.status_code == 400
    assert services.REFERRAL_CHANGED in response.content.decode()
