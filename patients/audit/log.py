"""What each view logs, and the one place a row of the access log is written.

Views say what they show with ``@access_logged("Print summary", reason=CARE)``; a view that
knows more (the patient it found, the EHR that called, why a token was refused) adds it to
the request with ``note_access``. The middleware (middleware.py) writes one row per logged
request, after the view and before the response leaves: one INSERT, no other query.

Any URL that names a patient (a ``public_id`` in its path) is logged, decorated or not, so a
refusal there (403, 404) is always recorded with the user who was refused. Lists of many
patients (the worklist, the patient list, the departures of the concordance report, the CSV
exports) log one row for the list and its filters, never one per patient: ASTM E2147 is
about access to a patient's data, and a row per listed patient would make the list as slow
as the log.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .models import AccessEvent

Action = AccessEvent.Action

# The reason for access (ASTM E2147 "reason"): the purpose of the page that granted it. The
# app has no break-the-glass; every access is within the role's purpose, which this names.
CARE = "Care of the patients of the user's centres"
REVIEW = "Transplant candidacy review"
QUALITY = "Quality review: decision concordance"
CRITERIA = "Criteria administration: rule-set preview"
EHR_REQUEST = "EHR request: FHIR RiskAssessment"
EHR_DECISION_SUPPORT = "EHR decision support: CDS Hooks patient-view"
AUDIT = "Audit of access to patient data"

REFUSED = {
    401: "Refused: no valid credentials",
    403: "Refused: the user's role may not do this",
    404: "Refused or absent: no such patient in the user's centres",
}
NOT_SERVED = "Not served: the request could not be used"
UNLISTED = "A page about this patient"
_NOTE = "_access_note"


@dataclass(frozen=True)
class AccessSpec:
    what: str
    reason: str
    action: str = Action.VIEW


def access_logged(what: str, *, reason: str = CARE, action: str = Action.VIEW):
    """Mark a view as showing patient data: each request to it is logged as ``what``."""

    def decorator(view):
        view.access_log = AccessSpec(what=what, reason=reason, action=action)
        return view

    return decorator


def note_access(request, **facts) -> None:
    """Tell the log what the view knows: ``patient``, ``patient_ref``, ``actor``, ``detail``,
    ``reason``, or ``what``. Also marks a view without a decorator as logged."""
    if not hasattr(request, _NOTE):
        setattr(request, _NOTE, {})
    getattr(request, _NOTE).update(facts)


def clip(value, length: int) -> str:
    """Text safe to store: no NUL or other control character, at most ``length`` long."""
    text = "" if value is None else str(value)
    text = "".join(ch if ch >= " " or ch in "\t" else "\ufffd" for ch in text)
    return text if len(text) <= length else text[: length - 1] + "…"


def client_address(request) -> str | None:
    from axes.helpers import get_client_ip_address

    address = get_client_ip_address(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def access_fields(request, response) -> dict | None:
    """The row to write for this request, or None when it shows no patient data."""
    match = request.resolver_match
    note = getattr(request, _NOTE, {})
    if match is None or response.status_code >= 500:
        return None
    spec = getattr(match.func, "access_log", None)
    public_id = match.kwargs.get("public_id")
    if spec is None and public_id is None and not note:
        return None
    spec = spec or AccessSpec(what=note.get("what", UNLISTED), reason=note.get("reason", CARE))
    status = response.status_code
    action: str
    if status >= 400:  # nothing of the patient was shown
        action, reason = Action.DENIED, REFUSED.get(status, NOT_SERVED)
    else:
        action = Action.CHANGE if request.method == "POST" else spec.action
        reason = note.get("reason", spec.reason)
    user = (
        request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    )
    detail = note.get("detail")
    if detail is None and spec.action in (Action.LIST, Action.EXPORT):
        detail = request.META.get("QUERY_STRING", "")
    return {
        "user": user,
        "actor": clip(note.get("actor") or (user.get_username() if user else "anonymous"), 300),
        "address": client_address(request),
        "patient": note.get("patient"),
        "patient_ref": clip(note.get("patient_ref") or public_id or "", 100),
        "action": action,
        "what": clip(note.get("what", spec.what), 200),
        "reason": clip(reason, 300),
        "status": status,
        "method": clip(request.method, 10),
        "path": clip(request.path, 300),
        "detail": clip(detail, 500),
    }
