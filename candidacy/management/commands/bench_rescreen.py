"""``manage.py bench_rescreen``: full re-screen throughput through Celery with a worker process.

Publishes a clone of the active rule set, as a criteria admin would, which queues a
re-screen of every living patient; a real Celery worker process (started here, with
the machine's cores as its concurrency) does the work through the configured broker.
Prints patients per second from publishing to the job's last chunk, the time the chunks
spent per stage (load, evaluate, serialise, write), the storage the re-screen added to the
screening tables (PostgreSQL: heap, TOAST and indexes) and the machine's load beside them:
the machine may be shared, and the figures mean little without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager

from celery import current_app as app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from candidacy.screening.models import RescreenChunk, RescreenJob
from candidacy.screening.services import StageTimer
from rules import services as rules_services
from rules.models import RuleSet

WORKER_START_SECONDS = 60
NEEDS_BROKER = "Set CELERY_BROKER_URL: this benchmark runs tasks through a real broker and worker."
DEBUG_ON = (
    "warning: DEBUG is on: each worker process keeps a log of every query and grows by "
    "hundreds of MB; run with DJANGO_DEBUG=0 for figures that mean anything."
)
SCREENING_TABLES = ("candidacy_screening", "candidacy_screeninginputs")
PARTS = ("heap", "TOAST", "indexes")


@contextmanager
def celery_worker(concurrency: int):
    """A Celery worker process for the benchmark, started on an empty queue and stopped after."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        raise CommandError(NEEDS_BROKER)
    app.control.purge()
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=warning",
            f"--concurrency={concurrency}",
            "--prefetch-multiplier=1",
            "-n",
            f"bench-{os.getpid()}@%h",
        ],
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + WORKER_START_SECONDS
        while not app.control.ping(timeout=1.0):
            if time.monotonic() > deadline:
                raise CommandError("The Celery worker did not start.")
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=60)


class Command(BaseCommand):
    help = "Time a full re-screen of every patient through Celery with a worker process."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
        parser.add_argument(
            "--timeout", type=int, default=3 * 3600, help="Give up after this many seconds."
        )

    def handle(self, *args, concurrency, timeout, **options):
        active = RuleSet.objects.active()
        if active is None:
            raise CommandError("No published rule set.")
        if settings.DEBUG:
            self.stderr.write(DEBUG_ON)
        before = _storage()
        self.stdout.write(f"load before: {_load()}")
        with celery_worker(concurrency):
            draft = rules_services.ruleset_clone(ruleset=active)
            started = time.perf_counter()
            rules_services.ruleset_publish(ruleset=draft, by=None)
            job = self._wait_for_job(draft, started, timeout)
            elapsed = time.perf_counter() - started
        self.stdout.write(
            f"re-screened {job.done:,} patients through Celery ({concurrency} worker processes) "
            f"in {elapsed:,.1f} s: {job.done / elapsed:,.0f} patients/s  (load {_load()})"
        )
        self._stages(job)
        self._storage_added(before, _storage(), job.done)

    def _stages(self, job) -> None:
        totals = StageTimer()
        for stages in RescreenChunk.objects.filter(job=job).values_list("stage_seconds", flat=True):
            for stage, seconds in stages.items():
                totals[stage] = totals.get(stage, 0.0) + seconds
        spent = sum(totals.values()) or 1.0
        self.stdout.write("time per stage, summed over the worker processes:")
        for stage, seconds in totals.items():
            per_patient = 1e6 * seconds / max(job.done, 1)
            self.stdout.write(
                f"  {stage:<10} {seconds:8.1f} s  {per_patient:7.0f} us/patient  "
                f"{100 * seconds / spent:3.0f}%"
            )

    def _storage_added(self, before: dict | None, after: dict | None, patients: int) -> None:
        if before is None or after is None:
            self.stdout.write("storage: measured on PostgreSQL only")
            return
        for table in SCREENING_TABLES:
            added = [b - a for a, b in zip(before[table], after[table], strict=True)]
            parts = ", ".join(
                f"{name} {size / 1e6:,.1f}" for name, size in zip(PARTS, added[1:], strict=True)
            )
            self.stdout.write(
                f"storage added to {table}: {added[0] / 1e6:,.1f} MB ({parts}); "
                f"{before[table][0] / 1e6:,.1f} -> {after[table][0] / 1e6:,.1f} MB"
            )
        added_total = sum(after[t][0] - before[t][0] for t in SCREENING_TABLES)
        self.stdout.write(
            f"storage added per re-screen: {added_total / 1e6:,.1f} MB, "
            f"{added_total / max(patients, 1):,.0f} bytes/patient"
        )

    def _wait_for_job(self, ruleset, started, timeout):
        last = -1
        while time.perf_counter() - started < timeout:
            job = RescreenJob.objects.filter(ruleset=ruleset).first()
            if job is not None and job.finished_at is not None:
                return job
            if job is not None and job.done != last and self.stderr.isatty():
                self.stderr.write(f"{job.done:,}/{job.total:,}", ending="\r")
                last = job.done
            time.sleep(0.5)
        raise CommandError(f"The re-screen did not finish within {timeout} s.")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _storage() -> dict[str, tuple[int, ...]] | None:
    """Per screening table: total, heap, TOAST (with the free-space maps) and index bytes."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        return {table: _size(cursor, table) for table in SCREENING_TABLES}


def _size(cursor, table: str) -> tuple[int, ...]:
    cursor.execute(
        "SELECT pg_total_relation_size(%s::regclass), pg_relation_size(%s::regclass), "
        "pg_table_size(%s::regclass) - pg_relation_size(%s::regclass), "
        "pg_indexes_size(%s::regclass)",
        [table] * 5,
    )
    return tuple(cursor.fetchone())
