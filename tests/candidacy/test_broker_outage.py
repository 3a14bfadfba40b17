"""With the broker down, a save still succeeds: the request never fails on the queue.

Nothing listens on the broker's port here: the real Redis client meets a refused
connection, as it does while Redis restarts. The fault suite (tests/faults) also pauses it.
"""

import logging

import pytest
from django.urls import reverse

from candidacy.screening import publisher
from candidacy.screening.models import RescreenJob
from rules import services as rules_services
from rules.models import RuleSet

from ..html_forms import as_post_data, form_fields

pytestmark = pytest.mark.django_db

NOBODY_LISTENS = "redis://127.0.0.1:9/0"  # the discard port: connection refused


@pytest.fixture
def broker_down():
    from config.celery import app

    # The write URL: CELERY_BROKER_URL in the environment would win over broker_url.
    before = (app.conf.broker_write_url, app.conf.task_always_eager)
    app.conf.update(broker_write_url=NOBODY_LISTENS, task_always_eager=False)
    app._pool = None  # the connection pool and producers are built for the broker in use
    app.amqp._producer_pool = None
    yield
    app.conf.update(broker_write_url=before[0], task_always_eager=before[1])
    app._pool = None
    app.amqp._producer_pool = None


def test_a_save_with_the_broker_down_succeeds_and_says_nothing_alarming(
    broker_down, make_patient, client_for, clinician, caplog, django_capture_on_commit_callbacks
):
    patient = make_patient("ms_rr", age=34, cardiac=False)
    client = client_for(clinician)
    url = reverse("patients:update", args=[patient.public_id])
    form = form_fields(client.get(url).content.decode(), "patient-form")
    with caplog.at_level(logging.WARNING):
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(url, as_post_data(form, cardiac="true"))
        publisher.drain()  # the send runs in the background, after the answer
    assert answer.status_code == 302  # not a 500: the change is committed
    patient.refresh_from_db()
    assert patient.cardiac is True
    assert "the reconciler will do it" in caplog.text


def test_a_publish_with_the_broker_down_is_planned_by_the_reconciler(
    broker_down, criteria_admin, django_capture_on_commit_callbacks, clock, settings
):
    draft = rules_services.ruleset_clone(ruleset=RuleSet.objects.active())
    with django_capture_on_commit_callbacks(execute=True):
        rules_services.ruleset_publish(ruleset=draft, by=criteria_admin)  # no exception
    publisher.drain()
    job = RescreenJob.objects.get(ruleset=draft)
    assert not job.chunks.exists()
    from candidacy.screening import jobs

    assert jobs.unplanned_job_ids() == []  # still young: its message may be on its way
    from datetime import timedelta

    clock.shift(timedelta(seconds=settings.RESCREEN_STALL_SECONDS + 1))
    assert jobs.unplanned_job_ids() == [job.pk]
