"""``manage.py bench_rescreen``: full re-screen throughput through Celery with a worker process.

Publishes a clone of the active rule set, as a criteria admin would, which queues a
re-screen of every living patient; a real Celery worker process (started here, with
the machine's cores as its concurrency) does the work through the configured broker.
Prints patients per second from publishing to the job's last chunk.
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

from candidacy.screening.models import RescreenJob
from rules import services as rules_services
from rules.models import RuleSet

WORKER_START_SECONDS = 60
NEEDS_BROKER = "Set CELERY_BROKER_URL: this benchmark runs tasks through a real broker and worker."


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
        with celery_worker(concurrency):
            draft = rules_services.ruleset_clone(ruleset=active)
            started = time.perf_counter()
            rules_services.ruleset_publish(ruleset=draft, by=None)
            job = self._wait_for_job(draft, started, timeout)
            elapsed = time.perf_counter() - started
        self.stdout.write(
            f"re-screened {job.done:,} patients through Celery ({concurrency} worker processes) "
            f"in {elapsed:,.1f} s: {job.done / elapsed:,.0f} patients/s"
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
