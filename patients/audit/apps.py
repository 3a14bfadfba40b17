from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The access log and tamper evidence. At the patients layer, so patient pages can log."""

    name = "patients.audit"
    label = "audit"
    verbose_name = "Audit"
