"""Background screening. Tasks take ids, load rows, call a service, and are safe to run twice.

Retries and time limits are declared here and in settings (acks late, reject on a lost
worker, prefetch one). A worker killed mid-batch loses nothing: the reconciler finds the
patients whose current screening is missing or was made by an older rule set.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, ParamSpec, TypedDict, TypeVar, cast

from celery import Task, shared_task
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from rules.models import RuleSet

from . import services
from .models import RescreenChunk, RescreenJob

if TYPE_CHECKING:
    from celery.contrib.django.task import DjangoTask  # generic only in celery-types

# A batch job younger than this is assumed to be still working.
RECONCILE_GRACE = timedelta(minutes=30)


class RetryOptions(TypedDict):
    """The retry options every task here shares, typed so each is checked against shared_task's."""

    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: bool
    retry_backoff_max: int
    retry_jitter: bool
    max_retries: int


RETRY: RetryOptions = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _django_task(task: Task[_P, _R]) -> DjangoTask[_P, _R]:
    """The task as it is: for mypy, typed as the DjangoTask it is (it has delay_on_commit).

    config/celery.py makes DjangoTask the app's task class; celery-types cannot see that
    setting, so it types what shared_task returns as a plain Task.
    """
    return cast("DjangoTask[_P, _R]", task)


@_django_task
@shared_task(**RETRY)
def screen_patient(patient_id: int) -> int:
    """Re-screen one patient after their record changed."""
    return services.screenings_record_many(patient_ids=[patient_id])


@_django_task
@shared_task(**RETRY, soft_time_limit=600, time_limit=660)
def screen_batch(patient_ids: list[int], job_id: int | None = None, chunk_index: int = 0) -> int:
    """Re-screen a chunk of patients against the active rule set and count it on the job.

    A chunk delivered twice (acks late, retries) is screened twice harmlessly but counted
    once: the job's progress only moves when its RescreenChunk row is new.
    """
    timer = services.StageTimer()
    created = services.screenings_record_many(patient_ids=patient_ids, timer=timer)
    if job_id is not None:
        with transaction.atomic():
            _, first_time = RescreenChunk.objects.get_or_create(
                job_id=job_id,
                index=chunk_index,
                defaults={"size": len(patient_ids), "stage_seconds": dict(timer)},
            )
            if first_time:
                RescreenJob.objects.filter(pk=job_id).update(done=F("done") + len(patient_ids))
        RescreenJob.objects.filter(
            pk=job_id, done__gte=F("total"), finished_at__isnull=True
        ).update(finished_at=timezone.now())
    return created


def _queue_chunks(job: RescreenJob, patient_ids) -> int:
    ids = list(patient_ids)
    job.total = len(ids)
    if not ids:
        job.finished_at = timezone.now()
    job.save(update_fields=["total", "finished_at"])
    for index, chunk in enumerate(services.chunks(ids)):
        screen_batch.delay(chunk, job.pk, index)
    return len(ids)


@_django_task
@shared_task(**RETRY)
def rescreen_all(job_id: int) -> int:
    """Queue every living patient in chunks; the job records progress.

    Safe to run twice: a second delivery queues the same chunks again, which re-screen
    without adding rows when nothing changed and are counted once.
    """
    job = RescreenJob.objects.get(pk=job_id)
    if job.finished_at is not None:
        return job.total
    return _queue_chunks(job, services.screenable_patient_ids())


def start_rescreen(*, reason: str, by=None) -> RescreenJob | None:
    """Create a job for the active rule set and queue it after the transaction commits."""
    ruleset = RuleSet.objects.active()
    if ruleset is None:
        return None
    job = RescreenJob.objects.create(reason=reason, ruleset=ruleset, started_by=by)
    rescreen_all.delay_on_commit(job.pk)
    return job


@_django_task
@shared_task
def nightly_rescreen() -> int | None:
    """Ages change and data goes stale overnight; deferred reviews come due."""
    from ..reviews.flags import reviews_reflag_due

    reviews_reflag_due(timezone.localdate())
    job = start_rescreen(reason=RescreenJob.Reason.NIGHTLY)
    return job.pk if job else None


@_django_task
@shared_task
def reconcile() -> int:
    """Re-screen every patient whose current screening is missing or from an older rule set."""
    ruleset = RuleSet.objects.active()
    if ruleset is None:
        return 0
    recent = timezone.now() - RECONCILE_GRACE
    if RescreenJob.objects.filter(
        ruleset=ruleset, finished_at__isnull=True, created_at__gte=recent
    ).exists():
        return 0  # a re-screen of this version is still running; let it finish first
    ids = list(
        services.patients_needing_screening(ruleset).order_by("pk").values_list("pk", flat=True)
    )
    if not ids:
        return 0
    job = RescreenJob.objects.create(reason=RescreenJob.Reason.RECONCILE, ruleset=ruleset)
    return _queue_chunks(job, ids)
