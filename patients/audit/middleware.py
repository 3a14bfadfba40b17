"""Writes the access log row of each request that shows patient data (log.py says which).

Failing closed: if the row cannot be written, the page is not shown. For health data an
unrecorded read is worse than a refused one, and a database that cannot take a small insert
would fail the page soon anyway. The view has run by then: a change it saved stays saved (its
history row records it) and the user is told the page could not be shown.
"""

from __future__ import annotations

import json
import logging
import uuid

from django.db import DatabaseError
from django.db.models import Subquery
from django.http import HttpResponse

from .log import access_fields
from .models import AccessEvent

logger = logging.getLogger(__name__)

UNRECORDED = (
    "This page could not be shown because the access could not be recorded in the access "
    "log. Try again in a moment; if it keeps happening, tell your administrator."
)
JSON_PREFIXES = ("/cds-services", "/fhir/")


def _patient_of(patient, patient_ref: str):
    """The patient's id, or a subquery for the patient the URL names, whatever the user's
    centres (a refusal records whom it protected), or None."""
    from patients.models import Patient

    if patient is not None:
        return patient.pk
    try:
        public_id = uuid.UUID(patient_ref)
    except ValueError:
        return None
    return Subquery(Patient.objects.filter(public_id=public_id).values("pk")[:1])


def access_write(fields: dict) -> AccessEvent:
    """One INSERT, in the request's own autocommit: no savepoint, no other query."""
    fields = dict(fields)
    fields["patient_id"] = _patient_of(fields.pop("patient"), fields["patient_ref"])
    return AccessEvent.objects.create(**fields)


def unrecorded(request) -> HttpResponse:
    if request.path.startswith(JSON_PREFIXES):
        body = json.dumps({"error": UNRECORDED})
        return HttpResponse(body, status=503, content_type="application/json")
    return HttpResponse(UNRECORDED, status=503, content_type="text/plain; charset=utf-8")


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        fields = access_fields(request, response)
        if fields is None:
            return response
        try:
            access_write(fields)
        except DatabaseError:
            logger.exception("Access log: could not record %s %s", request.method, request.path)
            return unrecorded(request)
        return response
