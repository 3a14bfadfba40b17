"""A draft to preview, patients with their screenings, and a helper that runs a preview."""

import pytest

from rules import services as rules_services
from rules.models import Criterion, RuleSet
from rules.previews import services as preview_services

# Realistic records, screened as the app screens them (candidacy's fixtures).
from ...candidacy.conftest import make_patient, strong_ms_patient  # noqa: F401

AGE_EXCLUSION = {
    "key": "test_age_over_40",
    "label": "Age over 40 (test exclusion)",
    "domain": "overall_health",
    "diseases": ["all"],
    "fact": "age_years",
    "operator": ">",
    "thresholds": [40],
    "kind": "exclusion",
    "explanation": "Age {value}",
    "citation": "Test source 2026",
    "evidence": "V",
}


@pytest.fixture
def draft():
    return rules_services.ruleset_clone(ruleset=RuleSet.objects.active())


@pytest.fixture
def add_criterion(draft):
    def add(**fields):
        return Criterion.objects.create(ruleset=draft, **{**AGE_EXCLUSION, **fields})

    return add


@pytest.fixture
def run_preview(django_capture_on_commit_callbacks):
    """Start a preview and run its job in-process, as `make run` does without a broker."""

    def run(ruleset, by=None):
        with django_capture_on_commit_callbacks(execute=True):
            preview = preview_services.preview_start(ruleset=ruleset, by=by)
        preview.refresh_from_db()
        return preview

    return run
