"""``manage.py seed_demo --patients N [--seed S] [--as-of YYYY-MM-DD]``: demo centres, users, patients.

Deterministic for a seed and as-of date, idempotent (a second run adds only the
patients that are missing), and bulk-inserted so that N = 100,000 is practical.
The data is made in the patients/demo/ package; the constants (centre codes, usernames,
password) are in patients/demo/centres.py.
"""

from __future__ import annotations

import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from patients.demo.centres import DEMO_PASSWORD, ensure_centres_and_users
from patients.demo.seeding import SeedResult, seed_patients

ANALYZED_TABLES = (
    "patients_patient",
    "patients_assessment",
    "patients_assessmentvalue",
    "patients_priortreatment",
    "patients_relapse",
)
NOT_IN_PRODUCTION = (
    "seed_demo creates users with a published password: it runs only with DJANGO_DEBUG on "
    "(or --allow-without-debug for benchmarks and tests)."
)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--as-of: {error} (expected YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = "Create the demo centres, one demo user per role and centre, and N synthetic patients."

    def add_arguments(self, parser):
        parser.add_argument(
            "--patients",
            type=int,
            required=True,
            metavar="N",
            help="How many demo patients in all.",
        )
        parser.add_argument("--seed", default="1", metavar="S", help="Random seed (default 1).")
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            metavar="YYYY-MM-DD",
            help="Date the data is relative to (default today). Same seed and date give the same data.",
        )
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Seed even with DEBUG off (benchmarks, tests). Demo users have a published password.",
        )
        parser.add_argument(
            "--chunk-size", type=int, default=1000, help="Patients per transaction (default 1000)."
        )

    def handle(
        self, *args, patients, seed, as_of, chunk_size, verbosity, allow_without_debug, **options
    ):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(NOT_IN_PRODUCTION)
        today = timezone.localdate()
        as_of = as_of or today
        if patients < 0:
            raise CommandError("--patients must be 0 or more.")
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        if as_of > today:
            raise CommandError(
                "--as-of cannot be in the future: the records would be dated after today."
            )

        try:
            _centres, created_users = ensure_centres_and_users()
        except LookupError as error:
            raise CommandError(str(error)) from error

        started = time.monotonic()
        progress = verbosity >= 1
        end = "\r" if progress and self.stderr.isatty() else "\n"

        def on_chunk(result: SeedResult) -> None:
            if progress:
                rate = result.done / max(time.monotonic() - started, 1e-9)
                self.stderr.write(
                    f"seeded {result.done:,} / {result.requested:,} patients ({rate:,.0f}/s)",
                    style_func=str,
                    ending=end,
                )

        result = seed_patients(
            count=patients, seed=seed, as_of=as_of, chunk_size=chunk_size, on_chunk=on_chunk
        )
        if result.patients and connection.vendor == "postgresql":
            # Fresh planner statistics after a bulk load: without them PostgreSQL plans the
            # first re-screen of a million patients as if the tables were empty (3x slower).
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {', '.join(ANALYZED_TABLES)}")
        elapsed = time.monotonic() - started
        if progress and end == "\r" and patients:
            self.stderr.write("", style_func=str)

        rate = result.patients / elapsed if elapsed > 0 else 0
        self.stdout.write(
            f"Demo patients: {result.patients:,} created, {result.existing:,} already there "
            f"(seed {seed}, as of {as_of:%Y-%m-%d}); {result.assessments:,} assessments, "
            f"{result.values:,} values, {result.treatments:,} prior treatments, "
            f"{result.relapses:,} relapse dates "
            f"in {elapsed:.1f} s ({rate:,.0f} patients/s)."
        )
        if created_users:
            names = ", ".join(user.username for user in created_users)
            self.stdout.write(f"Demo users created: {names} (password {DEMO_PASSWORD!r}).")
