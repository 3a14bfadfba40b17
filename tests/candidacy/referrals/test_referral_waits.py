"""Each step shows how long it waited; past the limit the coordinators are reminded, once
per step, by email and in the nav; the queue shows the median wait per step."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from candidacy.referrals import services
from candidacy.referrals.models import Referral
from candidacy.referrals.reminders import remind_waiting
from candidacy.referrals.tasks import remind_waiting_referrals

Status = Referral.Status


@pytest.fixture
def coordinator_with_email(coordinator):
    coordinator.email = "coord@ntc.example"
    coordinator.save(update_fields=["email"])
    return coordinator


def test_a_referral_past_the_limit_reminds_the_coordinators_once_per_step(
    settings, clock, coordinator_with_email, referral
):
    settings.CANDIDACY_REFERRAL_WAIT_DAYS = 14
    clock.shift(datetime.timedelta(days=13))
    assert remind_waiting_referrals() == 0 and not mail.outbox
    clock.shift(datetime.timedelta(days=2))
    assert remind_waiting_referrals() == 1
    (email,) = mail.outbox
    assert email.to == ["coord@ntc.example"]
    assert referral.patient.mrn in email.body and "Received for 15 days" in email.body
    assert referral.patient.family_name not in email.body
    assert remind_waiting() == 0  # run twice: reminded once
    # A new step starts a new wait, and a new reminder once it too is late.
    services.referral_step(referral=referral, to_status=Status.WORKUP, by=coordinator_with_email)
    mail.outbox.clear()
    clock.shift(datetime.timedelta(days=15))
    assert remind_waiting() == 1 and "Accepted for work-up for 15 days" in mail.outbox[0].body


def test_the_nav_badge_counts_the_referrals_waiting_too_long(
    settings, clock, client_for, coordinator, referring_clinician, referral
):
    settings.CANDIDACY_REFERRAL_WAIT_DAYS = 14
    assert 'id="nav-overdue-referrals"' not in client_for(coordinator).get("/").content.decode()
    clock.shift(datetime.timedelta(days=15))
    from django.test import Client

    from ...conftest import pass_second_step

    client = Client()
    client.force_login(coordinator)
    pass_second_step(client, coordinator)
    page = client.get(reverse("referrals:queue")).content.decode()
    assert 'id="nav-overdue-referrals">1<' in page
    assert "1 referral waited more than 14 days at its step." in page
    assert "15 days ago" in page


def test_the_queue_shows_the_median_wait_per_step(clock, client_for, coordinator, referral):
    clock.shift(datetime.timedelta(days=4))
    services.referral_step(referral=referral, to_status=Status.WORKUP, by=coordinator)
    clock.shift(datetime.timedelta(days=2))
    page = client_for(coordinator).get(reverse("referrals:queue")).content.decode()
    table = page.split('id="referral-waits"', 1)[1].split("</table>", 1)[0]
    assert "<td>Received</td><td>4 days</td><td>1</td>" in table
    assert "<td>Accepted for work-up</td><td>2 days</td><td>1</td>" in table
    assert 'id="referral-waits-data"' in page and "js/referral-waits.js" in page
