"""Enrolment, the second step, recovery codes and the admin's reset. Every change is audited.

Devices are django-otp's: a TOTP device for the authenticator app, a "static" device holding
the recovery codes (each verifies once, then is deleted). Both throttle wrong codes
themselves, doubling the wait after each failure (1 s, 2 s, 4 s …) until a right one; the
count lives on the device, so signing in again with the password does not clear it. Each
wrong code is also a failed sign-in for django-axes, so it counts towards the lock-out.
"""

from __future__ import annotations

import enum

from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from patients.audit.log import client_address
from patients.audit.models import SecurityEvent

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


class Outcome(enum.Enum):
    VERIFIED = "verified"
    RECOVERY_USED = "recovery"
    REFUSED = "refused"
    THROTTLED = "throttled"


def _event(*, request, subject, action: str, by=None, detail: str = "") -> None:
    actor = by if by is not None else subject
    SecurityEvent.objects.create(
        user=actor,
        actor=actor.get_username(),
        subject=subject,
        subject_name=subject.get_username(),
        action=action,
        address=client_address(request) if request is not None else None,
        detail=detail,
    )


def _refused(*, request, user, detail: str) -> None:
    """A wrong code: audited, and a failed sign-in for django-axes (which may lock out)."""
    _event(request=request, subject=user, action=SecurityEvent.Action.MFA_REFUSED, detail=detail)
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    if getattr(request, "axes_locked_out", False):
        logout(request)  # locked out: the half-signed-in session goes too


def normalise_code(code: str) -> str:
    """Codes as people type them: spaces and dashes dropped, case ignored."""
    return "".join(ch for ch in code if ch not in " -").lower()


def mfa_enrolment_device(*, user) -> TOTPDevice:
    """The authenticator being set up: the same secret until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def recovery_codes_issue(*, user) -> list[str]:
    """Fresh recovery codes, replacing any earlier ones; shown once, never stored readable
    anywhere else than on the device that checks them."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def mfa_enrol_confirm(*, request, device: TOTPDevice, code: str) -> Outcome | list[str]:
    """Confirm the authenticator with its first code: it replaces any earlier one, the session
    passes the second step, and the new recovery codes are returned to show once."""
    if not device.verify_is_allowed()[0]:
        return Outcome.THROTTLED
    user = device.user
    with transaction.atomic():
        if not device.verify_token(normalise_code(code)):
            _refused(request=request, user=user, detail="Enrolment: wrong first code")
            return Outcome.REFUSED
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = recovery_codes_issue(user=user)
        _event(request=request, subject=user, action=SecurityEvent.Action.MFA_ENROLLED)
    otp_login(request, device)
    return codes


def mfa_verify(*, request, code: str) -> Outcome:
    """The second step: a code from the app (six digits) or a recovery code (anything else)."""
    user = request.user
    code = normalise_code(code)
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    devices = [d for d in devices_for_user(user, confirmed=True) if isinstance(d, kind)]
    if not devices:
        _refused(request=request, user=user, detail=f"No {kind._meta.verbose_name}")
        return Outcome.REFUSED
    allowed = [device for device in devices if device.verify_is_allowed()[0]]
    if not allowed:
        return Outcome.THROTTLED
    for device in allowed:
        with transaction.atomic():
            verified = device.verify_token(code)
        if verified:
            otp_login(request, device)
            if kind is StaticDevice:
                _event(
                    request=request,
                    subject=user,
                    action=SecurityEvent.Action.MFA_RECOVERY_USED,
                    detail=f"{recovery_codes_left(user=user)} recovery codes left",
                )
                return Outcome.RECOVERY_USED
            return Outcome.VERIFIED
    _refused(request=request, user=user, detail=f"Wrong code ({kind._meta.verbose_name})")
    return Outcome.REFUSED


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def mfa_reset(*, user, by, request=None) -> int:
    """An admin removes every device of ``user``: at the next request (any session) they must
    set up MFA again, if they must use it. Audited with who reset whose. Returns devices removed."""
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
        _event(
            request=request,
            subject=user,
            by=by,
            action=SecurityEvent.Action.MFA_RESET,
            detail=f"{len(devices)} device(s) removed",
        )
    return len(devices)
