"""Who must pass the second step of signing in, and whether this session has passed it."""

from django.conf import settings
from django_otp import user_has_device

from patients.permissions import CRITERIA_ADMIN

# Set at the password step: this session's user must pass the second step before anything else.
MFA_DUE_KEY = "_mfa_due"


def mfa_required(user) -> bool:
    """Staff, superusers and criteria admins must use MFA; everyone with CANDIDACY_MFA_FOR_ALL."""
    if not user.is_authenticated:
        return False
    if settings.CANDIDACY_MFA_FOR_ALL or user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name=CRITERIA_ADMIN).exists()


def mfa_due(user) -> bool:
    """Whether ``user`` must give a code after the password: required, or set up by choice."""
    return mfa_required(user) or user_has_device(user, confirmed=True)


def remember_mfa_due(sender, request, user, **kwargs) -> None:
    """On sign-in (user_logged_in): note in the session whether the second step is due."""
    if request is not None and hasattr(request, "session"):
        request.session[MFA_DUE_KEY] = mfa_due(user)


def second_step_pending(request) -> bool:
    """The user signed in with a password but has not yet passed the second step they owe.

    Staff, superusers and the setting are read from the user on every request (no query), so
    a user made staff mid-session is held at once; group membership and devices were read at
    sign-in. ``is_verified`` comes from django-otp's middleware: a device reset by an admin no
    longer verifies any session.
    """
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return bool(
        request.session.get(MFA_DUE_KEY)
        or user.is_staff
        or user.is_superuser
        or settings.CANDIDACY_MFA_FOR_ALL
    )
