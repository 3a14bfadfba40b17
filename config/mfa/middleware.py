"""Holds a user who owes the second step of signing in on the MFA pages, whatever they ask for."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from .policy import second_step_pending

# The only pages a user between the two steps may reach: the two steps, and signing out.
OPEN_URL_NAMES = ("mfa:verify", "mfa:enrol", "logout")


class RequireMfaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if second_step_pending(request) and not self._open(request.path_info):
            step = "mfa:verify" if user_has_device(request.user, confirmed=True) else "mfa:enrol"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        static = (
            settings.STATIC_URL
            if settings.STATIC_URL.startswith("/")
            else "/" + settings.STATIC_URL
        )
        return path.startswith(static) or path in {reverse(name) for name in OPEN_URL_NAMES}
