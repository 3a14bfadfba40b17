"""``manage.py screen_all``: re-screen every living patient now, in this process, with progress."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from candidacy.screening import services as screening
from candidacy.screening.services import NO_ACTIVE_RULESET
from rules.models import RuleSet


class Command(BaseCommand):
    help = "Re-screen every living patient against the active rule set, showing a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=screening.BATCH_SIZE)

    def handle(self, *args, batch_size, verbosity, **options):
        ruleset = RuleSet.objects.active()
        if ruleset is None:
            raise CommandError(NO_ACTIVE_RULESET)
        ids = list(screening.screenable_patient_ids())
        total, done, created = len(ids), 0, 0
        started = time.monotonic()
        for chunk in screening.chunks(ids, batch_size):
            created += screening.screenings_record_many(patient_ids=chunk, ruleset=ruleset)
            done += len(chunk)
            if verbosity:
                self._progress(done, total, started)
        if verbosity and total:
            self.stderr.write("")
        elapsed = time.monotonic() - started
        rate = done / elapsed if elapsed else 0
        self.stdout.write(
            f"Screened {done:,} patients against {ruleset.name} version {ruleset.version}: "
            f"{created:,} new results in {elapsed:.1f} s ({rate:,.0f} patients/s)."
        )

    def _progress(self, done, total, started):
        width = 30
        filled = width * done // total if total else width
        rate = done / max(time.monotonic() - started, 1e-9)
        bar = "#" * filled + "-" * (width - filled)
        end = "\r" if sys.stderr.isatty() else "\n"
        self.stderr.write(f"[{bar}] {done:,}/{total:,} ({rate:,.0f}/s)", ending=end)
