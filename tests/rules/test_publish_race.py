"""Two admins publish at the same instant: one version wins, the other admin is told why.

Two threads, each with its own PostgreSQL connection, so the tests commit (a transactional
database) and the race is the database's, as between two web workers.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse

from rules import services
from rules.admin_publish import NOT_PUBLISHED
from rules.models import RuleSet

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql(migration_data):
    if connection.vendor != "postgresql":
        pytest.skip("a race between two connections needs PostgreSQL: run with DATABASE_URL")


def race(*calls):
    """Run the calls in threads released together; returns each one's result or error."""
    start = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(n, call):
        try:
            start.wait()
            outcomes[n] = call()
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcomes[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_two_publishes_at_once_publish_one_and_refuse_the_other_clearly(postgresql):
    v2 = RuleSet.objects.active()
    drafts = [services.ruleset_clone(ruleset=v2, version=v) for v in ("3", "4")]
    outcomes = race(
        *(
            lambda d=d: services.ruleset_publish(ruleset=d, by=None, expected_active=v2)
            for d in drafts
        )
    )
    won = [o for o in outcomes if isinstance(o, RuleSet)]
    lost = [o for o in outcomes if not isinstance(o, RuleSet)]
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], ValidationError)  # not an IntegrityError (a 500)
    assert f"version {won[0].version} was published" in lost[0].messages[0]
    assert list(RuleSet.objects.filter(status="published")) == [won[0]]
    assert RuleSet.objects.get(pk=v2.pk).status == "retired"


def test_the_same_draft_published_twice_at_once_is_published_once(postgresql):
    draft = services.ruleset_clone(ruleset=RuleSet.objects.active(), version="3")
    outcomes = race(*(lambda: services.ruleset_publish(ruleset=draft, by=None) for _ in "ab"))
    assert sum(isinstance(o, RuleSet) for o in outcomes) == 1
    (refusal,) = [o for o in outcomes if isinstance(o, ValidationError)]
    assert refusal.messages[0].startswith("version 3 was already published")
    assert RuleSet.objects.get(status="published") == draft


def test_the_admin_who_loses_the_race_is_told_and_nothing_changes(
    postgresql, client_for, criteria_admin
):
    v2 = RuleSet.objects.active()
    mine = services.ruleset_clone(ruleset=v2, version="3")
    theirs = services.ruleset_clone(ruleset=v2, version="4")
    client = client_for(criteria_admin)
    url = reverse("admin:rules_ruleset_publish", args=[mine.pk])
    page = client.get(url).content.decode()
    assert f'name="expected_active" value="{v2.pk}"' in page
    services.ruleset_publish(ruleset=theirs, by=None)  # while the first admin reads the page
    response = client.post(url, {"expected_active": v2.pk}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert NOT_PUBLISHED.format(problem="version 4 was published") in text
    assert "now active" not in text
    assert RuleSet.objects.get(status="published") == theirs
    assert RuleSet.objects.get(pk=mine.pk).status == "draft"
