"""CDS Hooks: no NUL, oversized or malformed value gives a 500 (issue 12, finding 5)."""

import json
import time
import uuid

import jwt
import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidacy.interop import cds
from patients.audit.models import AccessEvent

from . import test_cds_hooks as hooks
from .test_cds_hooks import call, hook_request, token

# The CDS tests' fixtures: the registered EHR, its key, the base URL the audience is built on.
base_url, ec_key, ehr = hooks.base_url, hooks.ec_key, hooks.ehr

pytestmark = pytest.mark.django_db
SERVICE = "/cds-services/candidacy-screen"


def unsigned(**claims) -> str:
    now = int(time.time())
    body = {"sub": "x", "aud": "y", "iat": now, "exp": now + 60, "jti": "j", **claims}
    return jwt.encode(body, "not-a-registered-key-but-long-enough-for-hs256", algorithm="HS256")


def test_a_nul_in_the_issuer_is_refused_without_a_valid_key():
    # Before: the issuer reached the CdsClient query and PostgreSQL raised (a 500).
    response = call(unsigned(iss="https://ehr\x00.example.org"))
    assert response.status_code == 401
    event = AccessEvent.objects.get()
    assert (event.action, event.status, event.actor) == (
        "denied",
        401,
        "CDS caller with a refused token",
    )
    assert "issuer" in event.detail and "\x00" not in event.detail


def test_a_nul_in_the_jti_of_a_signed_token_is_refused(ehr, ec_key):
    response = call(token(ec_key, jti="abc\x00def"))
    assert response.status_code == 401
    assert "jti" in AccessEvent.objects.get().detail


def test_a_nul_in_the_patient_id_is_a_400(ehr, ec_key):
    response = call(token(ec_key), hook_request(patient_id="ehr\x00patient"))
    assert response.status_code == 400
    assert response.json() == {"error": cds.BAD_PATIENT_ID}


def test_an_oversized_patient_id_is_a_400(ehr, ec_key):
    response = call(token(ec_key), hook_request(patient_id="p" * 100_000))
    assert response.status_code == 400


TEXT = st.text(st.characters(codec="utf-8"), max_size=300)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    authorization=TEXT, body=st.binary(max_size=500) | JSON_VALUES.map(json.dumps).map(str.encode)
)
def test_any_authorization_and_body_get_an_answer_never_a_500(authorization, body):
    response = Client(raise_request_exception=False).post(
        SERVICE, data=body, content_type="application/json", HTTP_AUTHORIZATION=authorization
    )
    assert response.status_code in (400, 401)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    claims=st.dictionaries(
        st.sampled_from(["iss", "sub", "aud", "exp", "iat", "jti", "kid"]), JSON_VALUES
    )
)
def test_any_claims_unsigned_get_a_401_never_a_500(claims):
    try:
        bearer = jwt.encode(claims, "k" * 32, algorithm="HS256")
    except (TypeError, ValueError):
        return  # not even encodable
    response = Client(raise_request_exception=False).post(
        SERVICE, data="{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {bearer}"
    )
    assert response.status_code in (400, 401)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(patient_id=JSON_VALUES, hook_instance=JSON_VALUES)
def test_a_signed_call_with_any_context_gets_cards_or_a_400(ehr, ec_key, patient_id, hook_instance):
    body = hook_request(patient_id=patient_id, hookInstance=hook_instance)
    response = Client(raise_request_exception=False).post(
        SERVICE,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(ec_key, jti=str(uuid.uuid4()))}",
    )
    assert response.status_code in (200, 400)
