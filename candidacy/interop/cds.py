"""CDS Hooks 2.0: who is calling (the signed token), which patient, and the card we answer with.

Trust works as the specification's security section says: the EHR (the "CDS client")
signs a short-lived JWT with its private key for every call; an administrator registered
its issuer and public key (``CdsClient``). We verify the signature with that key only —
never with a key the token points to (``jku``), which would let anyone sign — and check
``aud`` (this endpoint's URL), ``exp`` (required, at most five minutes ahead), ``iat``,
``sub`` and a ``jti`` never seen before. Any failure is one generic 401; the precise
reason goes to the log, so a caller cannot probe which issuers exist.

A verified client sees the patients of its centres only. An unknown patient, or one of
another centre, gets an empty card list: the same answer as "nothing to say".
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from common.links import absolute_url
from patients.models import Patient
from rules.result import (
    DECISION_SUPPORT,
    MET,
    OUTCOME_PHRASES,
    Line,
    Result,
    format_date,
    reason_text,
)
from rules.specs import INCOMPLETE

from .fhir import value_with_unit
from .models import CdsClient, CdsTokenUse

logger = logging.getLogger(__name__)

HOOK = "patient-view"
SERVICE_ID = "candidacy-screen"
SERVICE_TITLE = "Stem cell transplant screening"
SERVICE_DESCRIPTION = (
    "Shows the current Candidacy screening of a patient with severe autoimmune disease for "
    "autologous haematopoietic stem cell transplantation: band, score and main reasons, with a "
    "link to the full explanation. Decision support only; the team decides."
)
USAGE_REQUIREMENTS = (
    "An administrator of Candidacy registers the EHR (issuer, public key, centres) first."
)

# --- Token checks ---------------------------------------------------------------------------

# The specification's algorithms, chosen by the registered key's type, never by the token.
ALGORITHM_FOR_KEY = {"EC": "ES384", "RSA": "RS384"}
MIN_RSA_BITS = 2048
REQUIRED_CLAIMS = ("iss", "sub", "aud", "exp", "iat", "jti")
NUMERIC_DATE_CLAIMS = (
    "exp",
    "iat",
    "nbf",
)  # each, when present, a JSON number (RFC 7519 NumericDate)
MAX_TOKEN_LIFETIME_SECONDS = 5 * 60  # CDS Hooks: exp no more than five minutes in the future
CLOCK_LEEWAY_SECONDS = 30  # the EHR's clock and ours may differ a little
MAX_JTI_LENGTH = 255
MAX_ISSUER_LENGTH = 255  # CdsClient.issuer
PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")

UNAUTHORIZED = "A valid CDS Hooks token from a registered, active client is required."
KEY_MISSING = "Enter the client's public key."
KEY_UNREADABLE = "This is not a JWK, a JWK Set or a PEM public key."
KEY_PRIVATE = (
    "This is a private key. Enter the client's public key only; the private key stays with the EHR."
)
KEY_UNSUPPORTED = "Use an EC P-384 key (ES384) or an RSA key of at least 2048 bits (RS384)."
KEY_NEEDS_KID = "With several keys in the set, every key needs a distinct kid."

# --- Request checks -------------------------------------------------------------------------

BAD_JSON = "The request body must be a JSON object."
WRONG_HOOK = f"This service answers the {HOOK} hook only."
NO_HOOK_INSTANCE = "hookInstance is required."
NO_PATIENT_ID = "context.patientId is required."
BAD_PATIENT_ID = "context.patientId must be a FHIR id: up to 64 letters, digits, '-' or '.'."
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")  # FHIR R4 id

# --- Card -----------------------------------------------------------------------------------

CARD_SUMMARY = "Stem cell transplant screening: {band} ({score}/100). " + DECISION_SUPPORT
CARD_SUMMARY_GATED = "Stem cell transplant screening: {band}. " + DECISION_SUPPORT
CARD_SOURCE_LABEL = "Candidacy transplant screening"
CARD_LINK_LABEL = "Open the screening in Candidacy"
CARD_HEADLINE = (
    "**{band}**, score {score} of 100 (rule set {ruleset}, version {version}; as of {as_of})."
)
CARD_HEADLINE_GATED = "**{band}** (rule set {ruleset}, version {version}; as of {as_of})."
CARD_REASONS_HEADING = "Main reasons:"
CARD_MORE_REASONS = "and {count} more in Candidacy"
CARD_FOOTER = DECISION_SUPPORT + " The full explanation, with its sources, is in Candidacy."
SUMMARY_MAX_LENGTH = 139  # the specification: fewer than 140 characters
MAX_CARD_REASONS = 4
INDICATOR_INFO, INDICATOR_WARNING = "info", "warning"


class CdsKeyError(ValueError):
    """A registered public key that cannot be used; the message is shown in the admin."""


class CdsAuthError(Exception):
    """The call is not from a registered, active client; the message is for the log only."""


class CdsRequestError(ValueError):
    """A well-authenticated but malformed hook request; the message is returned (400)."""


@dataclass(frozen=True)
class PublicKey:
    kid: str | None
    key: Any
    algorithm: str


def service_audience() -> str:
    """The aud a token must carry: the URL of the service endpoint, as the EHR calls it."""
    return absolute_url(reverse("interop:cds_screen"))


def discovery() -> dict:
    """The discovery document. No prefetch: we answer from our stored screening, not the EHR's data."""
    return {
        "services": [
            {
                "hook": HOOK,
                "id": SERVICE_ID,
                "title": SERVICE_TITLE,
                "description": SERVICE_DESCRIPTION,
                "usageRequirements": USAGE_REQUIREMENTS,
            }
        ]
    }


def _checked(kid: str | None, key: Any) -> PublicKey:
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP384R1):
            raise CdsKeyError(KEY_UNSUPPORTED)
        return PublicKey(kid, key, ALGORITHM_FOR_KEY["EC"])
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise CdsKeyError(KEY_UNSUPPORTED)
        return PublicKey(kid, key, ALGORITHM_FOR_KEY["RSA"])
    if isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise CdsKeyError(KEY_PRIVATE)
    raise CdsKeyError(KEY_UNSUPPORTED)  # symmetric (oct) or other key types


def parse_public_keys(text: str) -> list[PublicKey]:
    """The usable keys in a registered key: one JWK, a JWK Set (for rotation) or PEM.

    Pure: raises CdsKeyError with a message for the admin form.
    """
    text = (text or "").strip()
    if not text:
        raise CdsKeyError(KEY_MISSING)
    if text.startswith("-----BEGIN"):
        if "PRIVATE KEY" in text.split("\n", 1)[0]:
            raise CdsKeyError(KEY_PRIVATE)
        try:
            key = serialization.load_pem_public_key(text.encode())
        except (ValueError, TypeError) as error:
            raise CdsKeyError(KEY_UNREADABLE) from error
        return [_checked(None, key)]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CdsKeyError(KEY_UNREADABLE) from error
    jwks = data.get("keys") if isinstance(data, dict) and "keys" in data else [data]
    if not isinstance(jwks, list) or not jwks or not all(isinstance(j, dict) for j in jwks):
        raise CdsKeyError(KEY_UNREADABLE)
    keys = []
    for jwk in jwks:
        if any(member in jwk for member in PRIVATE_JWK_MEMBERS):
            raise CdsKeyError(KEY_PRIVATE)
        try:
            key = jwt.PyJWK(jwk).key
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
            raise CdsKeyError(KEY_UNREADABLE) from error
        keys.append(_checked(jwk.get("kid"), key))
    kids = [k.kid for k in keys]
    if len(keys) > 1 and (None in kids or len(set(kids)) != len(kids)):
        raise CdsKeyError(KEY_NEEDS_KID)
    return keys


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CdsAuthError("no bearer token")
    return token.strip()


def _key_for(keys: list[PublicKey], header: dict) -> PublicKey:
    if len(keys) == 1:
        return keys[0]
    for key in keys:
        if key.kid == header.get("kid"):
            return key
    raise CdsAuthError("no registered key with the token's kid")


def _usable_text(value: Any, max_length: int) -> bool:
    """A claim we may look up or store: text, not empty, not too long, no control character
    (a NUL would reach PostgreSQL, which cannot store one)."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= max_length
        and not any(ch < " " for ch in value)
    )


def _remember_jti(client: CdsClient, jti: Any, exp: int) -> None:
    if not _usable_text(jti, MAX_JTI_LENGTH):
        raise CdsAuthError("unusable jti")
    CdsTokenUse.objects.filter(expires_at__lt=timezone.now()).delete()
    # Kept until the token could no longer pass the exp check, leeway included.
    expires_at = datetime.fromtimestamp(exp + CLOCK_LEEWAY_SECONDS, tz=UTC)
    try:
        # A savepoint, so a replay does not break a surrounding transaction.
        with transaction.atomic():
            CdsTokenUse.objects.create(client=client, jti=jti, expires_at=expires_at)
    except IntegrityError as error:
        raise CdsAuthError("replayed jti") from error


def verify_client_token(authorization: str | None, *, audience: str) -> CdsClient:
    """The registered, active client that signed this Authorization header, or CdsAuthError.

    Records the token's jti, so the same token is refused the second time.
    """
    token = _bearer(authorization)
    try:
        header = jwt.get_unverified_header(token)
        # Read unverified only to find whose key to verify with; nothing else is trusted yet.
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError as error:
        raise CdsAuthError(f"malformed token: {error}") from error
    if not _usable_text(issuer, MAX_ISSUER_LENGTH):
        raise CdsAuthError("no usable issuer")
    client = CdsClient.objects.filter(issuer=issuer, is_active=True).first()
    if client is None:
        raise CdsAuthError(f"unknown or inactive issuer {issuer!r}")
    try:
        key = _key_for(parse_public_keys(client.public_key), header)
    except CdsKeyError as error:
        raise CdsAuthError(f"the registered key of {issuer!r} is unusable") from error
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[key.algorithm],
            audience=audience,
            issuer=client.issuer,
            leeway=CLOCK_LEEWAY_SECONDS,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.PyJWTError as error:
        raise CdsAuthError(f"token of {issuer!r} refused: {error}") from error
    # PyJWT accepts a numeric string ("1700000000") for these; RFC 7519 says NumericDate, a number.
    for name in NUMERIC_DATE_CLAIMS:
        value = claims.get(name)
        if name in claims and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise CdsAuthError(f"token of {issuer!r} refused: {name} is not a number")
    if claims["exp"] > time.time() + MAX_TOKEN_LIFETIME_SECONDS + CLOCK_LEEWAY_SECONDS:
        raise CdsAuthError(f"token of {issuer!r} lives longer than five minutes")
    _remember_jti(client, claims["jti"], int(claims["exp"]))
    return client


def parse_hook_request(body: bytes) -> str:
    """The FHIR id of the patient in view, from a patient-view request, or CdsRequestError."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CdsRequestError(BAD_JSON) from error
    if not isinstance(data, dict):
        raise CdsRequestError(BAD_JSON)
    if data.get("hook") != HOOK:
        raise CdsRequestError(WRONG_HOOK)
    if not isinstance(data.get("hookInstance"), str) or not data["hookInstance"]:
        raise CdsRequestError(NO_HOOK_INSTANCE)
    context = data.get("context")
    patient_id = context.get("patientId") if isinstance(context, dict) else None
    if not isinstance(patient_id, str) or not patient_id.strip():
        raise CdsRequestError(NO_PATIENT_ID)
    if not FHIR_ID.fullmatch(patient_id.strip()):
        raise CdsRequestError(BAD_PATIENT_ID)
    return patient_id.strip()


def client_patient(client: CdsClient, fhir_id: str) -> Patient | None:
    """The patient the EHR means, among the client's centres only; None if unknown or ambiguous.

    Patient.fhir_id is unique only within the EHR it came from. Two matches mean the client
    was given centres fed by different EHRs (or one patient imported twice): rather than
    guess, and risk showing another person's screening, say nothing and log it.
    """
    if not fhir_id:
        return None
    matches = list(
        Patient.objects.filter(
            fhir_id=fhir_id, centre_id__in=list(client.centres.values_list("pk", flat=True))
        ).select_related("centre")[:2]
    )
    if len(matches) > 1:
        logger.warning(
            "CDS client %s: FHIR patient id %r matches several patients; no card",
            client.pk,
            fhir_id,
        )
        return None
    return matches[0] if matches else None


def _md(text: str) -> str:
    """Text made literal in markdown: labels come from the rule set and may hold > or *."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def _line_reason(line: Line) -> str:
    when = f" ({format_date(line.value_on)})" if line.value_on else ""
    return (
        f"{line.label or line.key}: {value_with_unit(line)}{when} — {OUTCOME_PHRASES[line.outcome]}"
    )


def main_reasons(result: Result) -> list[str]:
    """Why the band is what it is: the band's own reasons or, for a scored band (which has
    none), the scored criteria met, the heaviest first."""
    if result.reasons:
        return [reason_text(r)[:1].upper() + reason_text(r)[1:] for r in result.reasons]
    counted = sorted(
        (ln for ln in result.lines if ln.outcome == MET and ln.points > 0),
        key=lambda ln: -ln.points,
    )
    return [_line_reason(ln) for ln in counted]


def indicator_for(band: str) -> str:
    """Information whatever the band, except missing data, which someone can act on now."""
    return INDICATOR_WARNING if band == INCOMPLETE else INDICATOR_INFO


def screening_card(result: Result, *, as_of, card_uuid: str, patient_url: str) -> dict:
    """The one card for a screening. Pure: no name or MRN, the EHR already shows who it is."""
    gated = result.score is None  # Not indicated, Trial only, Excluded: no score to show
    summary = (CARD_SUMMARY_GATED if gated else CARD_SUMMARY).format(
        band=result.band, score=result.score
    )
    reasons = main_reasons(result)
    lines = [
        (CARD_HEADLINE_GATED if gated else CARD_HEADLINE).format(
            band=_md(result.band),
            score=result.score,
            ruleset=_md(result.ruleset_name),
            version=_md(result.ruleset_version),
            as_of=format_date(as_of),
        ),
    ]
    if reasons:
        lines += ["", CARD_REASONS_HEADING]
        lines += [f"- {_md(r)}" for r in reasons[:MAX_CARD_REASONS]]
        if len(reasons) > MAX_CARD_REASONS:
            lines.append(f"- {CARD_MORE_REASONS.format(count=len(reasons) - MAX_CARD_REASONS)}")
    lines += ["", CARD_FOOTER]
    return {
        "uuid": card_uuid,
        "summary": summary[:SUMMARY_MAX_LENGTH],
        "indicator": indicator_for(result.band),
        "detail": "\n".join(lines),
        "source": {"label": CARD_SOURCE_LABEL, "url": absolute_url("/")},
        "links": [{"label": CARD_LINK_LABEL, "url": patient_url, "type": "absolute"}],
    }
