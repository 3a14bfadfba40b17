"""Playwright driving Debian's Chromium (never a downloaded browser)."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CANDIDACY_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(autouse=True)
def _reference_data(migration_data):
    """Browser tests run on a transactional database; see tests/conftest.py."""


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CANDIDACY_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright runs an event loop in this thread; Django's ORM calls in the test
    # itself are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Chromium reports what the Content-Security-Policy blocked on the console: a page whose
    # script or style was refused fails its test, whatever else it checked.
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not refused, "The Content-Security-Policy blocked:\n" + "\n".join(refused)


@pytest.fixture
def screenshot(page):
    def take(name):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def sign_in(page, live_server):
    """Sign in through the form; a user who must use MFA types the code from an authenticator
    set up beforehand, as on any day after enrolment (tests/browser/test_mfa.py enrols)."""
    from django.contrib.auth import get_user_model
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from config.mfa.policy import mfa_due

    def login(username, password):
        user = get_user_model().objects.get(username=username)
        due = mfa_due(user)
        if due and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
        page.goto(f"{live_server.url}/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        if due:
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            page.fill("#id_code", f"{totp(device.bin_key):06d}")
            page.click("#mfa-verify button[type=submit]")

    return login
