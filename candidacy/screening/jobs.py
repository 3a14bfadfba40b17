"""Re-screen jobs and their chunks: plan, claim, beat, finish, fail, and find the dead.

Every step is a conditional UPDATE on the chunk's row, so any of them may run twice:
- planning writes the chunks once (the job's row is locked while it does);
- a chunk is claimed unless it is done, beats while it runs, and moves the job's count only
  the first time it becomes done;
- a running chunk whose beat is older than ``RESCREEN_CHUNK_DEAD_SECONDS`` lost its worker;
  a job with no sign of life for ``RESCREEN_STALL_SECONDS`` is stalled, and its queued
  chunks (whose messages a dead worker may have held) are queued again. A chunk queued twice
  runs once and is skipped the second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from . import services
from .models import RescreenChunk, RescreenJob

QUEUED, RUNNING = RescreenChunk.State.QUEUED, RescreenChunk.State.RUNNING
DONE, FAILED = RescreenChunk.State.DONE, RescreenChunk.State.FAILED
ERROR_LENGTH = 2000
JOB_STALLED = (
    "No progress since {since}: this re-screen has stalled. The reconciler queues again the "
    "chunks whose worker stopped; you can retry them here."
)
JOB_FAILED = (
    "{count} chunk(s) failed after retrying through the outage; their patients keep their "
    "earlier screening until a chunk is retried."
)
CHUNK_REQUEUED = "Chunk {index} is queued again."
CHUNK_NOT_RETRYABLE = "Chunk {index} is done or already queued: nothing to retry."


def job_plan(job_id: int, patient_ids: Iterable[int]) -> list[int]:
    """Write the job's chunks (the first time only); returns the ids of those not done."""
    now = timezone.now()
    with transaction.atomic():
        job = RescreenJob.objects.select_for_update().get(pk=job_id)
        if job.finished_at is None and not job.chunks.exists():
            ids = list(patient_ids)
            RescreenChunk.objects.bulk_create(
                RescreenChunk(job=job, index=i, size=len(part), patient_ids=part, heartbeat_at=now)
                for i, part in enumerate(services.chunks(ids, settings.RESCREEN_CHUNK_PATIENTS))
            )
            job.total = len(ids)
            job.finished_at = None if ids else now
            job.save(update_fields=["total", "finished_at"])
    return list(job.chunks.exclude(state=DONE).order_by("index").values_list("pk", flat=True))


def chunk_claim(chunk_id: int) -> RescreenChunk | None:
    """Mark the chunk running (unless it is done: then None, and there is nothing to do)."""
    claimed = (
        RescreenChunk.objects.filter(pk=chunk_id)
        .exclude(state=DONE)
        .update(state=RUNNING, heartbeat_at=timezone.now(), attempts=F("attempts") + 1)
    )
    return RescreenChunk.objects.get(pk=chunk_id) if claimed else None


def chunk_beat(chunk_id: int) -> None:
    RescreenChunk.objects.filter(pk=chunk_id, state=RUNNING).update(heartbeat_at=timezone.now())


def chunk_finish(chunk: RescreenChunk, stage_seconds: dict | None = None) -> None:
    """Done: count it on the job the first time only, and finish the job with its last chunk."""
    now = timezone.now()
    with transaction.atomic():
        first_time = (
            RescreenChunk.objects.filter(pk=chunk.pk)
            .exclude(state=DONE)
            .update(
                state=DONE,
                finished_at=now,
                heartbeat_at=now,
                error="",
                stage_seconds=stage_seconds or {},
            )
        )
        if first_time:
            RescreenJob.objects.filter(pk=chunk.job_id).update(done=F("done") + chunk.size)
    RescreenJob.objects.filter(
        pk=chunk.job_id, done__gte=F("total"), finished_at__isnull=True
    ).update(finished_at=now)


def chunk_fail(chunk_id: int, error: str) -> None:
    RescreenChunk.objects.filter(pk=chunk_id).exclude(state=DONE).update(
        state=FAILED, error=error[:ERROR_LENGTH], heartbeat_at=timezone.now()
    )


def chunk_requeue(chunk: RescreenChunk) -> bool:
    """Someone pressed "retry": a failed or stalled chunk is queued again (True if it was)."""
    retryable = Q(state=FAILED) | Q(state=RUNNING, heartbeat_at__lt=_dead_before())
    retryable |= Q(state=QUEUED, heartbeat_at__lt=_stalled_before())
    return bool(
        RescreenChunk.objects.filter(retryable, pk=chunk.pk).update(
            state=QUEUED, heartbeat_at=timezone.now(), error=""
        )
    )


def _dead_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.RESCREEN_CHUNK_DEAD_SECONDS)


def _stalled_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.RESCREEN_STALL_SECONDS)


def dead_chunks_claim() -> list[int]:
    """Claim the chunks to queue again: running with a stopped beat, or queued in a stalled job.

    Claimed by moving their beat to now, so the next round leaves them a full interval.
    """
    stalled_before = _stalled_before()
    alive = RescreenChunk.objects.filter(job=OuterRef("job"), heartbeat_at__gte=stalled_before)
    dead = Q(state=RUNNING, heartbeat_at__lt=_dead_before()) | (
        Q(state=QUEUED, heartbeat_at__lt=stalled_before) & ~Exists(alive)
    )
    with transaction.atomic():
        ids = list(
            RescreenChunk.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(dead, job__finished_at__isnull=True)
            .values_list("pk", flat=True)
        )
        RescreenChunk.objects.filter(pk__in=ids).update(state=QUEUED, heartbeat_at=timezone.now())
    return ids


def unplanned_job_ids() -> list[int]:
    """Unfinished jobs that were never planned and are older than the stall interval."""
    return list(
        RescreenJob.objects.filter(finished_at__isnull=True, created_at__lt=_stalled_before())
        .exclude(Exists(RescreenChunk.objects.filter(job=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )


def job_is_active(job: RescreenJob) -> bool:
    """Unfinished, and some chunk showed life within the stall interval."""
    if job.finished_at is not None:
        return False
    return job.chunks.filter(heartbeat_at__gte=_stalled_before()).exists() or (
        not job.chunks.exists() and job.created_at >= _stalled_before()
    )


@dataclass
class JobHealth:
    """What the job page says beside the bar: running, stalled, failed or finished."""

    state: str
    last_activity: datetime
    failed: list[RescreenChunk] = field(default_factory=list)
    stalled: list[RescreenChunk] = field(default_factory=list)

    @property
    def attention(self) -> list[RescreenChunk]:
        return self.failed + self.stalled

    @property
    def needs_attention(self) -> bool:
        return bool(self.failed or self.stalled)


def job_health(job: RescreenJob) -> JobHealth:
    last = job.chunks.aggregate(last=Max("heartbeat_at"))["last"] or job.created_at
    last = max(last, job.created_at)
    if job.finished_at is not None:
        return JobHealth("finished", last)
    unfinished = list(job.chunks.exclude(state=DONE).defer("patient_ids"))
    failed = [c for c in unfinished if c.state == FAILED]
    job_stalled = last < _stalled_before()
    stalled = [
        c
        for c in unfinished
        if (c.state == RUNNING and c.heartbeat_at and c.heartbeat_at < _dead_before())
        or (c.state == QUEUED and job_stalled)
    ]
    if failed and not any(c.state in (QUEUED, RUNNING) for c in unfinished):
        state = "failed"
    elif job_stalled:
        state = "stalled"
    else:
        state = "running"
    return JobHealth(state, last, failed, stalled)
