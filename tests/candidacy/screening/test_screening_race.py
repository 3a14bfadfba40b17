"""A screening that started before a publication commits the new version, not the retired one.

Two connections on PostgreSQL (a transactional database): a re-screen blocked on the
patient's row lock while a new version is published behind that lock.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from candidacy.screening.models import Screening
from candidacy.screening.receivers import rescreen_everyone
from candidacy.screening.services import screenings_record_many
from patients.models import Patient
from rules import services as rules_services
from rules.models import RuleSet
from rules.signals import ruleset_published

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until_blocked_on_a_lock(errors):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not errors:
        with connections["default"].cursor() as cursor:
            # Within a transaction the statistics views keep their first snapshot: clear it.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    pytest.fail(f"the re-screen never waited for the patient's lock: {errors}")


def test_a_rescreen_waiting_on_the_row_lock_uses_the_version_published_meanwhile(
    migration_data, make_patient
):
    if connection.vendor != "postgresql":
        pytest.skip("a race between two connections needs PostgreSQL: run with DATABASE_URL")
    patient = make_patient("ms_rr", age=34)
    draft = rules_services.ruleset_clone(ruleset=RuleSet.objects.active(), version="3")

    errors = []

    def rescreen():
        try:
            screenings_record_many(patient_ids=[patient.pk])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=rescreen)
    # The publication's own re-screen is held back, so what the waiting re-screen writes
    # is what stays: a re-screen that locks after a publication must screen with it.
    ruleset_published.disconnect(dispatch_uid="candidacy.rescreen_everyone")
    try:
        with transaction.atomic():
            Patient.objects.select_for_update().get(pk=patient.pk)  # as a running chunk does
            worker.start()
            wait_until_blocked_on_a_lock(errors)
            rules_services.ruleset_publish(ruleset=draft, by=None)
        worker.join(60)
    finally:
        ruleset_published.connect(rescreen_everyone, dispatch_uid="candidacy.rescreen_everyone")
    assert not errors
    assert Screening.objects.current().get(patient=patient).ruleset == draft
