"""Site-wide pages: where "/" leads, and signing in."""

from collections.abc import Callable

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.decorators import method_decorator

NO_ROLE = (
    "Your account has no role in Candidacy yet, so there is no page to open. "
    "Ask your administrator to give you one."
)

# Each role lands where its work is; the first that applies wins. A user with several roles:
# 1. coordinators (they decide reviews) on their review queue: flags wait on them;
# 2. criteria admins (they change rule sets, in Django admin, so staff) on the rule set list;
# 3. clinicians (they read patients) on the worklist.
# The others are one click away in the top bar. Permissions, not group names, decide, so a
# superuser lands on the queue; clinicians may read reviews but not decide them.
LANDINGS: tuple[tuple[str, Callable[..., bool]], ...] = (
    ("reviews:queue", lambda user: user.has_perm("candidacy.change_review")),
    (
        "admin:rules_ruleset_changelist",
        lambda user: user.is_staff and user.has_perm("rules.change_ruleset"),
    ),
    ("worklist:list", lambda user: user.has_perm("patients.view_patient")),
    # 4. auditors on the access log.
    ("audit:log", lambda user: user.has_perm("audit.view_accessevent")),
)


def landing(user) -> str | None:
    """The URL name of the page ``user`` starts on, or None for a user with no role."""
    return next((name for name, applies in LANDINGS if applies(user)), None)


@login_not_required
def home(request):
    """Anonymous visitors go to the login page, signed-in users to their work."""
    if not request.user.is_authenticated:
        return redirect("login")
    start = landing(request.user)
    if start is None:
        raise PermissionDenied(NO_ROLE)
    return redirect(start)


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True
