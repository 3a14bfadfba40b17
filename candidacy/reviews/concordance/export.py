"""The concordance as CSV: two files, each one table with one header row.

- The departures: one row per decision that departs from the band, with its reason. It
  names patients (by MRN) and carries free text, so it is streamed in keyset chunks and
  every export is logged (who, when, which filters), as the worklist's is.
- The summary: the decision x band table and each breakdown, counts and rates only, no
  patient. It can go in a meeting pack without patient data.

Two files rather than one with a section column: the two have different columns, and a
table with one header per file opens straight in a spreadsheet or a statistics package;
and the file that identifies patients stays apart from the one that does not.
Every cell passes through ``common.spreadsheet.safe_cell`` (no spreadsheet formulas).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.utils import timezone

from common.spreadsheet import safe_cell

from ...worklist.models import ExportLog
from .departures import departures_iter
from .selectors import TOO_FEW, Filters, Rate, Report

DEPARTURES_HEADER = [
    "Decided on",
    "MRN",
    "Centre",
    "Disease",
    "Sex",
    "Age at decision",
    "Rule-set version",
    "Band at decision",
    "Decision",
    "Reason given",
]
SUMMARY_HEADER = [
    "Table",
    "Group",
    "Band at decision",
    "Decisions",
    "Departures",
    "Departure rate %",
    "Likely range % (95%)",
    "Note",
]
DEPARTS = "Departs from the band"
MATRIX_TABLE = "Decision by band at decision"
LOGGED_AS = "Decision concordance: departures"


class _Echo:
    """csv.writer writes to this and gets the line back, to yield it."""

    def write(self, value: str) -> str:
        return value


def _line(writer, values: Iterable) -> str:
    return writer.writerow([safe_cell(value) for value in values])


def _day(moment) -> str:
    day = timezone.localtime(moment).date()
    return f"{day.day} {day:%b %Y}"  # 25 Nov 2026, as on the page


def departures_export_start(*, user, params: dict) -> ExportLog:
    """Log the export (who, when, which filters) before any row leaves."""
    return ExportLog.objects.create(user=user, filters={"report": LOGGED_AS, **params})


def departures_lines(
    *, user, filters: Filters, departing: list[tuple[str, str]], log: ExportLog
) -> Iterator[str]:
    """The departures CSV; the log gets the row count, and finished=True only if all were sent."""
    writer = csv.writer(_Echo())
    count = 0
    finished = False
    try:
        yield _line(writer, DEPARTURES_HEADER)
        for count, d in enumerate(departures_iter(user, filters, departing), start=1):  # noqa: B007 - count is read after
            yield _line(
                writer,
                (
                    _day(d.decided_at),
                    d.mrn,
                    d.centre,
                    d.disease,
                    d.sex,
                    d.age_group,
                    d.version,
                    d.band,
                    d.decision,
                    d.reason,
                ),
            )
        finished = True
    finally:
        log.row_count = count
        log.finished = finished
        log.save(update_fields=["row_count", "finished"])


def _rate_cells(rate: Rate) -> list:
    if rate.percent is None or rate.likely_range is None:
        return ["", "", TOO_FEW]
    low, high = rate.likely_range
    return [f"{rate.percent:.1f}", f"{low:.1f}–{high:.1f}", ""]


def summary_lines(report: Report) -> Iterator[str]:
    """The summary CSV: the decision x band cells, then every group of every breakdown."""
    writer = csv.writer(_Echo())
    yield _line(writer, SUMMARY_HEADER)
    for decision, cells, _total in report.matrix.rows:
        for band, cell in zip(report.matrix.bands, cells, strict=True):
            departures = cell.count if cell.departs else 0
            note = DEPARTS if cell.departs else ""
            yield _line(
                writer, (MATRIX_TABLE, decision, band, cell.count, departures, "", "", note)
            )
    overall = report.overall
    yield _line(
        writer,
        (overall.label, "", "", overall.decisions, overall.departures, *_rate_cells(overall)),
    )
    for breakdown in report.breakdowns:
        for group in breakdown.groups:
            yield _line(
                writer,
                (
                    breakdown.title,
                    group.label,
                    "",
                    group.decisions,
                    group.departures,
                    *_rate_cells(group),
                ),
            )


def export_filename(kind: str) -> str:
    return f"concordance-{kind}-{timezone.localdate():%Y-%m-%d}.csv"
