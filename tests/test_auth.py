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
@override_settings(AXES_ADDRESS_FAILURE_LIMIT=8)
def test_repeated_failures_from_one_address_lock_that_address(client, clinician, coordinator):
    def sign_in(username, password):
        data = {"username": username, "password": password}
        return client.post(reverse("login"), data, REMOTE_ADDR="10.9.9.9")

    for n in range(7):
        sign_in(f"nobody{n}", "x")
    assert sign_in("coord", DEFAULT_PASSWORD).status_code == 302
    client.post(reverse("logout"))
    # A sign-in clears its own account's failures, not the address's: one more locks it.
    sign_in("nobody7", "x")
    assert sign_in("coord", DEFAULT_PASSWORD).status_code == 429
    # From elsewhere the account still opens.
    data = {"username": "coord", "password": DEFAULT_PASSWORD}
    assert client.post(reverse("login"), data, REMOTE_ADDR="10.1.1.1").status_code == 302


@pytest.mark.django_db
def test_signing_in_to_ones_own_account_does_not_reset_the_guesses_at_another(
    client, clinician, coordinator
):
    """The attack of issue 12: 4 guesses at the victim, 1 sign-in as the attacker, 5 times."""
    attacker = {"username": "coord", "password": DEFAULT_PASSWORD}
    for _ in range(5):
        for _ in range(4):
            client.post(
                reverse("login"), {"username": "clin", "password": "guess"}, REMOTE_ADDR="10.6.6.6"
            )
        client.post(reverse("login"), attacker, REMOTE_ADDR="10.6.6.6")
        client.post(reverse("logout"))

    victim = {"username": "clin", "password": DEFAULT_PASSWORD}
    response = client.post(reverse("login"), victim, REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    # The attacker's own account is not locked, and its sign-in worked each time.
    assert client.post(reverse("login"), attacker, REMOTE_ADDR="10.6.6.6").status_code == 302
    assert AccessLog.objects.filter(username="coord").count() == 6


@pytest.mark.django_db
def test_the_victims_own_sign_in_clears_the_victims_failures(client, clinician):
    for _ in range(4):
        client.post(reverse("login"), {"username": "clin", "password": "typo"})
    client.post(reverse("login"), {"username": "clin", "password": DEFAULT_PASSWORD})
    client.post(reverse("logout"))
    for _ in range(4):
        client.post(reverse("login"), {"username": "clin", "password": "typo"})
    response = client.post(reverse("login"), {"username": "clin", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_successful_logins_are_logged(client, clinician):
    client.post(reverse("login"), {"username": "clin", "password": DEFAULT_PASSWORD})
    assert AccessLog.objects.filter(username="clin").exists()


@pytest.mark.django_db
def test_login_rejects_a_nul_byte_without_a_server_error(client):
    response = client.post(reverse("login"), {"username": "a\x00b", "password": "x"})
    assert response.status_code in (200, 400)
