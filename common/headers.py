"""Headers every page and export carries (issue 12, finding 7); static files are served before.

- ``Cache-Control: no-store``: patient pages, print summaries, the worklist, the dashboard,
  reviews, FHIR JSON, CSV exports and the access log must not be kept by a browser's or a
  proxy's cache, where the next user of a shared computer could open them from history. Every
  response gets it, not a list of views: a new page with patient data cannot be forgotten.
- ``Permissions-Policy``: the app uses no camera, microphone, location or payment; a script
  that got in anyway may not ask for them.
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    """``no-store`` and the Permissions-Policy on every response that is not a static file."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
