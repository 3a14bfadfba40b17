"""``manage.py bench_load``: the worklist under 50 users, on gunicorn with production settings.

Starts gunicorn (3 workers) on this database with the settings this command runs with (DEBUG
must be off), then locust headless (``candidacy/management/locustfile.py``): 50 clinicians
sign in and read, pausing 1 to 3 s between requests, for 60 s, the worklist's first page, a
page ~90% deep, a filtered page, a sorted page (first and deep), a patient's page, and the
sign-in page as the floor: a page that reads no patient data, under the same load. Prints,
per page, the requests per second, the 50th, 95th and 99th percentiles and the errors, the
95th percentile against the floor's, and the machine's load. Needs the ``bench`` extra.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.urls import reverse

from candidacy.screening.models import Screening
from rules.specs import STRONG

from .explain_worklist import deep_cursor

LOCUSTFILE = Path(__file__).resolve().parent.parent / "locustfile.py"
FLOOR = "sign-in page"
PATIENT_PAGE = "patient page"
PATIENT_PAGES = 200
NOT_FOR_HTTP = (
    "bench_load serves plain http on localhost: run it with DJANGO_DEBUG=0 and, for the bench "
    "only, DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 (make bench sets them)."
)


def load() -> str:
    return "load average {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our localhost URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise CommandError(f"gunicorn did not answer {url} within {seconds:.0f} s")


class Command(BaseCommand):
    help = "50 users on gunicorn with production settings: worklist pages beside the sign-in page."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--workers", type=int, default=3)
        parser.add_argument("--port", type=int, default=8077)
        parser.add_argument("--user", default="clinician-ntc", help="The demo clinician.")

    def handle(self, *args, users, seconds, workers, port, user, **options):
        if settings.DEBUG or settings.SECURE_SSL_REDIRECT or settings.SESSION_COOKIE_SECURE:
            raise CommandError(NOT_FOR_HTTP)
        if connection.vendor != "postgresql":
            raise CommandError("The load run is meant for PostgreSQL: set DATABASE_URL.")
        locust = shutil.which("locust", path=str(Path(sys.executable).parent))
        if locust is None:
            raise CommandError("locust is not installed: pip install -e '.[bench]'.")
        person = get_user_model().objects.filter(username=user).first()
        if person is None:
            raise CommandError(f"No user {user!r}: run seed_demo (or bench_worklist) first.")
        pages, patients = self.pages(person)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"before: {load()}")
        host = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
            + ["--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            start_new_session=True,
        )
        try:
            wait_until_up(host + reverse("login"))
            env = {
                **os.environ,
                "BENCH_LOAD_PAGES": json.dumps(pages),
                "BENCH_LOAD_PATIENTS": json.dumps(patients),
                "BENCH_LOAD_USER": user,
                "BENCH_LOAD_USERS": str(users),
                "BENCH_LOAD_SECONDS": str(seconds),
            }
            rows = self.swarm(locust, host, env, users, seconds)
            during = load()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        self.stdout.write(f"after {seconds} s with {users} users signed in: {during}")
        self.report(rows)

    def swarm(self, locust: str, host: str, env: dict, users: int, seconds: int) -> list[dict]:
        """Run locust headless and return its per-page statistics (its CSV's rows)."""
        with tempfile.TemporaryDirectory() as folder:
            prefix = str(Path(folder) / "load")
            run = subprocess.run(  # noqa: S603 - locust from our own environment
                [locust, "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
                # The locustfile ends the run SECONDS after the last sign-in; -t is a backstop.
                + ["-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{seconds + 600}s"]
                + ["--host", host, "--csv", prefix, "--loglevel", "WARNING"],
                env=env,
                check=False,
                capture_output=True,
                text=True,
            )
            # locust exits 1 when any request failed: the table says which; anything else is its own.
            if run.returncode not in (0, 1):
                raise CommandError(f"locust failed ({run.returncode}):\n{run.stderr[-3000:]}")
            with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
                return list(csv.DictReader(stats))

    def pages(self, user) -> tuple[dict[str, str], list[str]]:
        """The worklist pages to read (cursors signed here, with the server's key) and patient pages."""
        worklist = reverse("worklist:list")
        pages = {"worklist: first page": worklist}
        for sort, label in (("rank", "worklist: deep page"), ("score", "worklist: by score, deep")):
            cursor = deep_cursor(user, {}, sort)
            if cursor:
                pages[label] = f"{worklist}?sort={sort}&cursor={cursor}"
        pages["worklist: filtered"] = f"{worklist}?disease=ms&band={STRONG}"
        pages["worklist: by name"] = f"{worklist}?sort=name"
        screenings = Screening.objects.current().visible_to(user)
        name = (screenings.values_list("sort_name", flat=True).first() or "smith").split(",")[0]
        pages["worklist: search"] = f"{worklist}?q={name}"
        public_ids = screenings.order_by("?").values_list("patient__public_id", flat=True)[
            :PATIENT_PAGES
        ]
        patients = [reverse("patients:detail", args=[public_id]) for public_id in public_ids]
        return pages, patients

    def report(self, rows: list[dict]) -> None:
        floor = next((row for row in rows if row["Name"] == FLOOR), None)
        floor_p95 = float(floor["95%"]) if floor else float("nan")
        table = [("page", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "p95/floor")]
        for row in sorted(rows, key=lambda r: r["Name"]):
            if row["Name"] == "Aggregated" or row["Request Count"] == "0":
                continue  # the sign-ins, all before the measured window
            p95 = float(row["95%"])
            table.append(
                (
                    row["Name"],
                    row["Request Count"],
                    f"{float(row['Requests/s']):.1f}",
                    row["50%"],
                    row["95%"],
                    row["99%"],
                    row["Failure Count"],
                    f"{p95 / floor_p95:.1f}x" if floor_p95 else "",
                )
            )
        widths = [max(len(str(r[i])) for r in table) for i in range(len(table[0]))]
        for i, line in enumerate(table):
            self.stdout.write(
                "  ".join(
                    str(c).ljust(w) if j == 0 else str(c).rjust(w)
                    for j, (c, w) in enumerate(zip(line, widths, strict=True))
                )
            )
            if i == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.verdict(rows, floor_p95)

    def verdict(self, rows: list[dict], floor_p95: float) -> None:
        worklist = [
            r for r in rows if r["Name"].startswith("worklist") and r["Request Count"] != "0"
        ]
        worst = max((float(r["95%"]) for r in worklist), default=float("nan"))
        errors = sum(int(r["Failure Count"]) for r in rows if r["Name"] != "Aggregated")
        self.stdout.write(
            f"targets: worklist p95 <= 250 ms: worst {worst:.0f} ms; <= 3x the sign-in page's "
            f"p95 ({floor_p95:.0f} ms): {worst / floor_p95:.1f}x; errors: {errors} (target 0)"
        )
