from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    """The access log and tamper evidence. At the patients layer, so patient pages can log."""

    name = "patients.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self):
        from .roles import grant_after_migrate

        # Migrations run as the database owner; after them, the app's role gets its rights.
        post_migrate.connect(grant_after_migrate, sender=self)
