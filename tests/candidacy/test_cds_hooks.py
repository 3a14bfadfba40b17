"""CDS Hooks 2.0: discovery, the patient-view card, and the signed token every call must carry."""

import base64
import datetime
import hashlib
import hmac
import json
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from candidacy.interop import cds
from candidacy.interop.models import CdsClient, CdsTokenUse
from rules.result import DECISION_SUPPORT
from rules.specs import INCOMPLETE, STRONG

from ..clock import FROZEN_NOW
from ..factories import UserFactory
from .conftest import SSC_FIRST_LINE_FAILED

pytestmark = pytest.mark.django_db

BASE_URL = "https://candidacy.example.org"
AUDIENCE = f"{BASE_URL}/cds-services/candidacy-screen"
ISSUER = "https://ehr.north.example.org"
EHR_PATIENT_ID = "ehr-patient-1"
SERVICE = "/cds-services/candidacy-screen"
INDICATORS = {"info", "warning", "critical"}
STRONG_VALUES = {"relapses_12m": 2, "new_mri_lesions_12m": 3, "edss": 3.5}
STRONG_TREATMENTS = [
    ("interferon_beta", 1500, 1000, "inadequate_response"),
    ("natalizumab", 900, 20, "inadequate_response"),
]


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.CANDIDACY_BASE_URL = BASE_URL


@pytest.fixture(scope="module")
def ec_key():
    return ec.generate_private_key(ec.SECP384R1())


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(private_key, **extra) -> dict:
    algorithm = ECAlgorithm if isinstance(private_key, ec.EllipticCurvePrivateKey) else RSAAlgorithm
    return {**json.loads(algorithm.to_jwk(private_key.public_key())), **extra}


@pytest.fixture
def ehr(centre, ec_key):
    client = CdsClient.objects.create(
        name="North EHR", issuer=ISSUER, public_key=json.dumps(public_jwk(ec_key))
    )
    client.centres.add(centre)
    return client


def claims(**overrides) -> dict:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "sub": "north-ehr",
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 120,
        "jti": str(uuid.uuid4()),
    }
    return {k: v for k, v in {**base, **overrides}.items() if v is not None}


def token(key, algorithm="ES384", headers=None, **overrides) -> str:
    return jwt.encode(claims(**overrides), key, algorithm=algorithm, headers=headers)


def hook_request(patient_id=EHR_PATIENT_ID, **overrides) -> dict:
    return {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "fhirServer": "https://ehr.north.example.org/fhir",
        "context": {"userId": "Practitioner/123", "patientId": patient_id},
        **overrides,
    }


def call(bearer, body=None):
    # A fresh client that enforces CSRF, as a server-to-server caller would meet it.
    headers = {"HTTP_AUTHORIZATION": f"Bearer {bearer}"} if bearer is not None else {}
    return Client(enforce_csrf_checks=True).post(
        SERVICE, data=json.dumps(body or hook_request()), content_type="application/json", **headers
    )


@pytest.fixture
def strong_ehr_patient(make_patient):
    # ECTRIMS/EBMT 2025: RRMS, active despite natalizumab, EDSS 3.5, age 34, fit; imported from the EHR.
    return make_patient(
        "ms_rr", age=34, fhir_id=EHR_PATIENT_ID, values=STRONG_VALUES, treatments=STRONG_TREATMENTS
    )


# --- Discovery --------------------------------------------------------------------------------


def test_discovery_lists_the_patient_view_service_without_signing_in():
    response = Client().get(reverse("interop:cds_discovery"))
    assert response.status_code == 200
    assert reverse("interop:cds_discovery") == "/cds-services"
    services = response.json()["services"]
    assert [s["hook"] for s in services] == ["patient-view"]
    service = services[0]
    assert service["id"] == "candidacy-screen"
    assert service["description"] and service["title"]
    assert "prefetch" not in service or isinstance(service["prefetch"], dict)
    assert reverse("interop:cds_screen") == f"/cds-services/{service['id']}"


# --- The card ---------------------------------------------------------------------------------


def test_a_signed_call_gets_a_card_with_the_band_reasons_and_a_link(
    ehr, ec_key, strong_ehr_patient
):
    response = call(token(ec_key))
    assert response.status_code == 200
    [card] = response.json()["cards"]
    assert len(card["summary"]) < 140
    assert STRONG in card["summary"] and DECISION_SUPPORT in card["summary"]
    assert card["indicator"] in INDICATORS and card["indicator"] == "info"
    assert card["source"]["label"] == cds.CARD_SOURCE_LABEL
    assert uuid.UUID(card["uuid"])
    assert card["links"] == [
        {
            "label": cds.CARD_LINK_LABEL,
            "type": "absolute",
            "url": f"{BASE_URL}/patients/{strong_ehr_patient.public_id}/",
        }
    ]
    assert cds.CARD_REASONS_HEADING in card["detail"]
    assert "- A high-efficacy DMT has failed: yes" in card["detail"]
    assert "- Karnofsky above 60: 90 % (" in card["detail"]
    assert DECISION_SUPPORT in card["detail"]
    # The EHR knows who the patient is: the card repeats neither name nor MRN.
    body = response.content.decode()
    assert strong_ehr_patient.mrn not in body and strong_ehr_patient.family_name not in body


def test_an_rs384_client_is_accepted(ehr, rsa_key, strong_ehr_patient):
    ehr.public_key = json.dumps(public_jwk(rsa_key))
    ehr.save()
    assert call(token(rsa_key, "RS384")).json()["cards"][0]["indicator"] == "info"


def test_a_jwk_set_picks_the_key_by_kid(ehr, ec_key, rsa_key, strong_ehr_patient):
    ehr.public_key = json.dumps(
        {"keys": [public_jwk(ec_key, kid="ec-1"), public_jwk(rsa_key, kid="rsa-1")]}
    )
    ehr.save()
    assert len(call(token(rsa_key, "RS384", headers={"kid": "rsa-1"})).json()["cards"]) == 1
    assert call(token(rsa_key, "RS384", headers={"kid": "ec-1"})).status_code == 401


def test_missing_data_is_a_warning_naming_what_is_missing(ehr, ec_key, make_patient):
    from candidacy.screening.services import screening_record

    # EBMT 2017 / ASTIS: LVEF is required to screen SSc.
    patient = make_patient(
        "ssc",
        age=45,
        fhir_id=EHR_PATIENT_ID,
        values={"mrss": 24, "ssc_lung": 1},
        treatments=SSC_FIRST_LINE_FAILED,
    )
    patient.assessments.get().values.filter(item="lvef").delete()
    screening_record(patient=patient)
    [card] = call(token(ec_key)).json()["cards"]
    assert INCOMPLETE in card["summary"]
    assert card["indicator"] == "warning"
    assert "Required data missing or out of date" in card["detail"]


# --- Say nothing ------------------------------------------------------------------------------


def test_a_gated_band_gets_a_card_without_a_score(ehr, ec_key, make_patient):
    # EBMT 2012: type 1 diabetes, autologous D -> Trial only, which shows no score.
    make_patient("t1d", age=22, fhir_id=EHR_PATIENT_ID)
    [card] = call(token(ec_key)).json()["cards"]
    assert card["summary"].startswith("Stem cell transplant screening: Trial only.")
    assert "/100" not in card["summary"] and "score" not in card["detail"].split("\n")[0]


def test_a_patient_of_another_centre_gets_no_card(ehr, ec_key, make_patient, other_centre):
    make_patient(
        "ms_rr",
        centre=other_centre,
        fhir_id=EHR_PATIENT_ID,
        values=STRONG_VALUES,
        treatments=STRONG_TREATMENTS,
    )
    response = call(token(ec_key))
    assert response.status_code == 200
    assert response.json() == {"cards": []}


def test_an_unknown_patient_gets_no_card(ehr, ec_key, strong_ehr_patient):
    assert call(token(ec_key), hook_request(patient_id="someone-else")).json() == {"cards": []}


def test_a_patient_without_a_screening_gets_no_card(ehr, ec_key, make_patient):
    make_patient("ms_rr", fhir_id=EHR_PATIENT_ID, screen=False)
    assert call(token(ec_key)).json() == {"cards": []}


def test_an_ambiguous_ehr_id_gets_no_card(
    ehr, ec_key, make_patient, other_centre, strong_ehr_patient
):
    # The same FHIR id in two of the client's centres may be two people: do not guess.
    ehr.centres.add(other_centre)
    make_patient("ms_rr", centre=other_centre, fhir_id=EHR_PATIENT_ID)
    assert call(token(ec_key)).json() == {"cards": []}


# --- The token --------------------------------------------------------------------------------

OTHER_EC_KEY = ec.generate_private_key(ec.SECP384R1())
P256_KEY = ec.generate_private_key(ec.SECP256R1())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hmac_token(payload: dict, secret: bytes) -> str:
    """Signed by hand: PyJWT itself refuses to use a public key as an HMAC secret."""
    signing_input = f"{_b64(json.dumps({'alg': 'HS384', 'typ': 'JWT'}).encode())}.{_b64(json.dumps(payload).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha384).digest()
    return f"{signing_input}.{_b64(signature)}"


def _refused_tokens(ec_key) -> dict:
    now = int(time.time())
    return {
        # No Authorization header at all.
        "missing": None,
        "not a jwt": "not-a-token",
        "signed by another key": token(OTHER_EC_KEY),
        "unknown issuer": token(ec_key, iss="https://intruder.example.org"),
        "wrong audience": token(ec_key, aud=f"{BASE_URL}/cds-services/another-service"),
        "expired": token(ec_key, iat=now - 600, exp=now - 300),
        "no exp": token(ec_key, exp=None),
        "no jti": token(ec_key, jti=None),
        "no sub": token(ec_key, sub=None),
        # The specification: exp no more than five minutes ahead.
        "lives an hour": token(ec_key, exp=now + 3600),
        "issued in the future": token(ec_key, iat=now + 600, exp=now + 700),
        # NumericDate claims written as strings: PyJWT lets them through, so the service checks the type.
        "exp a numeric string": token(ec_key, exp=str(now + 60)),
        "iat a numeric string": token(ec_key, iat=str(now)),
        "nbf a numeric string": token(ec_key, nbf=str(now - 10)),
        "exp a boolean": token(ec_key, exp=True),
        "alg none": jwt.encode(claims(), None, algorithm="none"),
        # Algorithm confusion: the public key used as an HMAC secret.
        "hs384 with the public key": hmac_token(claims(), json.dumps(public_jwk(ec_key)).encode()),
        "es256 with a p-256 key": token(P256_KEY, "ES256"),
    }


REFUSALS = list(_refused_tokens(OTHER_EC_KEY))


@pytest.mark.parametrize("case", REFUSALS)
def test_a_call_without_a_valid_token_gets_401_and_nothing_about_patients(
    case, ehr, ec_key, strong_ehr_patient
):
    response = call(_refused_tokens(ec_key)[case])
    assert response.status_code == 401
    assert response.json() == {"error": cds.UNAUTHORIZED}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_inactive_client_is_refused(ehr, ec_key, strong_ehr_patient):
    ehr.is_active = False
    ehr.save()
    assert call(token(ec_key)).status_code == 401


def test_a_replayed_token_is_refused(ehr, ec_key, strong_ehr_patient):
    bearer = token(ec_key)
    assert call(bearer).status_code == 200
    assert call(bearer).status_code == 401


def test_the_same_jti_from_another_client_is_its_own(ehr, ec_key, rsa_key, strong_ehr_patient):
    other = CdsClient.objects.create(
        name="South EHR",
        issuer="https://south.example.org",
        public_key=json.dumps(public_jwk(rsa_key)),
    )
    assert call(token(ec_key, jti="shared")).status_code == 200
    assert call(token(rsa_key, "RS384", iss=other.issuer, jti="shared")).json() == {"cards": []}


def test_used_token_ids_are_forgotten_once_expired(ehr, ec_key, strong_ehr_patient):
    CdsTokenUse.objects.create(
        client=ehr, jti="old", expires_at=FROZEN_NOW - datetime.timedelta(minutes=1)
    )
    call(token(ec_key))
    assert list(CdsTokenUse.objects.values_list("jti", flat=True)) != ["old"]
    assert not CdsTokenUse.objects.filter(jti="old").exists()


def test_the_token_is_checked_before_the_request_is_read(ehr):
    response = call(None, {"hook": "order-sign"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body, message",
    [
        (hook_request(hook="order-sign"), cds.WRONG_HOOK),
        ({**hook_request(), "context": {}}, cds.NO_PATIENT_ID),
        ({k: v for k, v in hook_request().items() if k != "hookInstance"}, cds.NO_HOOK_INSTANCE),
    ],
)
def test_a_malformed_request_from_a_valid_client_is_a_400(body, message, ehr, ec_key):
    response = call(token(ec_key), body)
    assert response.status_code == 400
    assert response.json() == {"error": message}


def test_the_service_answers_post_only(ehr, ec_key):
    response = Client().get(SERVICE, HTTP_AUTHORIZATION=f"Bearer {token(ec_key)}")
    assert response.status_code == 405


# --- Registering a client ---------------------------------------------------------------------


def pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.mark.parametrize(
    "make_key, message",
    [
        (lambda k: "hello", cds.KEY_UNREADABLE),
        (lambda k: json.dumps(json.loads(ECAlgorithm.to_jwk(k, as_dict=False))), cds.KEY_PRIVATE),
        (lambda k: json.dumps(public_jwk(P256_KEY)), cds.KEY_UNSUPPORTED),
        (
            lambda k: pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)),  # noqa: S505 (the point)
            cds.KEY_UNSUPPORTED,
        ),
        (lambda k: json.dumps({"kty": "oct", "k": "c2VjcmV0"}), cds.KEY_PRIVATE),
        (
            lambda k: k.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode(),
            cds.KEY_PRIVATE,
        ),
    ],
)
def test_an_unusable_key_is_refused_when_registering(make_key, message, ec_key):
    client = CdsClient(name="EHR", issuer=ISSUER, public_key=make_key(ec_key))
    with pytest.raises(ValidationError) as error:
        client.full_clean()
    assert error.value.message_dict["public_key"] == [message]


@pytest.mark.parametrize(
    "make_key",
    [
        lambda ec_key, rsa_key: json.dumps(public_jwk(ec_key)),
        lambda ec_key, rsa_key: pem(rsa_key),
        lambda ec_key, rsa_key: json.dumps(
            {"keys": [public_jwk(ec_key, kid="a"), public_jwk(rsa_key, kid="b")]}
        ),
    ],
)
def test_a_public_jwk_jwk_set_or_pem_is_accepted(make_key, ec_key, rsa_key):
    CdsClient(name="EHR", issuer=ISSUER, public_key=make_key(ec_key, rsa_key)).full_clean()


def test_a_pem_key_verifies_calls(ehr, rsa_key, strong_ehr_patient):
    ehr.public_key = pem(rsa_key)
    ehr.save()
    assert len(call(token(rsa_key, "RS384")).json()["cards"]) == 1


def test_only_superusers_or_staff_given_the_permission_manage_clients(client_for, criteria_admin):
    url = reverse("admin:candidacy_cdsclient_changelist")
    assert client_for(criteria_admin).get(url).status_code == 403
    superuser = UserFactory(username="admin", is_staff=True, is_superuser=True)
    assert client_for(superuser).get(reverse("admin:candidacy_cdsclient_add")).status_code == 200
