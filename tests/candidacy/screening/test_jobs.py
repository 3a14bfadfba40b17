"""Re-screen jobs through an outage: retries, failed and stalled chunks, the reconciler."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.urls import reverse

from candidacy.screening import jobs, services, tasks
from candidacy.screening.models import RescreenChunk, RescreenJob, Screening
from common.retry import retry_waits
from rules.models import RuleSet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chunks_of_two(settings):
    settings.RESCREEN_CHUNK_PATIENTS = 2


def a_job(patient_ids):
    job = RescreenJob.objects.create(
        reason=RescreenJob.Reason.MANUAL, ruleset=RuleSet.objects.active()
    )
    jobs.job_plan(job.pk, patient_ids)
    return job


def chunk(job, index):
    return RescreenChunk.objects.get(job=job, index=index)


def test_the_retries_of_an_outage_last_at_least_ten_minutes(settings):
    waits = retry_waits(
        window=settings.TASK_RETRY_WINDOW_SECONDS,
        first=settings.TASK_RETRY_FIRST_SECONDS,
        longest=settings.TASK_RETRY_MAX_SECONDS,
    )
    assert sum(waits) >= 10 * 60
    assert max(waits) == settings.TASK_RETRY_MAX_SECONDS and waits == sorted(waits)
    # The broker hands a task out again only after the longest task and its longest wait.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > settings.CELERY_TASK_TIME_LIMIT + max(waits) * 1.25


def test_a_chunk_delivered_twice_is_counted_once(make_patient):
    patients = [make_patient("ms_rr", age=30 + n, screen=False) for n in range(4)]
    job = a_job([p.pk for p in patients])
    tasks.screen_chunk(chunk(job, 0).pk)
    tasks.screen_chunk(chunk(job, 0).pk)  # redelivered after a lost acknowledgement
    job.refresh_from_db()
    assert (job.done, job.finished_at) == (2, None)
    tasks.screen_chunk(chunk(job, 1).pk)
    job.refresh_from_db()
    assert job.done == 4 and job.finished_at is not None
    assert Screening.objects.current().count() == 4


@pytest.fixture
def outage(monkeypatch):
    """The database refuses the next ``n`` screenings, as it does while it restarts.

    Raised in the service the task calls; the fault suite (tests/faults) cuts the real
    connection instead. Here it stands for the outage so the retry count can be asserted.
    """

    def start(n):
        original = services.screenings_record_many
        left = [n]

        def refusing(**kwargs):
            if left[0] > 0:
                left[0] -= 1
                raise OperationalError("connection to server failed: Connection refused")
            return original(**kwargs)

        monkeypatch.setattr(services, "screenings_record_many", refusing)

    return start


def test_a_chunk_retries_through_an_outage_and_is_counted_once(settings, make_patient, outage):
    settings.TASK_RETRY_WINDOW_SECONDS, settings.TASK_RETRY_FIRST_SECONDS = 7, 1  # waits 1, 2, 4
    patients = [make_patient("ms_rr", age=40 + n, screen=False) for n in range(2)]
    job = a_job([p.pk for p in patients])
    outage(3)
    tasks.screen_chunk.delay(chunk(job, 0).pk)
    assert chunk(job, 0).state == "done" and chunk(job, 0).attempts == 4
    job.refresh_from_db()
    assert job.done == 2 and job.finished_at is not None


def test_a_chunk_that_keeps_failing_is_recorded_on_its_job(settings, make_patient, outage):
    settings.TASK_RETRY_WINDOW_SECONDS, settings.TASK_RETRY_FIRST_SECONDS = 7, 1  # waits 1, 2, 4
    patient = make_patient("ms_rr", age=40, screen=False)
    job = a_job([patient.pk])
    outage(4)
    with pytest.raises(OperationalError):
        tasks.screen_chunk.delay(chunk(job, 0).pk)
    broken = chunk(job, 0)
    assert broken.state == "failed" and broken.attempts == 4
    assert broken.error == "OperationalError: connection to server failed: Connection refused"
    health = jobs.job_health(job)
    assert health.state == "failed" and health.failed == [broken]
    assert not Screening.objects.exists()


def test_the_job_page_shows_a_failed_chunk_and_retrying_it_finishes_the_job(
    make_patient, client_for, criteria_admin, clinician, django_capture_on_commit_callbacks
):
    patients = [make_patient("ms_rr", age=30 + n, screen=False) for n in range(2)]
    job = a_job([p.pk for p in patients])
    jobs.chunk_fail(chunk(job, 0).pk, "OperationalError: connection refused")
    client = client_for(criteria_admin)
    page = client.get(reverse("screening:job", args=[job.pk])).content.decode()
    assert 'id="job-failed"' in page and "OperationalError: connection refused" in page
    assert "Retry chunk 0" in page and 'http-equiv="refresh"' not in page
    retry = reverse("screening:chunk_retry", args=[job.pk, 0])
    assert client.get(retry).status_code == 405  # a change is a POST
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry, follow=True)
    assert jobs.CHUNK_REQUEUED.format(index=0) in response.content.decode()
    job.refresh_from_db()
    assert job.finished_at is not None and job.done == 2
    assert client_for(clinician).post(retry).status_code == 403


def test_a_job_without_progress_is_reported_stalled_not_running(
    make_patient, client_for, criteria_admin, clock, settings
):
    patients = [make_patient("ms_rr", age=30 + n, screen=False) for n in range(4)]
    job = a_job([p.pk for p in patients])
    tasks.screen_chunk(chunk(job, 0).pk)
    page = client_for(criteria_admin).get(reverse("screening:job", args=[job.pk])).content.decode()
    assert "This page refreshes itself." in page and 'id="job-stalled"' not in page
    clock.shift(timedelta(seconds=settings.RESCREEN_STALL_SECONDS + 1))
    page = client_for(criteria_admin).get(reverse("screening:job", args=[job.pk])).content.decode()
    assert 'id="job-stalled"' in page and "This page refreshes itself." not in page
    assert "Retry chunk 1" in page and "Retry chunk 0" not in page


def test_the_reconciler_requeues_a_dead_workers_chunk_and_leaves_a_slow_one(
    make_patient, clock, settings
):
    patients = [make_patient("ms_rr", age=30 + n, screen=False) for n in range(4)]
    job = a_job([p.pk for p in patients])
    dead = jobs.chunk_claim(chunk(job, 0).pk)  # its worker was killed: it beats no more
    clock.shift(timedelta(seconds=settings.RESCREEN_CHUNK_DEAD_SECONDS + 1))
    slow = jobs.chunk_claim(chunk(job, 1).pk)  # still beating
    assert tasks.reconcile() == 2
    assert chunk(job, 0).state == "done" and chunk(job, 1).state == "running"
    assert set(Screening.objects.current().values_list("patient_id", flat=True)) == set(
        dead.patient_ids
    )
    assert slow.attempts == 1 and chunk(job, 1).attempts == 1  # never handed out twice
