"""Queueing tasks after commit without the request ever waiting on, or failing with, the broker.

With Redis down a save answered 500 after 18 s though the change was committed, and with
Redis hung it held a web worker for 60 s (issue 15). Now a task is sent after commit by a
small pool of background threads (in-process when Celery runs tasks eagerly, as in tests
and ``make run``): the request returns at once. A message that cannot be sent within the
broker's short timeouts is logged and dropped; nothing is lost with it, because the change
itself is durable (the record's version, the job's row) and the reconciler finds it.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import partial

from django.db import transaction

from common.retry import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)
NOT_QUEUED = "Not queued (%s): %s%r; the reconciler will do it"

_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="queue-after-commit")
_pending: set[Future] = set()
_lock = threading.Lock()


def send(task, *args) -> bool:
    """Send now; a broker error is logged, never raised."""
    try:
        task.delay(*args)
    except TRANSIENT_ERRORS as error:
        logger.warning(NOT_QUEUED, error, task.name, args)
        return False
    return True


def send_in_background(task, *args) -> None:
    if task.app.conf.task_always_eager:
        send(task, *args)  # in-process: the task runs here, as tests and `make run` expect
        return
    future = _executor.submit(send, task, *args)
    with _lock:
        _pending.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future) -> None:
    with _lock:
        _pending.discard(future)


def queue_after_commit(task, *args) -> None:
    """After the transaction commits, send ``task(*args)`` without the request waiting."""
    transaction.on_commit(partial(send_in_background, task, *args))


def drain(timeout: float = 30) -> None:
    """Wait for the messages still being sent (tests; a worker shutting down)."""
    with _lock:
        pending = set(_pending)
    wait(pending, timeout=timeout)
