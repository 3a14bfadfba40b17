"""Input no field may hold, refused before any view sees it.

A NUL character (U+0000) is never valid in a form field, a query parameter, a path, a header
or a cookie of this app, and PostgreSQL cannot store one in text: left to reach a query, it
raised an error deep in a view (a 500). Refusing it at the door gives one clear answer, 400,
whatever the page. Django's form CharField already refuses it; choice, date, UUID and model
choice fields did not, nor did query parameters read without a form.

JSON bodies (the CDS Hooks service) and uploaded files (FHIR bundles) are read by their own
parsers, which refuse a NUL in a value with their own messages (candidacy/interop/cds.py,
patients/fhir/bundle.py).
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.template.loader import render_to_string

NUL = "\x00"
NUL_REFUSED = (
    "The request contained a NUL character (U+0000), which no field accepts. Nothing was "
    "saved; remove the character and try again."
)
# Endpoints called by programs, which read a JSON answer rather than a page.
JSON_PREFIXES = ("/cds-services", "/fhir/")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _any_nul(values) -> bool:
    return any(NUL in value for value in values if isinstance(value, str))


def request_has_nul(request) -> bool:
    """Whether the path, the query, a header, a cookie or a form field or file name holds a NUL."""
    if NUL in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    headers = (value for key, value in request.META.items() if key.startswith("HTTP_"))
    if _any_nul(headers) or _any_nul(request.COOKIES) or _any_nul(request.COOKIES.values()):
        return True
    if request.method != "POST" or request.content_type not in FORM_TYPES:
        return False
    fields = ((key, value) for key, values in request.POST.lists() for value in [key, *values])
    names = [upload.name for uploads in request.FILES.lists() for upload in uploads[1]]
    return _any_nul(value for _, value in fields) or _any_nul(request.FILES) or _any_nul(names)


def nul_refused(request) -> HttpResponse:
    """400 with the message: JSON for the machine endpoints, a page for people."""
    if request.path.startswith(JSON_PREFIXES):
        body = json.dumps({"error": NUL_REFUSED})
        return HttpResponse(body, status=400, content_type="application/json")
    # Without the request, as Django renders its own 400: sessions and users are not read yet.
    html = render_to_string("400.html", {"message": NUL_REFUSED})
    return HttpResponse(html, status=400)


class RejectNulMiddleware:
    """Answers 400 to any request carrying a NUL, before sessions, CSRF or views read it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_nul(request):
            return nul_refused(request)
        return self.get_response(request)
