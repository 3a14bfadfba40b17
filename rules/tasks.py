"""Background work of the rules app: the what-if preview of a draft rule set.

Tasks take ids, call rules/previews/job.py, and are safe to run twice (the job says how).
Retries come from PreviewTask and time limits from the decorators; a task that gives up marks its
preview failed, with the error, so the page stops waiting for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from celery import shared_task

from common.retry import RetryingTask

from .previews import job

if TYPE_CHECKING:
    from celery.contrib.django.task import DjangoTask as TypedDjangoTask

_P = ParamSpec("_P")
_R = TypeVar("_R")


class PreviewTask(RetryingTask):
    """A preview task: a database or broker outage is retried for the configured window
    (common/retry.py); once it fails for good, the preview is marked failed with the error."""

    def give_up(self, args: tuple, kwargs: dict, exc: BaseException) -> None:
        preview_id = args[0] if args else kwargs.get("preview_id")
        if preview_id is not None:
            job.preview_fail(preview_id, f"{type(exc).__name__}: {exc}")


def preview_task(**options: Any) -> Callable[[Callable[_P, _R]], TypedDjangoTask[_P, _R]]:
    """shared_task with PreviewTask as its base and ``options``.

    Typed as the DjangoTask it makes, with the function's own arguments (celery-types cannot
    follow ``base=``).
    """

    def decorate(fun: Callable[_P, _R]) -> TypedDjangoTask[_P, _R]:
        task = shared_task(base=PreviewTask, **options)(fun)
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
