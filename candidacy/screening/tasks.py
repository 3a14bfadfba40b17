"""Background screening. Tasks take ids, load rows, call a service, and are safe to run twice.

Every task retries a database or broker outage for at least ``TASK_RETRY_WINDOW_SECONDS``
(common/retry.py); acks are late and a lost worker's message is rejected back to the queue.
A chunk that still fails is recorded on its job (jobs.py), and the job page offers to retry
it. A worker killed mid-chunk stops its chunk's heartbeat; the reconciler, every
``RECONCILE_SECONDS``, queues such chunks again, then re-screens whoever is still missing a
screening of the active rule set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from common.retry import TRANSIENT_ERRORS, RetryingTask
from rules.models import RuleSet

from . import jobs, services
from .models import RescreenChunk, RescreenJob
from .publisher import queue_after_commit, send

if TYPE_CHECKING:
    from celery.contrib.django.task import DjangoTask  # generic only in celery-types

logger = logging.getLogger(__name__)

_P = ParamSpec("_P")
_R = TypeVar("_R")


class ChunkTask(RetryingTask):
    """A chunk that fails for good is marked failed, with the error, on its job's page."""

    def give_up(self, args: tuple, kwargs: dict, exc: BaseException) -> None:
        chunk_id = args[0] if args else kwargs["chunk_id"]
        try:
            jobs.chunk_fail(chunk_id, f"{type(exc).__name__}: {exc}")
        except DatabaseError:
            # The database is still away: the chunk's beat stops and the reconciler finds it.
            logger.warning("Could not record the failure of re-screen chunk %s", chunk_id)


def task(base: type[RetryingTask] = RetryingTask, **options: Any):
    """shared_task with the retries of ``base``, typed as the DjangoTask it makes.

    config/celery.py makes DjangoTask the app's task class; celery-types cannot see that
    setting (or follow ``base=``), so it would type what shared_task returns as a plain Task.
    """

    def decorate(fun: Callable[_P, _R]) -> DjangoTask[_P, _R]:
        return cast("DjangoTask[_P, _R]", shared_task(base=base, **options)(fun))

    return decorate


@task()
def screen_patient(patient_id: int) -> int:
    """Re-screen one patient after their record changed."""
    return services.screenings_record_many(patient_ids=[patient_id])


@task(base=ChunkTask, soft_time_limit=600, time_limit=660)
def screen_chunk(chunk_id: int) -> int:
    """Re-screen one chunk of a job against the active rule set, beating as it goes.

    Delivered twice (acks late, a re-queue by the reconciler), a chunk that is done is
    skipped, and one that is not is screened again harmlessly and counted once.
    """
    chunk = jobs.chunk_claim(chunk_id)
    if chunk is None:
        return 0
    timer = services.StageTimer()  # seconds per stage, kept on the chunk for bench_rescreen
    created = 0
    for part in services.chunks(chunk.patient_ids, size=settings.RESCREEN_BEAT_PATIENTS):
        created += services.screenings_record_many(patient_ids=part, timer=timer)
        jobs.chunk_beat(chunk.pk)
    jobs.chunk_finish(chunk, stage_seconds=dict(timer))
    return created


def _queue_chunks(chunk_ids: list[int]) -> int:
    for chunk_id in chunk_ids:
        screen_chunk.delay(chunk_id)
    return len(chunk_ids)


@task()
def rescreen_all(job_id: int) -> int:
    """Plan every living patient into chunks and queue them; the job records progress.

    Safe to run twice: the chunks are planned once, and a second delivery queues again
    those not done yet, which are screened once more harmlessly and counted once.
    """
    _queue_chunks(jobs.job_plan(job_id, services.screenable_patient_ids()))
    return RescreenJob.objects.get(pk=job_id).total


def chunk_retry(chunk: RescreenChunk) -> bool:
    """Queue a failed or stalled chunk again after commit (the job page's "retry")."""
    if not jobs.chunk_requeue(chunk):
        return False
    screen_chunk.delay_on_commit(chunk.pk)
    return True


def start_rescreen(*, reason: str, by=None) -> RescreenJob | None:
    """Create a job for the active rule set and queue it after the transaction commits."""
    ruleset = RuleSet.objects.active()
    if ruleset is None:
        return None
    job = RescreenJob.objects.create(reason=reason, ruleset=ruleset, started_by=by)
    # Not waiting on the broker (publisher.py): a job never planned is planned by the reconciler.
    queue_after_commit(rescreen_all, job.pk)
    return job


@task()
def nightly_rescreen() -> int | None:
    """Ages change and data goes stale overnight; deferred reviews come due."""
    from ..reviews.flags import reviews_reflag_due

    reviews_reflag_due(timezone.localdate())
    job = start_rescreen(reason=RescreenJob.Reason.NIGHTLY)
    return job.pk if job else None


@task()
def reconcile() -> int:
    """Queue again the chunks a dead worker left, then re-screen whoever is still missing a
    screening of the active rule set (none, or an older version's). Returns how many
    patients it queued."""
    unplanned = jobs.unplanned_job_ids()
    for job_id in unplanned:  # their planning was never queued (the broker was away)
        send(rescreen_all, job_id)
    requeued = 0
    for chunk_id in jobs.dead_chunks_claim():
        try:
            screen_chunk.delay(chunk_id)
        except TRANSIENT_ERRORS:
            logger.warning("Broker unavailable: chunk %s waits for the next round", chunk_id)
            break
        requeued += RescreenChunk.objects.get(pk=chunk_id).size
    ruleset = RuleSet.objects.active()
    if ruleset is None:
        return requeued
    running = RescreenJob.objects.filter(ruleset=ruleset, finished_at__isnull=True)
    if unplanned or any(jobs.job_is_active(job) for job in running):
        return requeued  # a re-screen of this version is still working; let it finish first
    ids = list(
        services.patients_needing_screening(ruleset).order_by("pk").values_list("pk", flat=True)
    )
    if not ids:
        return requeued
    job = RescreenJob.objects.create(reason=RescreenJob.Reason.RECONCILE, ruleset=ruleset)
    _queue_chunks(jobs.job_plan(job.pk, ids))
    return requeued + len(ids)
