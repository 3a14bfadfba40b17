"""A v1 database upgrades to rule set v2 the way a criteria admin would publish it.

Starts from the dump of a real v1 database (tests/fixtures/db/main-2026-12-01.json.gz: 42
patients screened on v1, reviews in every state), migrates to the newest migrations and
checks what the v2 data migration promised: v2 is the one published version, v1 is retired
and kept, nothing else changed in number, and every living patient ends screened on v2.
"""

import pytest
from django.apps import apps

from ..migration_data import MAIN_2026_12_01, restored, row_pks

V1_NAME = "EBMT-aligned autoimmune HSCT screen v1"
V2_NAME = "EBMT-aligned autoimmune HSCT screen v2"


@pytest.fixture
def use_migrations(django_db_use_migrations):
    if not django_db_use_migrations:
        pytest.skip("--nomigrations: there are no migrations to test")


@pytest.mark.django_db(transaction=True)
def test_a_v1_database_ends_on_v2_with_every_living_patient_rescreened(use_migrations):
    with restored(MAIN_2026_12_01) as run:
        OldRuleSet = run.old_state.apps.get_model("rules", "RuleSet")
        assert list(OldRuleSet.objects.values_list("name", "status")) == [(V1_NAME, "published")]
        patients_before = row_pks(run.old_state, {"patients.patient": 0})["patients.patient"]

        # A plain `migrate`, as a deployment runs it: the post-migrate hook queues the
        # reconciler, which tests run in-process.
        new_state = run.migrate_to_latest()

        RuleSet = new_state.apps.get_model("rules", "RuleSet")
        statuses = dict(RuleSet.objects.values_list("name", "status"))
        assert statuses == {V1_NAME: "retired", V2_NAME: "published"}
        v2 = RuleSet.objects.get(name=V2_NAME)
        assert v2.published_at is not None and v2.cloned_from.name == V1_NAME
        assert row_pks(new_state, {"patients.patient": 0})["patients.patient"] == patients_before

    Patient = apps.get_model("patients", "Patient")
    Screening = apps.get_model("candidacy", "Screening")
    living = Patient.objects.filter(deceased=False, death_date__isnull=True)
    assert living.count() > 30
    current = Screening.objects.filter(is_current=True)
    on_v2 = set(current.filter(ruleset_id=v2.pk).values_list("patient_id", flat=True))
    assert set(living.values_list("pk", flat=True)) == on_v2
    # v1's screenings are kept as history, no longer current.
    assert Screening.objects.filter(is_current=False).exclude(ruleset_id=v2.pk).exists()
    # Nobody is scored on a gated band.
    assert not current.filter(
        band__in=("Not indicated", "Trial only", "Excluded"), score__isnull=False
    )
