"""A criteria admin sets up two-step sign-in at the first sign-in, keeps the recovery codes,
signs out, and signs in again with a code from the app."""

import datetime
import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.mfa.services import RECOVERY_CODE_COUNT
from config.mfa.views import ENROLLED, WRONG_CODE

from ..factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password_step(page, live_server):
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "critadmin")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")


def test_a_criteria_admin_enrols_then_signs_in_with_a_code(
    page, live_server, criteria_admin, clock, screenshot
):
    password_step(page, live_server)
    assert page.url.startswith(f"{live_server.url}/accounts/mfa/enrol/")
    assert page.locator("#mfa-qr svg").count() == 1
    screenshot("mfa-enrol")
    # The secret as a person would type it into the app; the app's code, computed here.
    key = b32decode(page.inner_text("#mfa-secret").replace(" ", ""))
    page.fill("#id_code", f"{totp(key):06d}")
    page.click("#mfa-enrol button[type=submit]")
    page.wait_for_selector(f"text={ENROLLED}")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == RECOVERY_CODE_COUNT and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    screenshot("mfa-recovery-codes")
    page.get_by_role("link", name="I have kept them, continue").click()
    assert page.url == f"{live_server.url}/admin/rules/ruleset/"  # lands on the rule sets

    page.goto(f"{live_server.url}/criteria/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")

    # The next sign-in asks for a code: a wrong one is refused, the app's opens the admin.
    clock.shift(datetime.timedelta(seconds=31))  # a new TOTP step: each code works once
    password_step(page, live_server)
    assert page.url.startswith(f"{live_server.url}/accounts/mfa/verify/")
    page.goto(f"{live_server.url}/admin/")
    assert page.url.startswith(f"{live_server.url}/accounts/mfa/verify/")
    code = f"{totp(key):06d}"
    page.fill("#id_code", f"{(int(code) + 500_000) % 1_000_000:06d}")
    page.click("#mfa-verify button[type=submit]")
    page.wait_for_selector(f"text={WRONG_CODE}")
    screenshot("mfa-wrong-code")
    clock.shift(datetime.timedelta(seconds=2))  # the wait after one wrong code
    page.fill("#id_code", f"{totp(key):06d}")
    page.click("#mfa-verify button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert TOTPDevice.objects.get(user=criteria_admin).confirmed
