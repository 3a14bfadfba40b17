"""Two-step sign-in: who must pass it, that nothing opens before it, codes, recovery, reset."""

import datetime
import re
from base64 import b32decode

import pytest
from django.contrib.admin.models import LogEntry
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.mfa import views
from config.mfa.services import RECOVERY_CODE_COUNT, recovery_codes_issue
from patients.audit.models import SecurityEvent

from .conftest import pass_second_step
from .factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db
VERIFY = reverse("mfa:verify")
ENROL = reverse("mfa:enrol")
STEP = datetime.timedelta(seconds=31)  # past the TOTP step: a code is accepted once per step


def sign_in(client, user):
    """The password step, as the login form does it."""
    response = client.post(
        reverse("login"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302, "the password step failed"
    return response


def app_for(user):
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def code_of(device):
    return f"{totp(device.bin_key):06d}"


def wrong(code):
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def give_code(client, code, next_url="/"):
    return client.post(VERIFY, {"code": code, "next": next_url})


@pytest.mark.parametrize(
    "path", ["/", "/admin/", "/admin/rules/ruleset/", "/criteria/", "/reviews/", "/audit/"]
)
def test_a_criteria_admin_reaches_no_page_before_the_second_step(client, criteria_admin, path):
    app_for(criteria_admin)
    sign_in(client, criteria_admin)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(VERIFY) and "next=" in response.url


def test_one_who_must_and_has_no_app_is_sent_to_set_one_up(client, criteria_admin):
    sign_in(client, criteria_admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith(ENROL)
    assert client.get(VERIFY).url == ENROL


def test_staff_and_superusers_must_use_it_too(client, superuser_of_other_centre):
    sign_in(client, superuser_of_other_centre)
    assert client.get("/").url.startswith(ENROL)


def test_the_right_code_opens_the_page_asked_for(client, criteria_admin):
    device = app_for(criteria_admin)
    sign_in(client, criteria_admin)
    response = give_code(client, code_of(device), next_url="/admin/")
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_recorded_and_throttled(client, criteria_admin, clock):
    device = app_for(criteria_admin)
    sign_in(client, criteria_admin)
    response = give_code(client, wrong(code_of(device)))
    assert response.status_code == 200 and views.WRONG_CODE in response.content.decode()
    assert client.get("/admin/").url.startswith(VERIFY)
    refused = SecurityEvent.objects.get(action=SecurityEvent.Action.MFA_REFUSED)
    assert refused.subject == criteria_admin and refused.address == "127.0.0.1"
    # Straight after a wrong code even the right one must wait: the wait doubles each time.
    response = give_code(client, code_of(device))
    assert views.THROTTLED in response.content.decode()
    clock.shift(datetime.timedelta(seconds=2))
    assert give_code(client, code_of(device)).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_wrong_codes_count_towards_the_lock_out(client, criteria_admin, clock):
    device = app_for(criteria_admin)
    sign_in(client, criteria_admin)
    for _ in range(3):
        clock.shift(datetime.timedelta(seconds=10))  # past the throttle: a real try each time
        response = give_code(client, wrong(code_of(device)))
    assert response.status_code == 429 and "Sign-in locked" in response.content.decode()
    assert client.get("/").url.startswith(reverse("login"))  # the session is gone
    response = client.post(
        reverse("login"), {"username": criteria_admin.username, "password": DEFAULT_PASSWORD}
    )
    assert "Sign-in locked" in response.content.decode()


def test_a_recovery_code_works_once(client, criteria_admin, clock):
    app_for(criteria_admin)
    codes = recovery_codes_issue(user=criteria_admin)
    sign_in(client, criteria_admin)
    response = give_code(client, codes[0].upper())
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    left = RECOVERY_CODE_COUNT - 1
    assert SecurityEvent.objects.filter(
        action=SecurityEvent.Action.MFA_RECOVERY_USED, detail=f"{left} recovery codes left"
    ).exists()

    client.post(reverse("logout"))
    sign_in(client, criteria_admin)
    clock.shift(STEP)
    response = give_code(client, codes[0])
    assert views.WRONG_CODE in response.content.decode()
    assert client.get("/admin/").url.startswith(VERIFY)


def test_enrolment_confirms_the_app_and_shows_ten_recovery_codes_once(client, criteria_admin):
    sign_in(client, criteria_admin)
    page = client.get(ENROL).content.decode()
    assert "<svg" in page and "<script" not in page.split('id="mfa-qr"')[1].split("</div>")[0]
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    code = f"{totp(b32decode(secret)):06d}"
    response = client.post(ENROL, {"code": code, "next": "/admin/"})
    page = response.content.decode()
    assert response.status_code == 200 and views.ENROLLED in page
    assert response["Cache-Control"] == "no-store"
    shown = re.findall(r"<li>([a-z2-7]{8})</li>", page)
    assert len(shown) == RECOVERY_CODE_COUNT
    assert client.get("/admin/").status_code == 200
    assert TOTPDevice.objects.get(user=criteria_admin).confirmed
    assert SecurityEvent.objects.filter(
        subject=criteria_admin, action=SecurityEvent.Action.MFA_ENROLLED
    ).exists()
    # Shown once: the enrolment page now only says it is done.
    assert client.get(ENROL).url == reverse("mfa:status")


def test_enrolment_refuses_a_wrong_first_code(client, criteria_admin):
    sign_in(client, criteria_admin)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=criteria_admin)
    response = client.post(ENROL, {"code": wrong(code_of(device))})
    assert views.WRONG_CODE in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and not StaticDevice.objects.filter(user=criteria_admin).exists()
    assert client.get("/admin/").url.startswith(ENROL)


def test_clinicians_need_no_second_step_by_default(client, clinician):
    sign_in(client, clinician)
    assert client.get(reverse("worklist:list")).status_code == 200


@override_settings(CANDIDACY_MFA_FOR_ALL=True)
def test_the_setting_requires_it_of_clinicians(client, clinician):
    sign_in(client, clinician)
    response = client.get(reverse("worklist:list"))
    assert response.status_code == 302 and response.url.startswith(ENROL)


def test_a_clinician_who_set_it_up_by_choice_is_asked_at_each_sign_in(client, clinician):
    app_for(clinician)
    sign_in(client, clinician)
    assert client.get(reverse("worklist:list")).url.startswith(VERIFY)


def test_an_admin_reset_forces_the_user_to_set_it_up_again(
    client, client_for, criteria_admin, superuser_of_other_centre
):
    from django.test import Client

    device = app_for(criteria_admin)
    recovery_codes_issue(user=criteria_admin)
    theirs = Client()
    sign_in(theirs, criteria_admin)
    assert give_code(theirs, code_of(device)).status_code == 302

    admin = client_for(superuser_of_other_centre)
    response = admin.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_mfa", "_selected_action": [criteria_admin.pk]},
        follow=True,
    )
    assert "Two-step sign-in was reset for critadmin" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=criteria_admin).exists()
    assert not StaticDevice.objects.filter(user=criteria_admin).exists()
    reset = SecurityEvent.objects.get(action=SecurityEvent.Action.MFA_RESET)
    assert (reset.user, reset.subject) == (superuser_of_other_centre, criteria_admin)
    assert LogEntry.objects.filter(object_id=str(criteria_admin.pk)).exists()
    # Their signed-in session no longer counts as verified: they must set it up again.
    assert theirs.get("/admin/").url.startswith(ENROL)


def test_a_criteria_admin_may_not_reset_anyone(client_for, criteria_admin, clinician):
    app_for(clinician)
    admin = client_for(criteria_admin)
    admin.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_mfa", "_selected_action": [clinician.pk]},
    )
    assert TOTPDevice.objects.filter(user=clinician).exists()


def test_the_admin_never_shows_a_device_secret(client_for, superuser_of_other_centre):
    admin = client_for(superuser_of_other_centre)
    assert admin.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_a_verified_session_keeps_working(client_for, criteria_admin):
    client = client_for(criteria_admin)
    pass_second_step(client, criteria_admin)
    assert client.get("/admin/").status_code == 200


def test_the_security_log_is_chained_and_append_only_like_the_access_log():
    from patients.audit.chain import chained_models
    from patients.audit.roles import append_only_tables

    assert SecurityEvent in chained_models()
    assert SecurityEvent._meta.db_table in append_only_tables()


def test_admins_read_the_security_log_and_cannot_change_it(
    client_for, criteria_admin, superuser_of_other_centre
):
    from config.mfa.services import mfa_reset

    mfa_reset(user=criteria_admin, by=superuser_of_other_centre)
    admin = client_for(superuser_of_other_centre)
    page = admin.get(reverse("admin:audit_securityevent_changelist")).content.decode()
    assert "Reset two-step sign-in" in page and "critadmin" in page
    event = SecurityEvent.objects.get()
    change = reverse("admin:audit_securityevent_change", args=[event.pk])
    assert admin.post(change, {"actor": "someone else"}).status_code == 403
    assert (
        admin.post(reverse("admin:audit_securityevent_delete", args=[event.pk])).status_code == 403
    )
    assert SecurityEvent.objects.get().actor == superuser_of_other_centre.username


def test_the_second_step_costs_a_clinician_without_mfa_no_query(client, clinician):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, clinician)
    client.get(reverse("worklist:list"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("worklist:list")).status_code == 200
    assert not [q for q in queries.captured_queries if "otp_" in q["sql"]]


def test_the_code_page_never_sends_anyone_to_another_site(client, criteria_admin):
    device = app_for(criteria_admin)
    sign_in(client, criteria_admin)
    response = give_code(client, code_of(device), next_url="https://elsewhere.example/")
    assert response.status_code == 302 and response.url == "/"
