"""The worklist as CSV: streamed in keyset chunks, every export logged.

The whole filtered worklist may be hundreds of thousands of rows, so it is never loaded at
once: rows are written as the keyset chunks arrive. The ExportLog row is written before
the first byte and completed (row count, finished) when the stream ends.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.utils import timezone

from common.labels import capfirst
from common.spreadsheet import safe_cell

from .forms import WorklistForm
from .models import ExportLog
from .selectors import worklist_iter

HEADER = [
    "Rank",
    "Family name",
    "Given name",
    "MRN",
    "Age",
    "Sex",
    "Disease",
    "Band",
    "Score",
    "Score once data collected",
    "Completeness %",
    "Missing",
    "Why this band",
    "Review state",
    "Last screened",
    "Rule set version",
]


class _Echo:
    """csv.writer writes to this and gets the line back, to yield it."""

    def write(self, value: str) -> str:
        return value


def export_start(*, user, form: WorklistForm) -> ExportLog:
    """Log the export (who, when, which filters) before any row leaves."""
    return ExportLog.objects.create(user=user, filters=form.filter_params())


def export_lines(*, user, form: WorklistForm, log: ExportLog) -> Iterator[str]:
    """The CSV lines; the log gets the row count, and finished=True only if every row was sent."""
    writer = csv.writer(_Echo())
    count = 0
    finished = False
    try:
        yield writer.writerow(HEADER)
        for count, row in enumerate(worklist_iter(user, form), start=1):  # noqa: B007 - count is read after
            s, p = row.screening, row.patient
            yield writer.writerow(
                [
                    safe_cell(v)
                    for v in (
                        count,
                        p.family_name,
                        p.given_name,
                        p.mrn,
                        p.age,
                        p.get_sex_display(),
                        row.disease,
                        s.band,
                        s.score,
                        s.score_upper if s.score is not None else None,
                        row.completeness_percent,
                        # Every item, never cut short: the page shows a few, the file them all.
                        "; ".join(row.missing),
                        # The band's reasons: for Excluded, Not indicated and Trial only the
                        # finding that decided it, for the others what limits the band.
                        "; ".join(capfirst(r) for r in row.reasons),
                        row.review_label,
                        _day(s.created_at),
                        s.ruleset_version,
                    )
                ]
            )
        finished = True
    finally:
        log.row_count = count
        log.finished = finished
        log.save(update_fields=["row_count", "finished"])


def _day(moment) -> str:
    day = timezone.localtime(moment).date()
    return f"{day.day} {day:%b %Y}"  # 25 Nov 2026, as on the page


def export_filename() -> str:
    return f"worklist-{timezone.localdate():%Y-%m-%d}.csv"
