"""Today's data survives every migration since, and the pages still answer.

The database is restored from tests/fixtures/db/main-2026-12-01.json.gz at the migrations
main had that day (tests/migration_data.py), then migrated to the newest migrations there
are when the test runs. Only URL paths and app labels are used here: modules may move.
"""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.html import escape

from .migration_data import MAIN_2026_12_01, link_counts, links_in_dump, restored, row_pks

DUMP = MAIN_2026_12_01

# A later data migration may add to these (publish a rule set, re-screen, raise new flags);
# it must not remove what was there.
MAY_GROW = {
    "auth.group",
    "patients.disease",
    "patients.therapy",  # roles and reference data the migrations seed
    "rules.ruleset",
    "rules.historicalruleset",
    "rules.criterion",
    "rules.historicalcriterion",
    "rules.diseaseindication",
    "rules.historicaldiseaseindication",
    "candidacy.screening",
    "candidacy.rescreenjob",
    "candidacy.rescreenchunk",
    "candidacy.review",
    "candidacy.reviewevent",
}
# A later migration may give a role the permissions of a new model.
MAY_GROW_LINKS = {"auth.group.permissions"}
# The record, its history and the people: every row stays, and nothing is added.
MUST_BE_EQUAL = {
    "auth.user",
    "patients.centre",
    "patients.patient",
    "patients.assessment",
    "patients.assessmentvalue",
    "patients.priortreatment",
    "patients.importrun",
    "patients.historicalcentre",
    "patients.historicalpatient",
    "patients.historicalassessment",
    "patients.historicalassessmentvalue",
    "patients.historicalpriortreatment",
    "candidacy.reviewnote",
    "candidacy.exportlog",
    "candidacy.cdsclient",
    "candidacy.historicalcdsclient",
}
# What the dump must hold for the test to mean anything (see tests/fixtures/db/README.md).
REVIEW_STATES = {"flagged", "in_review", "referred", "deferred", "declined"}
REVIEW_FIELDS = (
    "patient_id",
    "state",
    "assignee_id",
    "decision_band",
    "decision_score",
    "decision_ruleset_version",
    "decision_reason",
    "decided_at",
    "decided_by_id",
    "re_review_on",
    "flag_screening_id",
)


@pytest.fixture
def use_migrations(django_db_use_migrations):
    if not django_db_use_migrations:
        pytest.skip("--nomigrations: there are no migrations to test")


def _reviews(state, using="default"):
    Review = state.apps.get_model("candidacy", "Review")
    return {r["pk"]: r for r in Review._base_manager.using(using).values("pk", *REVIEW_FIELDS)}


def test_every_model_of_the_dump_is_classified():
    """A model added to the dump must be put in MAY_GROW or MUST_BE_EQUAL."""
    assert set(DUMP.counts) <= MAY_GROW | MUST_BE_EQUAL


def test_the_dump_is_realistic():
    """Reviews in every state with notes and events, history of edits, an export, an error."""
    objects = DUMP.objects
    states = {o["fields"]["state"] for o in objects if o["model"] == "candidacy.review"}
    assert states == REVIEW_STATES
    assert DUMP.counts["candidacy.reviewnote"] and DUMP.counts["candidacy.reviewevent"]
    assert DUMP.counts["candidacy.exportlog"]
    assert any(
        o["fields"]["history_type"] == "~"
        for o in objects
        if o["model"] == "patients.historicalpatient"
    )
    assert any(
        o["fields"]["entered_in_error"] for o in objects if o["model"] == "patients.assessment"
    )


@pytest.mark.django_db(transaction=True)
def test_data_survives_migrating_to_the_latest_migrations(use_migrations, client):
    with restored(DUMP) as run:
        # The restore itself: every row of the dump is in the old state's tables.
        before = row_pks(run.old_state, DUMP.counts)
        assert before == DUMP.pks
        links = links_in_dump(DUMP, run.old_state)
        assert link_counts(run.old_state, links) == links
        reviews_before = _reviews(run.old_state)

        new_state = run.migrate_to_latest()

        after = row_pks(new_state, DUMP.counts)
        for label in sorted(DUMP.counts):
            lost, added = sorted(before[label] - after[label]), sorted(after[label] - before[label])
            assert not lost, f"{label}: {len(lost)} rows lost, e.g. pk {lost[:10]}"
            if label in MUST_BE_EQUAL:
                assert not added, f"{label}: {len(added)} rows added, e.g. pk {added[:10]}"
        # Group permissions, group memberships, centre members, a CDS client's centres.
        links_after = link_counts(new_state, links)
        for key, count in links.items():
            if key in MAY_GROW_LINKS:
                assert links_after[key] >= count, key
            else:
                assert links_after[key] == count, key
        reviews_after = _reviews(new_state)
        assert {pk: reviews_after.get(pk) for pk in reviews_before} == reviews_before

    # The pages, with today's models and views, on the migrated data.
    User = get_user_model()
    Patient = apps.get_model("patients", "Patient")
    Review = apps.get_model("candidacy", "Review")
    clinician = User.objects.get(username="clinician-ntc")
    coordinator = User.objects.get(username="coordinator-ntc")

    ntc_patients = Patient.objects.filter(centre__code="ntc")
    edited = Patient.objects.filter(pk__in=_edited_patient_ids(), centre__code="ntc")
    some = [*edited[:2], *ntc_patients.filter(fhir_id__gt="")[:2], *ntc_patients.order_by("pk")[:2]]
    assert len(some) >= 4

    client.force_login(clinician)
    for path in ("/worklist/", "/patients/", "/dashboard/", "/criteria/", "/reviews/"):
        assert client.get(path).status_code == 200, path
    for patient in some:
        response = client.get(f"/patients/{patient.public_id}/")
        assert response.status_code == 200, patient
        assert escape(patient.family_name) in response.text

    for run_pk in DUMP.pks["patients.importrun"]:
        assert client.get(f"/patients/import/{run_pk}/").status_code == 200

    _assert_screenings_carry_the_latest_review_state()

    client.force_login(coordinator)
    assert client.get("/reviews/").status_code == 200
    reviews = Review.objects.filter(centre__code="ntc").select_related("patient")
    assert {r.state for r in reviews} == REVIEW_STATES
    for review in reviews:
        response = client.get(f"/reviews/{review.patient.public_id}/")
        assert response.status_code == 200, review
        assert escape(review.patient.family_name) in response.text


def _edited_patient_ids():
    return {
        o["fields"]["id"]
        for o in DUMP.objects
        if o["model"] == "patients.historicalpatient" and o["fields"]["history_type"] == "~"
    }


def _assert_screenings_carry_the_latest_review_state():
    """The worklist's review filter reads a copy on the current screening: filled for old rows."""
    Screening = apps.get_model("candidacy", "Screening")
    Review = apps.get_model("candidacy", "Review")
    latest = dict(Review.objects.latest_per_patient().values_list("patient_id", "state"))
    copies = dict(
        Screening.objects.filter(is_current=True).values_list("patient_id", "review_state")
    )
    assert {state for state in copies.values() if state}, (
        "the dump's screened patients have reviews"
    )
    assert copies == {patient_id: latest.get(patient_id, "") for patient_id in copies}
