"""Retries that outlast an outage.

A database restart or a broker failover takes minutes; five retries in eight seconds gave
up long before (issue 15). Every task here retries a database or broker error with a wait
that doubles up to ``TASK_RETRY_MAX_SECONDS`` until the waits add up to at least
``TASK_RETRY_WINDOW_SECONDS`` (settings, read when the task fails, so tests shrink them).
A task that gives up calls ``give_up``, where a subclass records the failure on its row.
"""

from __future__ import annotations

import random
from typing import Any

import redis.exceptions
from celery.contrib.django.task import DjangoTask
from celery.exceptions import Retry
from django.conf import settings
from django.db import DatabaseError
from kombu.exceptions import OperationalError as BrokerError

# What an outage raises: the database's errors (Django wraps psycopg's), the broker's
# (kombu wraps most, a result backend raises redis' own) and a socket's.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    DatabaseError,
    BrokerError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)


def retry_waits(*, window: float, first: float, longest: float) -> list[float]:
    """The waits before each retry: doubling from ``first`` up to ``longest``, until they
    add up to ``window``."""
    waits: list[float] = []
    wait = max(first, 0.1)
    while sum(waits) < window:
        waits.append(min(wait, longest))
        wait *= 2
    return waits


def configured_waits() -> list[float]:
    return retry_waits(
        window=settings.TASK_RETRY_WINDOW_SECONDS,
        first=settings.TASK_RETRY_FIRST_SECONDS,
        longest=settings.TASK_RETRY_MAX_SECONDS,
    )


class RetryingTask(DjangoTask):
    """A task that retries outages for the configured window, then gives up once.

    Done in ``__call__`` rather than with ``autoretry_for``, whose schedule is fixed when the
    module is imported; ``give_up`` runs here too because Celery skips ``on_failure`` when
    tasks run in-process (no broker: tests and ``make run``).
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        attempt = self.request.retries
        while True:
            try:
                return super().__call__(*args, **kwargs)
            except Retry:
                raise
            except TRANSIENT_ERRORS as exc:
                waits = configured_waits()
                if self.request.called_directly or attempt >= len(waits):
                    self.give_up(args, kwargs, exc)
                    raise
                if not self.request.is_eager:
                    # Jitter only lengthens a wait, so the window is always covered.
                    countdown = waits[attempt] * (1 + random.random() / 4)  # noqa: S311
                    raise self.retry(exc=exc, countdown=countdown, max_retries=len(waits)) from exc
                # In-process (no broker: tests, `make run`): Celery would raise the Retry to
                # the caller, so retry here, at once.
                attempt += 1
            except Exception as exc:
                self.give_up(args, kwargs, exc)
                raise

    def give_up(self, args: tuple, kwargs: dict, exc: BaseException) -> None:
        """Called once, when the task fails for good: record it where a person will see it."""
