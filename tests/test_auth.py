"""Login everywhere, sessions that end, and lock-out after repeated failures."""

import time

import pytest
from axes.models import AccessAttempt, AccessLog
from django.test import override_settings
from django.urls import reverse

from common.sessions import SESSION_SEEN_KEY, SESSION_STARTED_KEY

from .factories import DEFAULT_PASSWORD, PatientFactory


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/patients/", "/patients/new/", "/admin/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login/" in response.url


@pytest.mark.django_db
def test_anonymous_visitors_never_see_a_patient(client, centre):
    patient = PatientFactory(centre=centre)
    response = client.get(reverse("patients:detail", args=[patient.public_id]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.django_db
def test_the_login_page_itself_is_open(client):
    assert client.get(reverse("login")).status_code == 200


@pytest.mark.django_db
def test_signing_in_issues_a_new_session_key_and_lands_on_the_work(client, clinician):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    response = client.post(reverse("login"), {"username": "clin", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_signing_out_ends_the_session(client, clinician):
    client.force_login(clinician)
    client.post(reverse("logout"))
    assert client.get(reverse("patients:list")).status_code == 302


def _age_session(client, **seconds_ago):
    session = client.session
    now = time.time()
    if "seen" in seconds_ago:
        session[SESSION_SEEN_KEY] = now - seconds_ago["seen"]
    if "started" in seconds_ago:
        session[SESSION_STARTED_KEY] = now - seconds_ago["started"]
    session.save()


@pytest.mark.django_db
@override_settings(SESSION_IDLE_TIMEOUT=1800, SESSION_ABSOLUTE_TIMEOUT=43200)
def test_a_session_ends_after_30_minutes_idle(client, clinician):
    client.force_login(clinician)
    assert client.get(reverse("patients:list")).status_code == 200
    _age_session(client, seen=1799)
    assert client.get(reverse("patients:list")).status_code == 200
    _age_session(client, seen=1801)
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.django_db
@override_settings(SESSION_IDLE_TIMEOUT=1800, SESSION_ABSOLUTE_TIMEOUT=43200)
def test_a_session_ends_after_12_hours_however_active(client, clinician):
    client.force_login(clinician)
    client.get(reverse("patients:list"))
    _age_session(client, started=43201, seen=10)
    assert client.get(reverse("patients:list")).status_code == 302


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_and_are_logged(client, clinician):
    for _ in range(5):
        client.post(
            reverse("login"), {"username": "clin", "password": "wrong"}, REMOTE_ADDR="10.0.0.1"
        )
    # Even the right password is refused now, from another address too.
    response = client.post(
        reverse("login"), {"username": "clin", "password": DEFAULT_PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert AccessAttempt.objects.filter(username="clin").exists()


@pytest.mark.django_db
def test_repeated_failures_from_one_address_lock_that_address(client, clinician, coordinator):
    for n in range(5):
        client.post(
            reverse("login"), {"username": f"nobody{n}", "password": "x"}, REMOTE_ADDR="10.9.9.9"
        )
    response = client.post(
        reverse("login"),
        {"username": "coord", "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="10.9.9.9",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_successful_logins_are_logged(client, clinician):
    client.post(reverse("login"), {"username": "clin", "password": DEFAULT_PASSWORD})
    assert AccessLog.objects.filter(username="clin").exists()


@pytest.mark.django_db
def test_login_rejects_a_nul_byte_without_a_server_error(client):
    response = client.post(reverse("login"), {"username": "a\x00b", "password": "x"})
    assert response.status_code in (200, 400)
