"""Absolute links to this site, for emails, FHIR resources and CDS Hooks cards.

Pages use relative links; only what leaves the site needs the address users reach it at,
which is the one setting CANDIDACY_BASE_URL (read at call time, so tests can change it).
"""

from __future__ import annotations

from django.conf import settings


def base_url() -> str:
    return settings.CANDIDACY_BASE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """``/reviews/`` -> ``https://candidacy.example.org/reviews/``."""
    return base_url() + path
