"""``manage.py bench_worklist [--patients N]``: how fast is the worklist at N patients?

On the configured database (meant for PostgreSQL): seeds N demo patients if missing,
screens those without a current screening (and prints the throughput), then times the
worklist page as the demo clinician sees it: the first page, a page ~90% deep (from a
keyset cursor built directly) and a filtered page, each beside the time of its main SQL
run on its own, and the number of queries per page.
"""

from __future__ import annotations

import statistics
import time
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidacy.screening.models import Screening
from candidacy.screening.services import (
    chunks,
    patients_needing_screening,
    screenable_patient_ids,
    screenings_record_many,
)
from rules.models import RuleSet
from rules.specs import STRONG

from .explain_worklist import deep_cursor

BENCH_USER = "clinician-ntc"
MAIN_QUERY = 'FROM "candidacy_screening"'


def _median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


class Command(BaseCommand):
    help = "Seed N demo patients if needed, screen them, and time the worklist's pages."

    def add_arguments(self, parser):
        parser.add_argument(
            "--patients",
            type=int,
            default=100_000,
            metavar="N",
            help="Demo patients (default 100,000).",
        )
        parser.add_argument(
            "--repeat", type=int, default=15, help="Timed repetitions per case (median shown)."
        )
        parser.add_argument(
            "--rescreen", action="store_true", help="Re-screen every patient even if screened."
        )

    def handle(self, *args, patients, repeat, rescreen, **options):
        if patients < 1 or repeat < 1:
            raise CommandError("--patients and --repeat must be at least 1.")
        self.stdout.write(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        call_command("seed_demo", patients=patients, allow_without_debug=True, verbosity=0)
        self._screen(rescreen)
        if connection.vendor == "postgresql":
            # Fresh statistics after a bulk load, as autovacuum would give a live database;
            # without them the planner guesses a few rows per centre and picks a hash join.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE candidacy_screening, patients_patient, candidacy_review")
        user = get_user_model().objects.get(username=BENCH_USER)
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        rows = [("case", "page ms (median)", "main SQL ms", "queries", "rows")]
        for name, params in self._cases(user):
            rows.append((name, *self._measure(client, params, repeat)))
        widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
        for i, row in enumerate(rows):
            self.stdout.write(
                "  ".join(
                    str(c).ljust(w) if j == 0 else str(c).rjust(w)
                    for j, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )
            if i == 0:
                self.stdout.write("  ".join("-" * w for w in widths))

    def _screen(self, rescreen: bool) -> None:
        ruleset = RuleSet.objects.active()
        if ruleset is None:
            raise CommandError("No published rule set: nothing to screen with.")
        if rescreen:
            ids = list(screenable_patient_ids())
        else:
            ids = list(
                patients_needing_screening(ruleset).order_by("pk").values_list("pk", flat=True)
            )
        current = Screening.objects.current().count()
        if not ids:
            self.stdout.write(
                f"screenings: {current:,} current, none missing (--rescreen to time a full re-screen)"
            )
            return
        started = time.perf_counter()
        written = 0
        for chunk in chunks(ids):
            written += screenings_record_many(patient_ids=chunk, ruleset=ruleset)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"screened {len(ids):,} patients in {elapsed:,.1f} s: {len(ids) / elapsed:,.0f} patients/s "
            f"({written:,} new screening rows)"
        )

    def _cases(self, user):
        cases: list[tuple[str, dict[str, str]]] = [("first page", {})]
        deep = deep_cursor(user, {}, "rank")
        if deep is not None:
            cases.append(("deep page (~90%)", {"cursor": deep}))
        cases.append(("filtered: ms + Strong", {"disease": "ms", "band": STRONG}))
        deep_score = deep_cursor(user, {}, "score")
        cases.append(
            ("sorted by score, deep", {"sort": "score", "cursor": deep_score})
            if deep_score
            else ("sorted by score", {"sort": "score"})
        )
        return cases

    def _measure(self, client, params, repeat):
        url = reverse("worklist:list") + ("?" + urlencode(params) if params else "")

        def page():
            response = client.get(url, secure=True)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")
            return response

        page()  # warm caches and the session
        # The query log is a bounded deque: once full (after seeding with DEBUG on) a capture
        # would count nothing, so empty it first.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            response = page()
        # Read now: the next request empties the query log the capture slices.
        count = len(captured)
        main = [q["sql"] for q in captured.captured_queries if MAIN_QUERY in q["sql"]]
        shown = response.content.decode().count('<tr data-patient="')
        page_ms = _median_ms(page, repeat)

        def raw():
            with connection.cursor() as cursor:
                cursor.execute(main[0])
                cursor.fetchall()

        sql_ms = _median_ms(raw, repeat) if main else float("nan")
        return f"{page_ms:.1f}", f"{sql_ms:.1f}", count, shown
