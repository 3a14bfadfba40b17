"""Rule sets the admin tests share: the active version, a draft of it, and a large draft.

Django is imported inside the fixtures, so the pure engine tests here still run without it.
"""

import pytest

EXTRA_CRITERIA = 45  # the 60 of v2 and these: a draft past a hundred criteria


@pytest.fixture
def active(db):
    from rules.models import RuleSet

    return RuleSet.objects.active()


@pytest.fixture
def draft(active):
    from rules import services

    return services.ruleset_clone(ruleset=active)


@pytest.fixture
def large_draft(draft):
    """A draft of more than a hundred criteria (copies of its own under new keys)."""
    from rules.models import Criterion

    copies = []
    for n, criterion in enumerate(draft.criteria.all()[:EXTRA_CRITERIA]):
        criterion.pk = None
        criterion.key = f"{criterion.key}_copy_{n}"
        copies.append(criterion)
    Criterion.objects.bulk_create(copies)
    assert draft.criteria.count() > 100
    return draft
