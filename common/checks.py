"""Configuration mistakes reported as Django system checks, each with an id.

``manage.py check`` runs the ordinary ones; ``manage.py check --deploy`` adds those that
matter only in production (DEBUG off). A deployment that fails them should not start.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - names, not a bind


@register(Tags.compatibility)
def check_base_url(app_configs=None, **kwargs):
    url = urlsplit(getattr(settings, "CANDIDACY_BASE_URL", ""))
    if url.scheme not in ("http", "https") or not url.hostname:
        return [
            Error(
                "CANDIDACY_BASE_URL must be an absolute http(s) address, e.g. https://candidacy.example.org.",
                hint="Links in emails, FHIR resources and CDS Hooks cards are built from it.",
                id="candidacy.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_production_base_url(app_configs=None, **kwargs):
    url = urlsplit(getattr(settings, "CANDIDACY_BASE_URL", ""))
    errors = []
    if url.hostname in LOCAL_HOSTS:
        errors.append(
            Error(
                f"CANDIDACY_BASE_URL points at this machine ({url.hostname}) in production.",
                hint="Set it to the address users sign in at: emailed and EHR links would be dead.",
                id="candidacy.E002",
            )
        )
    elif url.scheme != "https":
        errors.append(
            Error(
                "CANDIDACY_BASE_URL is not https in production.",
                hint="Links carry patient identifiers; they must not travel in clear text.",
                id="candidacy.E003",
            )
        )
    return errors


@register(Tags.compatibility, deploy=True)
def check_production_services(app_configs=None, **kwargs):
    return production_service_errors(
        broker_url=getattr(settings, "CELERY_BROKER_URL", ""),
        database_engine=settings.DATABASES["default"]["ENGINE"],
    )


def production_service_errors(*, broker_url: str, database_engine: str) -> list[Error]:
    errors = []
    if not broker_url:
        errors.append(
            Error(
                "No CELERY_BROKER_URL in production: screenings would run inside web requests.",
                hint="Set CELERY_BROKER_URL (e.g. redis://redis:6379/0) and run a worker and beat.",
                id="candidacy.E004",
            )
        )
    if database_engine.endswith("sqlite3"):
        errors.append(
            Error(
                "The database is SQLite in production.",
                hint="Set DATABASE_URL to PostgreSQL; SQLite is for development only.",
                id="candidacy.E005",
            )
        )
    return errors


@register(Tags.security)
def check_session_timeouts(app_configs=None, **kwargs):
    idle = getattr(settings, "SESSION_IDLE_TIMEOUT", 0)
    absolute = getattr(settings, "SESSION_ABSOLUTE_TIMEOUT", 0)
    if idle <= 0 or absolute <= 0 or idle > absolute:
        return [
            Warning(
                "SESSION_IDLE_TIMEOUT and SESSION_ABSOLUTE_TIMEOUT must be positive, idle no longer than absolute.",
                id="candidacy.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_proxy_addresses(app_configs=None, **kwargs):
    """Behind a proxy, the lock-out must read the client's address, not the proxy's."""
    behind = getattr(settings, "BEHIND_PROXY", False)
    if behind and getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) < 1:
        return [
            Warning(
                "DJANGO_BEHIND_PROXY is on but AXES_PROXY_COUNT is 0: every sign-in seems to come "
                "from the proxy's address, so AXES_ADDRESS_FAILURE_LIMIT failures by anyone lock "
                "everyone out. Set AXES_PROXY_COUNT to the number of proxies in front.",
                id="candidacy.W002",
            )
        ]
    return []
