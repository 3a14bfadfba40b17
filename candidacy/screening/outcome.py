"""What a finished re-screen actually moved, beside what the version's preview expected.

For each patient the re-screen reached: the band of the screening that was current when the
job started (the latest one made before it) and the band of the latest screening by the
job's rule set made by the time it finished. Counted in one grouped query, whatever the
number of patients. After a publication, the published version's last finished preview
(rules.previews) gives the expected counts; the page says when there is none or when the
draft was edited after it ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery

from patients.models import Patient
from rules.previews.models import RuleSetPreview

from .models import BAND_RANK, RescreenJob, Screening

NOT_SCREENED_BEFORE = "Not screened before"
NO_PREVIEW = (
    "This version was published without a finished preview: there is nothing to compare with."
)
STALE_PREVIEW = (
    "The preview was out of date: the draft was edited after it ran, so the expected counts "
    "are for an earlier draft."
)


@dataclass(frozen=True)
class MoveRow:
    before: str
    after: str
    expected: int | None  # None: no preview to compare with
    actual: int

    @property
    def moved(self) -> bool:
        return self.before != self.after

    @property
    def screened_before(self) -> bool:
        return self.before != NOT_SCREENED_BEFORE

    @property
    def difference(self) -> int | None:
        return None if self.expected is None else self.actual - self.expected


@dataclass
class Outcome:
    rows: list[MoveRow] = field(default_factory=list)
    preview: RuleSetPreview | None = None
    stale: bool = False
    compared: bool = False  # a publication: compared with its preview (or told there is none)

    @property
    def moved_actual(self) -> int:
        return sum(r.actual for r in self.rows if r.moved)

    @property
    def moved_expected(self) -> int | None:
        return None if self.preview is None else self.preview.summary.get("moved", 0)

    @property
    def total_actual(self) -> int:
        return sum(r.actual for r in self.rows)


def actual_moves(job: RescreenJob) -> dict[tuple[str, str], int]:
    """(band before, band after) -> patients, for every patient the job screened.

    Each subquery is a lookup in the screening history index (patient, newest first). The
    job's rule set is compared outside the lookup on purpose: filtered inside, PostgreSQL
    right after a re-screen (statistics not yet refreshed) intersects the history with every
    screening of the version, for each patient.
    """
    before = Screening.objects.filter(patient=OuterRef("pk"), created_at__lt=job.created_at)
    after = Screening.objects.filter(patient=OuterRef("pk"), created_at__lte=job.finished_at)
    newest = ("-created_at",)
    counts = (
        Patient.objects.annotate(
            band_before=Subquery(before.order_by(*newest).values("band")[:1]),
            band_after=Subquery(after.order_by(*newest).values("band")[:1]),
            ruleset_after=Subquery(after.order_by(*newest).values("ruleset_id")[:1]),
        )
        .filter(ruleset_after=job.ruleset_id)
        .values_list("band_before", "band_after")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(b or NOT_SCREENED_BEFORE, a): n for b, a, n in counts}


def _rank(band: str) -> int:
    return BAND_RANK.get(band, -1)  # "not screened before" first


def rescreen_outcome(job: RescreenJob) -> Outcome | None:
    """What the finished job moved, compared with the preview after a publication (None while
    the job runs)."""
    if job.finished_at is None:
        return None
    actual = actual_moves(job)
    outcome = Outcome(compared=job.reason == RescreenJob.Reason.PUBLISHED)
    expected: dict[tuple[str, str], int] = {}
    if outcome.compared:
        outcome.preview = (
            RuleSetPreview.objects.filter(
                ruleset_id=job.ruleset_id, status=RuleSetPreview.Status.FINISHED
            )
            .select_related("ruleset", "baseline")
            .first()
        )
    if outcome.preview is not None:
        outcome.stale = outcome.preview.is_stale()
        for before, row in outcome.preview.summary.get("matrix", {}).items():
            for after, n in row.items():
                expected[(before, after)] = n
    pairs = sorted(set(actual) | set(expected), key=lambda p: (_rank(p[0]), _rank(p[1])))
    outcome.rows = [
        MoveRow(
            before=b,
            after=a,
            expected=expected.get((b, a), 0) if outcome.preview is not None else None,
            actual=actual.get((b, a), 0),
        )
        for b, a in pairs
    ]
    return outcome
