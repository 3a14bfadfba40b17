"""Response headers (issue 12, finding 7): CSP, no-store, Permissions-Policy, the proxy header."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from ..factories import PatientFactory
from ..factories_candidacy import ReviewFactory, ScreeningFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(centre):
    screening = ScreeningFactory(patient=PatientFactory(centre=centre))
    ReviewFactory(flag_screening=screening)
    return screening.patient


def pages_with_patient_data(patient):
    uuid = [patient.public_id]
    return [
        reverse("patients:detail", args=uuid),
        reverse("screening:patient_print", args=uuid),
        reverse("worklist:list"),
        reverse("worklist:why", args=uuid),
        reverse("worklist:dashboard"),
        reverse("worklist:export"),
        reverse("reviews:detail", args=uuid),
        reverse("reviews:queue"),
        reverse("interop:fhir_screening", args=uuid),
    ]


def test_every_page_with_patient_data_is_no_store_with_a_csp_and_permissions_policy(
    client_for, clinician, coordinator, patient
):
    clinician.groups.add(*coordinator.groups.all())
    client = client_for(clinician)
    for url in pages_with_patient_data(patient):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "camera=()" in response["Permissions-Policy"], url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy, url


def test_the_sign_in_page_carries_the_headers_too(client):
    response = client.get(reverse("login"))
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_audit_export_keeps_its_own_no_store(client_for, clinician, patient):
    from django.contrib.auth.models import Group

    from patients.permissions import AUDITOR

    clinician.groups.add(Group.objects.get(name=AUDITOR))
    response = client_for(clinician).get(reverse("audit:export"))
    assert response["Cache-Control"] == "no-store"


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>"), "an inline <script>"),
    (re.compile(r"<style\b"), "a <style> element"),
    (re.compile(r"\sstyle\s*="), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an on…= event handler"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: link"),
]


def test_no_template_carries_inline_script_or_style():
    """The policy refuses them in the browser; here they are caught before they ship."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern, what in INLINE:
            if pattern.search(text):
                found.append(f"{path.relative_to(ROOT)}: {what}")
    assert found == []


@override_settings(SECURE_SSL_REDIRECT=True)
def test_a_forged_forwarded_proto_is_not_trusted_without_a_proxy(client):
    response = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response.url.startswith("https://")


@pytest.mark.parametrize("behind_proxy, expected", [("", "None"), ("1", "HTTP_X_FORWARDED_PROTO")])
def test_the_forwarded_proto_is_trusted_only_behind_a_configured_proxy(behind_proxy, expected):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | {
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_BEHIND_PROXY": behind_proxy,
    }
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    result = subprocess.run(  # noqa: S603 (our own interpreter and a constant program)
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
