"""The screening pipeline through the real Redis broker and a real Celery worker.

The worker runs in a thread of this process (Celery's test worker) and talks to the
database over its own connection, so these tests use a transactional database: what
they write is committed, as it would be in production.
"""

import os
import time

import pytest
from celery.result import EagerResult
from django.db import connection

from candidacy.screening.models import Screening
from candidacy.screening.tasks import screen_patient
from patients import services as patient_services
from rules import services as rules_services
from rules.models import RuleSet

from ..clock import TODAY
from .conftest import SSC_FIRST_LINE_FAILED

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 60


@pytest.fixture
def real_worker(migration_data, settings):
    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker:
        reason = (
            "needs Redis: set CELERY_BROKER_URL (CI does) to run the pipeline through a real worker"
        )
        if os.environ.get("CANDIDACY_REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)
    if connection.vendor == "sqlite":
        pytest.skip("the worker thread needs a database server it can share; run with DATABASE_URL")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.update(task_always_eager=False, broker_url=broker, result_backend=broker)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield app
    app.conf.task_always_eager = True


def wait_for(condition, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {WAIT_SECONDS} s waiting for {what}")


def current(patient):
    return Screening.objects.filter(patient=patient, is_current=True)


def test_editing_a_record_leads_to_a_new_screening(real_worker, make_patient):
    patient = make_patient(
        "ssc", age=45, values={"mrss": 24, "ssc_lung": 1}, treatments=SSC_FIRST_LINE_FAILED
    )
    patient_services.patient_save(patient=patient)  # the record changed: a task is queued on commit
    wait_for(lambda: current(patient).exists(), "the first screening")
    first = current(patient).get()

    patient_services.assessment_record(patient=patient, taken_on=first.as_of, values={"lvef": 40})
    wait_for(
        lambda: current(patient).exclude(pk=first.pk).exists(), "a new screening after the edit"
    )
    assert current(patient).get().band == "Excluded"  # EBMT 2017 / ASTIS: LVEF < 45% in SSc
    assert current(patient).get().as_of == TODAY  # the worker is a thread here: frozen clock too
    assert Screening.objects.filter(patient=patient).count() == 2  # the earlier one is kept


def test_publishing_a_rule_set_rescreens_everyone(real_worker, make_patient, criteria_admin):
    patients = [make_patient("ms_rr", age=30 + n) for n in range(5)]
    draft = rules_services.ruleset_clone(ruleset=RuleSet.objects.active())
    rules_services.ruleset_publish(ruleset=draft, by=criteria_admin)
    wait_for(
        lambda: Screening.objects.filter(is_current=True, ruleset=draft).count() == len(patients),
        "every patient to be screened with the new version",
    )
    from candidacy.screening.models import RescreenJob

    job = RescreenJob.objects.get(ruleset=draft)
    wait_for(
        lambda: RescreenJob.objects.get(pk=job.pk).finished_at is not None, "the job to finish"
    )
    assert RescreenJob.objects.get(pk=job.pk).done == len(patients)


def test_running_the_same_task_twice_leaves_one_current_screening(real_worker, make_patient):
    patient = make_patient("ms_rr", age=34)
    results = [screen_patient.delay(patient.pk), screen_patient.delay(patient.pk)]
    assert not any(
        isinstance(r, EagerResult) for r in results
    )  # through the broker, not in-process
    for result in results:
        result.get(timeout=WAIT_SECONDS)
    assert current(patient).count() == 1
    assert Screening.objects.filter(patient=patient).count() == 1  # nothing changed, nothing added
