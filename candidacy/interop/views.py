"""FHIR and CDS Hooks endpoints. Thin: authenticate, find the patient in scope, build, answer.

The FHIR read is for signed-in users (the session, as every page; anonymous callers are
sent to the login page by LoginRequiredMiddleware). The two CDS Hooks endpoints are
called by EHR servers, not browsers: they carry no session and no CSRF token, so they
alone are exempt from both, and the service authenticates the EHR's signed token itself.
"""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from common.links import absolute_url
from patients.audit.log import EHR_DECISION_SUPPORT, EHR_REQUEST, access_logged, note_access
from patients.models import Patient

from ..screening.models import Screening
from ..screening.selectors import result_of
from ..screening.staleness import staleness_of
from . import cds, fhir
from .stale_card import card_out_of_date

logger = logging.getLogger(__name__)

CDS_CARD = "CDS Hooks card"
CDS_NO_CARD = "CDS Hooks: no card (patient unknown here, or not screened)"
CDS_UNVERIFIED = "CDS caller with a refused token"


def _fhir_response(resource, status: int = 200) -> HttpResponse:
    return HttpResponse(resource.model_dump_json(), status=status, content_type=fhir.FHIR_JSON)


@require_GET
@access_logged("FHIR RiskAssessment", reason=EHR_REQUEST)
def patient_screening(request, public_id):
    """GET /fhir/Patient/<uuid>/$screening: the current screening as a RiskAssessment."""
    # Scope first: a patient of another centre is "not found", exactly like an unknown one.
    patient = Patient.objects.visible_to(request.user).filter(public_id=public_id).first()
    if patient is None:
        return _fhir_response(fhir.operation_outcome("not-found", fhir.NOT_FOUND), status=404)
    note_access(request, patient=patient)
    if not request.user.has_perm("patients.view_patient"):
        raise PermissionDenied
    screening = Screening.objects.of_patient(patient.pk)
    if screening is None:
        return _fhir_response(fhir.operation_outcome("not-found", fhir.NO_SCREENING), status=404)
    stale = staleness_of(screening, patient)
    resource = fhir.risk_assessment(screening, result_of(screening), patient, str(stale or ""))
    return _fhir_response(resource)


@login_not_required
@csrf_exempt
@require_GET
def cds_discovery(request):
    """GET /cds-services: public, as the specification allows; it holds no patient data."""
    return JsonResponse(cds.discovery())


def _unauthorized() -> JsonResponse:
    response = JsonResponse({"error": cds.UNAUTHORIZED}, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@login_not_required
@csrf_exempt
@require_POST
@access_logged(CDS_CARD, reason=EHR_DECISION_SUPPORT)
def cds_candidacy_screen(request):
    """POST /cds-services/candidacy-screen: the patient-view hook. The token is checked first.

    Every call is in the access log, a refused token too (with the reason the caller is not
    told), under the EHR that signed it."""
    try:
        client = cds.verify_client_token(
            request.headers.get("Authorization"), audience=cds.service_audience()
        )
    except cds.CdsAuthError as error:
        logger.warning("CDS Hooks call refused: %s", error)
        note_access(request, actor=CDS_UNVERIFIED, detail=f"Token refused: {error}")
        return _unauthorized()
    note_access(request, actor=f"CDS client {client.name} ({client.issuer})")
    try:
        fhir_patient_id = cds.parse_hook_request(request.body)
    except cds.CdsRequestError as error:
        note_access(request, detail=f"Request refused: {error}")
        return JsonResponse({"error": str(error)}, status=400)
    patient = cds.client_patient(client, fhir_patient_id)
    note_access(request, patient=patient, patient_ref=fhir_patient_id)
    screening = Screening.objects.of_patient(patient.pk) if patient is not None else None
    if patient is None or screening is None:
        note_access(request, what=CDS_NO_CARD)
        return JsonResponse({"cards": []})
    card = cds.screening_card(
        result_of(screening),
        as_of=screening.as_of,
        card_uuid=str(uuid.uuid4()),
        patient_url=absolute_url(reverse("patients:detail", args=[patient.public_id])),
    )
    card = card_out_of_date(card, str(staleness_of(screening, patient) or ""))
    return JsonResponse({"cards": [card]})
