"""Tamper evidence (issue 12, finding 4): the audit and history rows form a hash chain, and
verify_audit finds the first link that no longer matches; on PostgreSQL the app's role cannot
rewrite them at all."""

import os

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from candidacy.reviews.models import ReviewEvent
from candidacy.reviews.services import review_assign
from patients.audit import chain
from patients.audit.models import AccessEvent, ChainLink
from patients.audit.roles import app_role_grant, append_only_tables, grant_statements
from patients.models import Patient
from patients.services import patient_save

from ..factories import PatientFactory
from ..factories_candidacy import ReviewFactory, ScreeningFactory

pytestmark = pytest.mark.django_db
HISTORY = "patients.historicalpatient"


def verify(**options) -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out, **options)
    return out.getvalue()


def edited_patient(centre, *, edits=3) -> Patient:
    patient = PatientFactory(centre=centre, family_name="Ng")
    for n in range(edits):
        patient.family_name = f"Ng{n}"
        patient_save(patient=patient)
    return patient


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_chain_covers_every_history_table_the_access_log_and_review_events():
    labels = {model._meta.label_lower for model in chain.chained_models()}
    assert {
        HISTORY,
        "rules.historicalcriterion",
        "candidacy.reviewevent",
        "audit.accessevent",
    } <= labels
    assert "audit.chainlink" not in labels


def test_sealed_rows_verify(centre):
    edited_patient(centre)
    sealed = chain.seal_all()
    assert sealed[HISTORY] == Patient.history.count()
    assert "All" in verify() and chain.seal_all()[HISTORY] == 0  # nothing sealed twice


def test_a_history_row_edited_behind_the_apps_back_breaks_the_chain_there(centre):
    patient = edited_patient(centre)
    chain.seal_all()
    second = Patient.history.filter(id=patient.pk).order_by("history_id")[1]
    table = Patient.history.model._meta.db_table
    # Who made an edit, rewritten: the attack of the security test.
    raw(f"UPDATE {table} SET family_name = %s WHERE history_id = %s", ["Forged", second.history_id])
    with pytest.raises(CommandError, match="chain is broken"):
        verify()
    report = chain.chain_verify(model=Patient.history.model)
    link = ChainLink.objects.get(chain=HISTORY, row_id=second.history_id)
    assert (report.broken_at, report.row_id, report.problem) == (
        link.position,
        second.history_id,
        chain.ROW_CHANGED,
    )


def test_a_review_event_deleted_behind_the_apps_back_breaks_the_chain(centre, coordinator):
    review = ReviewFactory(flag_screening=ScreeningFactory(patient=PatientFactory(centre=centre)))
    review_assign(review=review, assignee=coordinator, by=coordinator)
    chain.seal_all()
    event = ReviewEvent.objects.order_by("id").first()
    raw(f"DELETE FROM {ReviewEvent._meta.db_table} WHERE id = %s", [event.pk])
    report = chain.chain_verify(model=ReviewEvent)
    assert (report.row_id, report.problem) == (event.pk, chain.ROW_DELETED)


def test_a_link_rewritten_to_match_a_forged_row_still_breaks_at_the_next_one(centre):
    patient = edited_patient(centre)
    chain.seal_all()
    first = Patient.history.filter(id=patient.pk).order_by("history_id")[0]
    table = Patient.history.model._meta.db_table
    raw(f"UPDATE {table} SET family_name = %s WHERE history_id = %s", ["Forged", first.history_id])
    row = Patient.history.model._base_manager.filter(history_id=first.history_id).values()[0]
    link_table = ChainLink._meta.db_table
    raw(
        f"UPDATE {link_table} SET digest = %s WHERE chain = %s AND row_id = %s",
        [chain.row_digest(row), HISTORY, first.history_id],
    )
    report = chain.chain_verify(model=Patient.history.model)
    assert report.problem == chain.LINK_CHANGED


def test_an_access_row_is_chained_too(client_for, clinician, centre):
    patient = PatientFactory(centre=centre)
    client_for(clinician).get(reverse("patients:detail", args=[patient.public_id]))
    chain.seal_all()
    raw(f"UPDATE {AccessEvent._meta.db_table} SET actor = 'someone else'")
    assert chain.chain_verify(model=AccessEvent).problem == chain.ROW_CHANGED


def test_a_row_committed_after_later_ids_were_sealed_is_sealed_next_time(centre):
    # Ids are not commit order: a row that appears below the sealed ones joins at the end.
    edited_patient(centre, edits=2)
    model = Patient.history.model
    rows = list(model._base_manager.order_by("history_id").values())
    late = rows[0]["history_id"]
    # The sealer ran while the transaction holding the lowest id was still open.
    chain._seal_batch(HISTORY, "history_id", rows[1:])
    assert chain.chain_seal(model=model) == 1
    assert ChainLink.objects.filter(chain=HISTORY).order_by("-position").first().row_id == late
    assert chain.chain_verify(model=model).ok


def test_verification_can_start_from_a_day(centre, clock):
    import datetime

    edited_patient(centre)
    chain.seal_all()
    clock.shift(datetime.timedelta(minutes=10))
    later = edited_patient(centre, edits=1)
    chain.seal_all()
    since = later.history.order_by("history_date").first().history_date
    report = chain.chain_verify(
        model=Patient.history.model, since=since - datetime.timedelta(seconds=1)
    )
    assert report.ok and 0 < report.links < Patient.history.count()


def test_two_sealers_racing_cannot_fork_the_chain(centre):
    edited_patient(centre)
    model = Patient.history.model
    rows = list(model._base_manager.order_by("history_id").values())
    chain._seal_batch(HISTORY, "history_id", rows[:1])
    with pytest.raises(DatabaseError), transaction.atomic():
        # A second sealer that read the same last link writes the same position.
        ChainLink.objects.create(
            chain=HISTORY, position=1, row_id=rows[1]["history_id"], digest="x", hash="y"
        )


def test_the_grants_take_update_and_delete_from_the_app_on_every_audit_table():
    sql = grant_statements(role="app", schema="public", quote=lambda n: f'"{n}"')
    assert sql[-1].startswith("REVOKE UPDATE, DELETE, TRUNCATE ON")
    for table in (
        "audit_accessevent",
        "audit_chainlink",
        "patients_historicalpatient",
        "candidacy_reviewevent",
        "rules_historicalruleset",
    ):
        assert table in append_only_tables() and f'"{table}"' in sql[-1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles exist on PostgreSQL only")
def test_on_postgresql_the_app_role_cannot_update_or_delete_the_audit(centre):
    patient = edited_patient(centre, edits=1)
    role = f"candidacy_app_audit_test_{os.getpid()}"
    raw(f'CREATE ROLE "{role}" NOLOGIN')  # rolled back with the test's transaction
    app_role_grant(role=role)
    history = Patient.history.model._meta.db_table
    refused = [
        f"UPDATE {history} SET family_name = 'x'",
        f"DELETE FROM {history}",
        f"DELETE FROM {ReviewEvent._meta.db_table}",
        f"UPDATE {AccessEvent._meta.db_table} SET actor = 'x'",
        f"DELETE FROM {ChainLink._meta.db_table}",
        f"TRUNCATE {history}",
    ]
    for statement in refused:
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            raw(f'SET LOCAL ROLE "{role}"')
            raw(statement)
    with transaction.atomic():
        raw(f'SET LOCAL ROLE "{role}"')
        patient.family_name = "Allowed"
        patient_save(patient=patient)  # the working tables and new history rows: allowed
        raw("RESET ROLE")
    assert Patient.history.filter(id=patient.pk, family_name="Allowed").exists()


def test_migrating_as_the_owner_grants_the_app_role_it_names(settings):
    from django.db import connections

    from patients.audit.roles import app_role_for

    settings.DATABASE_APP_ROLE = ""
    assert app_role_for("default") is None  # one role, as on a laptop
    settings.DATABASE_APP_ROLE = "candidacy_app"
    assert app_role_for("default") == "candidacy_app"
    settings.DATABASE_APP_ROLE = "x"
    was = connections["default"].settings_dict.get("USER")
    connections["default"].settings_dict["USER"] = "x"
    try:
        assert app_role_for("default") is None  # never to the owner itself
    finally:
        connections["default"].settings_dict["USER"] = was
