"""The pages of two-step sign-in: set up, give a code, and one's own status."""

from base64 import b32encode

import segno
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from .forms import CodeForm
from .policy import MFA_DUE_KEY, mfa_due, mfa_required
from .services import (
    Outcome,
    mfa_enrol_confirm,
    mfa_enrolment_device,
    mfa_verify,
    recovery_codes_issue,
    recovery_codes_left,
)

WRONG_CODE = "That code is not right. Check the time on your phone and try the newest code."
THROTTLED = (
    "Too many wrong codes: wait a little before the next try (each wrong code doubles the wait)."
)
RECOVERY_USED = "You signed in with a recovery code; it cannot be used again. {left} left."
ENROLLED = "Two-step sign-in is set up. Keep these recovery codes somewhere safe."
ALREADY_SET_UP = "Two-step sign-in is already set up for your account."
NEW_CODES = "New recovery codes: the old ones no longer work. Keep these somewhere safe."
MESSAGES = {Outcome.REFUSED: WRONG_CODE, Outcome.THROTTLED: THROTTLED}


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/"


def verify(request):
    """The second step: a code from the authenticator app, or a recovery code."""
    if request.user.is_verified():
        return redirect(_next(request))
    if not user_has_device(request.user, confirmed=True):
        return redirect("mfa:enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = mfa_verify(request=request, code=form.cleaned_data["code"])
        if outcome is Outcome.RECOVERY_USED:
            left = recovery_codes_left(user=request.user)
            messages.warning(request, RECOVERY_USED.format(left=left))
        if outcome in (Outcome.VERIFIED, Outcome.RECOVERY_USED):
            return redirect(_next(request))
        if not request.user.is_authenticated:  # locked out: django-axes answers
            return redirect("login")
        form.add_error("code", MESSAGES[outcome])
    return render(request, "registration/mfa/verify.html", {"form": form, "next": _next(request)})


def enrol(request):
    """Set up an authenticator app: scan the QR code (or type the secret), confirm a code."""
    if user_has_device(request.user, confirmed=True):
        if request.user.is_verified():
            messages.info(request, ALREADY_SET_UP)
            return redirect("mfa:status")
        return redirect("mfa:verify")
    device = mfa_enrolment_device(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = mfa_enrol_confirm(request=request, device=device, code=form.cleaned_data["code"])
        if isinstance(result, list):
            request.session[MFA_DUE_KEY] = True  # set up by choice: asked from now on
            return _show_codes(request, result, ENROLLED)
        if not request.user.is_authenticated:
            return redirect("login")
        form.add_error("code", MESSAGES[result])
    return render(
        request,
        "registration/mfa/enrol.html",
        {
            "form": form,
            "next": _next(request),
            "qr_svg": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4)),  # noqa: S308
            "secret": _grouped_secret(device),
            "required": mfa_required(request.user),
        },
    )


def _grouped_secret(device) -> str:
    """The secret as authenticator apps take it typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _show_codes(request, codes: list[str], message: str):
    """The recovery codes, shown on this one response and never again."""
    response = render(
        request,
        "registration/mfa/recovery_codes.html",
        {"codes": codes, "message": message, "next": _next(request)},
    )
    response["Cache-Control"] = "no-store"
    return response


def status(request):
    """One's own two-step sign-in: set it up by choice, or see how many recovery codes are left."""
    return render(
        request,
        "registration/mfa/status.html",
        {
            "enrolled": user_has_device(request.user, confirmed=True),
            "required": mfa_required(request.user),
            "due": mfa_due(request.user),
            "codes_left": recovery_codes_left(user=request.user),
        },
    )


@require_POST
def new_recovery_codes(request):
    """Replace the recovery codes (the old ones stop working), for a verified session only."""
    if not request.user.is_verified():
        return redirect("mfa:verify")
    return _show_codes(request, recovery_codes_issue(user=request.user), NEW_CODES)
