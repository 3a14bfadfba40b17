from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class MfaConfig(AppConfig):
    name = "config.mfa"
    label = "mfa"
    verbose_name = "Two-step sign-in"

    def ready(self):
        from .policy import remember_mfa_due

        # Decided once, at the password step, so ordinary pages cost no query for it.
        user_logged_in.connect(remember_mfa_due, dispatch_uid="mfa-due")
