"""``manage.py bench_preview``: a full what-if preview through Celery, beside the re-screen.

Clones the active rule set to a draft and changes it as a criteria admin might (the strong
threshold five points lower, so patients move), then previews it through a real Celery
worker process (the machine's cores as its concurrency) and times it from the start to the
summary. Prints patients per second beside the last full re-screen after publishing (as
``bench_rescreen`` leaves it; ``make bench`` runs that first), and how many times the
re-screen's duration the preview took at the same number of patients (issue 10 asks for at
most 2). The draft and its preview are deleted afterwards.
"""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from candidacy.screening.models import RescreenJob
from rules import services as rules_services
from rules.models import RuleSet
from rules.previews.models import RuleSetPreview
from rules.previews.services import preview_start

from .bench_rescreen import celery_worker

STRONG_LOWER_BY = 5


class Command(BaseCommand):
    help = "Time a full preview of a draft through Celery with a worker process."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
        parser.add_argument(
            "--timeout", type=int, default=3 * 3600, help="Give up after this many seconds."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the draft and its preview.")

    def handle(self, *args, concurrency, timeout, keep, **options):
        active = RuleSet.objects.active()
        if active is None:
            raise CommandError("No published rule set.")
        draft = rules_services.ruleset_clone(ruleset=active)
        draft.band_thresholds = {
            **draft.band_thresholds,
            "strong": draft.band_thresholds["strong"] - STRONG_LOWER_BY,
        }
        draft.save(update_fields=["band_thresholds"])
        try:
            with celery_worker(concurrency):
                started = time.perf_counter()
                with transaction.atomic():
                    preview = preview_start(ruleset=draft, by=None)
                preview = self._wait(preview, started, timeout)
                elapsed = time.perf_counter() - started
            self._report(preview, elapsed, concurrency)
        finally:
            if not keep:
                draft.delete()

    def _wait(self, preview, started, timeout) -> RuleSetPreview:
        while time.perf_counter() - started < timeout:
            preview.refresh_from_db()
            if preview.status == RuleSetPreview.Status.FAILED:
                raise CommandError(f"The preview failed: {preview.error}")
            if preview.status == RuleSetPreview.Status.FINISHED:
                return preview
            if self.stderr.isatty():
                self.stderr.write(f"{preview.done:,}/{preview.total:,}", ending="\r")
            time.sleep(0.5)
        raise CommandError(f"The preview did not finish within {timeout} s.")

    def _report(self, preview, elapsed, concurrency):
        rate = preview.total / elapsed if elapsed else 0.0
        self.stdout.write(
            f"previewed {preview.total:,} patients under two versions through Celery "
            f"({concurrency} worker processes) in {elapsed:,.1f} s: {rate:,.0f} patients/s "
            f"({preview.summary['moved']:,} moved)"
        )
        job = (
            RescreenJob.objects.filter(
                reason=RescreenJob.Reason.PUBLISHED, finished_at__isnull=False, total__gt=0
            )
            .order_by("-created_at")
            .first()
        )
        if job is None or job.finished_at is None:
            self.stdout.write("no finished re-screen to compare with: run bench_rescreen first")
            return
        rescreen = (job.finished_at - job.created_at).total_seconds()
        rescreen_rate = job.total / rescreen
        self.stdout.write(
            f"last full re-screen: {job.total:,} patients in {rescreen:,.1f} s: "
            f"{rescreen_rate:,.0f} patients/s; the preview took "
            f"{rescreen_rate / rate:.2f}x the re-screen's time per patient (at most 2 wanted)"
        )
