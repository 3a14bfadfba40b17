"""Site-wide pages: where "/" leads, and signing in."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.utils.decorators import method_decorator


@login_not_required
def home(request):
    """Anonymous visitors go to the login page, signed-in users to their work."""
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("worklist:list")


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True
