"""When data the decision would rest on go stale, the receiving centre's coordinators are
reminded by email (once per referral and stale set, MRN and link only) and in the nav."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from candidacy.referrals import services
from candidacy.referrals.reminders import remind_stale
from candidacy.referrals.tasks import remind_waiting_referrals
from candidacy.screening.services import screening_record

from ...clock import TODAY, days_ago
from ...factories import AssessmentFactory

NAV_BADGE = 'id="nav-overdue-referrals">'


@pytest.fixture
def stale_referral(make_patient, hospital, centre, referring_clinician, coordinator):
    """A referred patient whose heart and lung function were measured 900 days ago: too old."""
    coordinator.email = "coord@ntc.example"
    coordinator.save(update_fields=["email"])
    patient = make_patient("ms_rr", age=34, centre=hospital, fit=False, screen=False)
    AssessmentFactory(patient=patient, taken_on=days_ago(900), values={"lvef": 60, "dlco": 85})
    screening_record(patient=patient)
    return services.referral_create(
        patient=patient, to_centre=centre, message="Please assess.", by=referring_clinician
    )


def badge(client) -> str | None:
    page = client.get(reverse("referrals:queue")).content.decode()
    return page.split(NAV_BADGE, 1)[1].split("<", 1)[0] if NAV_BADGE in page else None


def renew(patient, on=TODAY):
    AssessmentFactory(patient=patient, taken_on=on, values={"lvef": 62, "dlco": 90})
    screening_record(patient=patient)


def test_stale_decision_data_remind_the_coordinators_once_by_email_and_in_the_nav(
    client_for, coordinator, stale_referral
):
    client = client_for(coordinator)
    assert badge(client) is None  # not waited too long, and not yet found stale
    assert remind_waiting_referrals() == 1
    (email,) = mail.outbox
    assert email.to == ["coord@ntc.example"]
    assert "stale data" in email.subject
    patient = stale_referral.patient
    assert f"MRN {patient.mrn}: data the decision would rest on have gone stale" in email.body
    assert reverse("referrals:detail", args=[stale_referral.public_id]) in email.body
    # No clinical detail: neither the patient's name nor which values went stale.
    for detail in (patient.family_name, patient.given_name, "LVEF", "DLCO"):
        assert detail not in email.body
    assert badge(client) == "1"
    queue = client.get(reverse("referrals:queue")).content.decode()
    assert "1 open referral rests on data gone stale; its page names them." in queue
    assert remind_waiting_referrals() == 0 and len(mail.outbox) == 1  # run twice: once
    # The data renewed, the badge goes at the next run; no email for that.
    renew(patient)
    assert remind_stale() == 0 and badge(client) is None


def test_a_new_stale_set_reminds_again(clock, client_for, coordinator, stale_referral):
    renew(stale_referral.patient, on=days_ago(10))
    assert remind_stale() == 0 and not mail.outbox
    # Years later the renewed values are too old in turn: a new stale set, a new reminder.
    clock.shift(datetime.timedelta(days=900))
    screening_record(patient=stale_referral.patient)  # the nightly re-screen
    assert remind_stale() == 1 and stale_referral.patient.mrn in mail.outbox[0].body


def test_a_closed_referral_is_not_reminded(coordinator, stale_referral):
    services.referral_withdraw(
        referral=stale_referral, by=stale_referral.referred_by, reason="Treated locally."
    )
    assert remind_stale() == 0 and not mail.outbox


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_email(migration_data, stale_referral):
    barrier, sent = threading.Barrier(2), []

    def run():
        try:
            barrier.wait(timeout=10)
            sent.append(remind_stale())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(sent) == [0, 1] and len(mail.outbox) == 1
