"""The fault suite's moving parts: proxies, a Celery worker and beat in their own processes,
a population, and the figures each scenario reports (time to consistency; lost, stale and
duplicate screenings).

The worker and beat are real processes (``celery -A config worker``), so a worker can be
killed with SIGKILL, and they reach PostgreSQL and Redis only through the proxies. Their
intervals are shrunk through settings (environment) so a scenario runs in seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.db.models import Count

ROOT = Path(__file__).resolve().parent.parent.parent
PATIENTS = int(os.environ.get("FAULT_PATIENTS", "300"))
OUTAGE_SECONDS = float(os.environ.get("FAULT_OUTAGE_SECONDS", "5"))
WAIT_SECONDS = float(os.environ.get("FAULT_WAIT_SECONDS", "240"))

# Shrunk for the suite: retries over a minute, a chunk dead after 6 s, the reconciler every 3 s.
SHRUNK = {
    "TASK_RETRY_WINDOW_SECONDS": "60",
    "TASK_RETRY_FIRST_SECONDS": "0.5",
    "TASK_RETRY_MAX_SECONDS": "3",
    "RESCREEN_CHUNK_PATIENTS": os.environ.get("FAULT_CHUNK_PATIENTS", "20"),
    "RESCREEN_BEAT_PATIENTS": "5",
    "RESCREEN_CHUNK_DEAD_SECONDS": "6",
    "RESCREEN_STALL_SECONDS": "8",
    "RECONCILE_SECONDS": "3",
    "BROKER_TIMEOUT_SECONDS": "1",
}

FIGURES: list[Figures] = []


@dataclass
class Figures:
    scenario: str
    patients: int
    seconds: float  # from the fault to every patient being consistent again
    lost: int  # patients left without a screening of the active version
    stale: int  # screened before their record's last change
    duplicates: int  # patients with two current screenings, or a chunk counted twice
    note: str = ""

    def line(self) -> str:
        return (
            f"{self.scenario:<34} {self.patients:>7} patients  consistent after "
            f"{self.seconds:6.1f} s  lost {self.lost}  stale {self.stale}  "
            f"duplicates {self.duplicates}  {self.note}"
        )


def service_env(db_port: int, redis_url: str) -> dict[str, str]:
    settings = connection.settings_dict
    database = f"postgres://{settings['USER']}@127.0.0.1:{db_port}/{settings['NAME']}"
    return {
        **os.environ,
        **SHRUNK,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "LOG_LEVEL": "WARNING",
    }


class Service:
    """A Celery worker or beat in a process group of its own."""

    def __init__(self, kind: str, env: dict[str, str], name: str, tmp: Path) -> None:
        args = [sys.executable, "-m", "celery", "-A", "config", kind, "-l", "WARNING"]
        if kind == "worker":
            args += ["-P", "solo", "-n", f"{name}@faults", "--without-gossip", "--without-mingle"]
        else:
            args += ["--schedule", str(tmp / f"beat-{name}")]
        self.log = (tmp / f"{kind}-{name}.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            args,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, as when the machine dies."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.log.close()


def wait_until(condition, what: str, seconds: float = WAIT_SECONDS) -> float:
    """Poll until ``condition()``; returns the seconds it took. Fails the test on timeout."""
    import pytest

    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        time.sleep(0.2)
    pytest.fail(f"not consistent after {seconds:.0f} s: {what}")


def consistency(ruleset) -> dict[str, int]:
    """Lost, stale and duplicate screenings of the living patients against ``ruleset``."""
    from candidacy.screening.models import RescreenJob, Screening
    from patients.models import Patient

    living = Patient.objects.living()
    current = Screening.objects.current()
    lost = living.exclude(pk__in=current.filter(ruleset=ruleset).values("patient_id")).count()
    duplicates = current.values("patient").annotate(n=Count("id")).filter(n__gt=1).count()
    over_counted = sum(1 for job in RescreenJob.objects.all() if job.done > job.total)
    return {"lost": lost, "stale": stale_count(), "duplicates": duplicates + over_counted}


def stale_count() -> int:
    """Living patients whose record changed after their current screening was computed."""
    from candidacy.screening.models import Screening

    fields = {f.name for f in Screening._meta.get_fields()}
    if "record_version" not in fields:
        return 0  # no record version before issue 11: staleness is measured by the scenario
    from django.db.models import F

    return (
        Screening.objects.current()
        .filter(patient__death_date__isnull=True)
        .filter(record_version__lt=F("patient__record_version"))
        .count()
    )
