"""An import run's report as it grows: totals and one report per bundle, saved as they come.

Every string of a report is made storable first: a bundle's own text (an id, a name, a
validator's message quoting the value) may hold a NUL, which PostgreSQL refuses in JSON, and a
report that cannot be saved would leave the run empty, with no word of what failed.
"""

from __future__ import annotations

import time
from typing import TypedDict

from ..models import ImportRun


class PatientReport(TypedDict):
    public_id: str
    name: str
    mrn: str
    created: bool
    deceased: bool
    disease: str  # the disease key, "" when none was mapped
    assessments: int
    treatments: int


class BundleReport(TypedDict):
    """One bundle's part of ImportRun.report (JSON), as the import page and import_fhir show it."""

    name: str
    status: str  # "imported" or "failed"
    error: str
    patients: list[PatientReport]
    mapped: dict[str, int]  # resourceType -> resources imported
    skipped: list[dict[str, object]]  # BundleData.skip's rows
    other: dict[str, int]  # resourceType -> resources passed over
    notes: list[str]
    seconds: float


def storable(value):
    """``value`` with every NUL in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


class Progress:
    """The run's totals and report, saved after each bundle.

    The report is one JSON value that grows with each bundle, so saving it N times costs N²: 0.4 s for
    the 30 Synthea bundles, minutes for a thousand. The first SAVE_EACH_FIRST bundles (all of an upload)
    are saved one by one; after that at most one save per second, and never more than a tenth of the
    time. Any exception saves what is pending before it propagates.
    """

    SAVE_EACH_FIRST = 10
    SAVE_INTERVAL_SECONDS = 1.0

    def __init__(self, run: ImportRun, started: float):
        self.run, self.started = run, started
        self.saved_at, self.save_cost, self.pending = started, 0.0, False

    def add(self, report: BundleReport) -> None:
        run = self.run
        run.report.append(storable(report))
        run.bundles += 1
        run.bundles_failed += report["status"] == "failed"
        run.patients_created += sum(1 for p in report["patients"] if p["created"])
        run.patients_updated += sum(1 for p in report["patients"] if not p["created"])
        run.resources_mapped += sum(report["mapped"].values())
        run.resources_skipped += len(report["skipped"])
        self.pending = True
        waited = time.perf_counter() - self.saved_at
        if run.bundles <= self.SAVE_EACH_FIRST or waited >= max(
            self.SAVE_INTERVAL_SECONDS, 10 * self.save_cost
        ):
            self.save()

    def save(self) -> None:
        if not self.pending:
            return
        began = time.perf_counter()
        self.run.seconds = round(began - self.started, 3)
        self.run.save()
        self.saved_at = time.perf_counter()
        self.save_cost, self.pending = self.saved_at - began, False

    def stopped(self, message: str) -> None:
        """The run ends on an exception: say so in the report, then save what there is."""
        self.run.report.append(
            {
                "name": "(the rest of the run)",
                "status": "failed",
                "error": message,
                "patients": [],
                "mapped": {},
                "skipped": [],
                "other": {},
                "notes": [],
                "seconds": 0.0,
            }
        )
        self.pending = True
        self.save()
