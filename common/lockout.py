"""Sign-in lock-out: failures against an account lock that account, whatever else succeeds.

django-axes counts failures by each lock-out parameter (account, address) and, on a successful
sign-in, resets the failures matching *any* of them: a sign-in to one account cleared every
failure from its address, the guesses at other accounts included. Four wrong guesses at a
victim, one sign-in to the attacker's own account, and again: the victim was never locked.

Here the two counts are kept apart:

- an **account** is locked after ``AXES_FAILURE_LIMIT`` failures against it from anywhere, and
  only a sign-in to that same account (or the cool-off) clears them;
- an **address** is locked after ``AXES_ADDRESS_FAILURE_LIMIT`` failures from it, at any
  accounts (guessing one password across many accounts). Its limit is higher because a
  hospital's staff often share one outgoing address, and one person's typing should not lock
  out the whole site; no sign-in clears it, only the cool-off.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class AccountLockoutHandler(AxesDatabaseHandler):
    """axes' database handler with the account and address counts kept apart (see above)."""

    def _recent(self, request) -> QuerySet[AccessAttempt]:
        if settings.AXES_COOLOFF_TIME is None:
            return AccessAttempt.objects.all()
        return AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))

    def get_failures(self, request, credentials=None) -> int:
        """The account's failures, or the account's limit once its address has reached its own."""
        recent = self._recent(request)
        username = get_client_username(request, credentials)
        account = _failures(recent.filter(username=username)) if username else 0
        address = _failures(recent.filter(ip_address=request.axes_ip_address))
        if address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(account, get_failure_limit(request, credentials))
        return account

    def reset_user_attempts(self, request, credentials=None) -> int:
        """On a successful sign-in: that account's failures only, never its address's."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
