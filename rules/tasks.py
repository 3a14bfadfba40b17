"""Background work of the rules app: the what-if preview of a draft rule set.

Tasks take ids, call rules/previews/job.py, and are safe to run twice (the job says how).
Retries and time limits are declared on the decorators; a task that gives up marks its
preview failed, with the error, so the page stops waiting for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from celery.exceptions import Retry
from django.db import DatabaseError

from .previews import job

if TYPE_CHECKING:
    from celery.contrib.django.task import DjangoTask as TypedDjangoTask

_P = ParamSpec("_P")
_R = TypeVar("_R")
# Retries as the screening tasks declare them: a database hiccup is retried with backoff.
RETRY: dict[str, Any] = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


class PreviewTask(DjangoTask):
    """A preview task: once it fails for good, the preview is marked failed with the error.

    Marked here rather than in ``on_failure``, which Celery skips when tasks run in-process
    and propagate their errors (no broker: tests and ``make run``). A retry is not a failure.
    """

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except Retry:
            raise
        except Exception as exc:
            preview_id = args[0] if args else kwargs.get("preview_id")
            if preview_id is not None:
                job.preview_fail(preview_id, f"{type(exc).__name__}: {exc}")
            raise


def preview_task(**options: Any) -> Callable[[Callable[_P, _R]], TypedDjangoTask[_P, _R]]:
    """shared_task with PreviewTask as its base, the retries above and ``options``.

    Typed as the DjangoTask it makes, with the function's own arguments (celery-types cannot
    follow ``base=``).
    """

    def decorate(fun: Callable[_P, _R]) -> TypedDjangoTask[_P, _R]:
        task = shared_task(base=PreviewTask, **RETRY, **options)(fun)
        return cast("TypedDjangoTask[_P, _R]", task)

    return decorate


@preview_task()
def preview_run(preview_id: int) -> int:
    """Plan the preview's chunks (once) and queue those not done yet; returns how many."""
    chunk_ids = job.preview_plan(preview_id)
    for chunk_id in chunk_ids:
        preview_chunk.delay(preview_id, chunk_id)
    return len(chunk_ids)


@preview_task(soft_time_limit=600, time_limit=660)
def preview_chunk(preview_id: int, chunk_id: int) -> int:
    """Screen one chunk under both versions; the last chunk to land writes the summary."""
    return job.preview_chunk_run(preview_id, chunk_id)
