import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

SESSION_STARTED_KEY = "candidacy_started_at"
SESSION_SEEN_KEY = "candidacy_seen_at"
SESSION_EXPIRED_MESSAGE = "Your session ended. Please sign in again."


class SessionTimeoutMiddleware:
    """End a signed-in session after SESSION_IDLE_TIMEOUT idle seconds, and after
    SESSION_ABSOLUTE_TIMEOUT seconds whatever the activity.

    A cookie age alone cannot express both limits, so the session records when it
    started and when it was last used.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            seen = request.session.get(SESSION_SEEN_KEY, now)
            idle_too_long = now - seen > settings.SESSION_IDLE_TIMEOUT
            too_old = now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle_too_long or too_old:
                logout(request)
                messages.info(request, SESSION_EXPIRED_MESSAGE)
                return redirect_to_login(request.get_full_path())
            request.session[SESSION_SEEN_KEY] = now
        return self.get_response(request)
