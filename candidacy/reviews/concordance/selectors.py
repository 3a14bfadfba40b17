"""The concordance counts: decision x band at decision, and the departure rate by group.

Everything reads the decided reviews (referred, deferred, declined) of the user's centres,
always through ``Review.objects.visible_to(user)``: nobody counts another centre's decisions.
The database groups and counts (``values().annotate(Count)``): one query for the decision x
band table and one per breakdown, whatever the number of reviews. Each query groups by its
group *and* by (decision, band), so that which decisions depart from the band is decided in
Python by the one definition, ``services.departs_from_band``, never restated in SQL.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan
from django.utils import timezone

from patients.models import Patient

from ...screening.models import WORKLIST_BAND_ORDER
from ..models import Review
from ..services import DECISIONS, departs_from_band

# Fewer decisions than this in a group and its rate is not shown: one departure out of two
# decisions would read "50%", which says nothing about the group.
MIN_DECISIONS = 5
TOO_FEW = "Too few to be meaningful"
# The likely range of a rate: a 95% Wilson score interval, sound for small groups and for
# rates near 0 or 100%, where the usual "rate plus or minus" runs past the ends.
Z_95 = 1.96

# Age at decision, in groups. Local policy, like the score's weights: wide enough that a group
# holds enough decisions for its rate to mean something, and the same for every disease. They
# are not the criteria's age limits, which differ by disease (MS 45 and 55, Crohn's 50,
# systemic sclerosis 60, the other rheumatic diseases 65): read an age pattern together with
# the disease breakdown. Each group is (first age above it, label); the last has no end.
AGE_GROUPS: tuple[tuple[int | None, str], ...] = (
    (18, "Under 18"),
    (40, "18–39"),
    (55, "40–54"),
    (65, "55–64"),
    (None, "65 and over"),
)
DECISION_LABELS = {decision.value: decision.label for decision in DECISIONS}
NO_BAND = "No screening"
NO_VERSION = "No screening at decision"
NO_DISEASE = "No diagnosis recorded"
SEX_LABELS = dict(Patient.Sex.choices)


@dataclass(frozen=True)
class Filters:
    """What the report is restricted to (from the valid form); every field optional."""

    version: str | None = None
    centre_id: int | None = None
    decided_from: datetime.date | None = None
    decided_to: datetime.date | None = None


@dataclass(frozen=True)
class Rate:
    """How many decisions a group has, and how many of them depart from the band."""

    label: str
    decisions: int
    departures: int

    @property
    def meaningful(self) -> bool:
        return self.decisions >= MIN_DECISIONS

    @property
    def percent(self) -> float | None:
        """The departure rate in %, or None when the group is too small for one."""
        return 100 * self.departures / self.decisions if self.meaningful else None

    @property
    def likely_range(self) -> tuple[float, float] | None:
        return wilson_interval(self.departures, self.decisions) if self.meaningful else None


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion, in % (Wilson 1927)."""
    p = successes / total
    spread = z * z / total
    centre = (p + spread / 2) / (1 + spread)
    half = z * math.sqrt(p * (1 - p) / total + spread / (4 * total)) / (1 + spread)
    return 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


@dataclass(frozen=True)
class Breakdown:
    key: str  # for element ids and the summary CSV: "version", "centre", ...
    title: str
    groups: list[Rate]

    @property
    def charted(self) -> list[Rate]:
        """The groups the chart compares: those with a meaningful rate, if there are two."""
        meaningful = [group for group in self.groups if group.meaningful]
        return meaningful if len(meaningful) > 1 else []


@dataclass(frozen=True)
class Cell:
    decision: str
    band: str
    count: int
    departs: bool


@dataclass(frozen=True)
class Matrix:
    """Decision x band at decision: the rows are decisions, the columns bands."""

    bands: list[str]  # column labels, in worklist order
    rows: list[tuple[str, list[Cell], int]]  # (decision label, cells, row total)

    @property
    def departing(self) -> list[tuple[str, str]]:
        """The (decision, band) pairs that depart from the band and have decisions."""
        return [
            (cell.decision, cell.band)
            for _label, cells, _total in self.rows
            for cell in cells
            if cell.departs and cell.count
        ]


@dataclass(frozen=True)
class Report:
    overall: Rate
    matrix: Matrix
    breakdowns: list[Breakdown]


# --- The reviews counted ---------------------------------------------------------------------


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of the day, in the clinic's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def decided_reviews(user, filters: Filters) -> QuerySet[Review]:
    """The decided reviews of the user's centres, filtered; unordered."""
    reviews = Review.objects.visible_to(user).filter(state__in=DECISIONS, decided_at__isnull=False)
    if filters.version is not None:
        reviews = reviews.filter(decision_ruleset_version=filters.version)
    if filters.centre_id is not None:
        reviews = reviews.filter(centre_id=filters.centre_id)
    if filters.decided_from is not None:
        reviews = reviews.filter(decided_at__gte=_start_of(filters.decided_from))
    if filters.decided_to is not None and filters.decided_to < datetime.date.max:
        next_day = filters.decided_to + datetime.timedelta(days=1)
        reviews = reviews.filter(decided_at__lt=_start_of(next_day))
    return reviews.order_by()  # no default ordering: it would join the GROUP BY


def departures_of(reviews: QuerySet[Review], departing: Iterable[tuple[str, str]]):
    """The reviews whose (decision, band) departs, as the decision x band table found them."""
    condition = Q(pk__in=[])  # nothing departs: an empty result, and no query
    for decision, band in departing:
        condition |= Q(state=decision, decision_band=band)
    return reviews.filter(condition)


def _age_at_decision():
    """Whole years from the date of birth to the day of the decision (in the clinic's zone)."""
    decided_on = ExtractMonth("decided_at") * 100 + ExtractDay("decided_at")
    born_on = ExtractMonth("patient__birth_date") * 100 + ExtractDay("patient__birth_date")
    years = ExtractYear("decided_at") - ExtractYear("patient__birth_date")
    return years - Case(When(LessThan(decided_on, born_on), then=Value(1)), default=Value(0))


def age_group():
    """The index in AGE_GROUPS of the patient's age at the decision, computed by the database."""
    return Case(
        *(
            When(LessThan(_age_at_decision(), Value(upper)), then=Value(index))
            for index, (upper, _label) in enumerate(AGE_GROUPS)
            if upper is not None
        ),
        default=Value(len(AGE_GROUPS) - 1),
        output_field=IntegerField(),
    )


# --- The counts ------------------------------------------------------------------------------


def _tally(reviews: QuerySet[Review], *fields: str) -> dict[tuple, list[int]]:
    """Per group of ``fields``: [decisions, departures], in one grouped query."""
    rows = reviews.values(*fields, "state", "decision_band").annotate(n=Count("pk"))
    tallies: dict[tuple, list[int]] = {}
    for row in rows:
        entry = tallies.setdefault(tuple(row[field] for field in fields), [0, 0])
        entry[0] += row["n"]
        if departs_from_band(row["state"], row["decision_band"]):
            entry[1] += row["n"]
    return tallies


def band_label(band: str) -> str:
    return band or NO_BAND  # bands are stored as their words: "Strong candidate"


def version_label(version: str) -> str:
    return f"v{version}" if version else NO_VERSION


def _version_order(version: str) -> tuple:
    parts = [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in version.split(".")]
    return (not version, parts)


def decision_matrix(reviews: QuerySet[Review]) -> Matrix:
    counts = {
        (row["state"], row["decision_band"]): row["n"]
        for row in reviews.values("state", "decision_band").annotate(n=Count("pk"))
    }
    # Every band of the worklist, in its order, then any other the decisions were made on
    # (no screening at all, or a band an older rule set had).
    others = sorted({band for _decision, band in counts} - set(WORKLIST_BAND_ORDER))
    bands = [*WORKLIST_BAND_ORDER, *others]
    rows = []
    for decision in DECISIONS:
        cells = [
            Cell(decision, band, counts.get((decision, band), 0), departs_from_band(decision, band))
            for band in bands
        ]
        rows.append((DECISION_LABELS[decision], cells, sum(cell.count for cell in cells)))
    return Matrix([band_label(band) for band in bands], rows)


def _breakdown(
    key: str,
    title: str,
    tallies: dict[tuple, list[int]],
    label: Callable[[tuple], str],
    order: Callable[[tuple], Any],
) -> Breakdown:
    groups = [
        Rate(label(group), decisions, departures)
        for group, (decisions, departures) in sorted(tallies.items(), key=lambda i: order(i[0]))
    ]
    return Breakdown(key, title, groups)


def breakdowns(reviews: QuerySet[Review]) -> list[Breakdown]:
    """The departure rate by rule-set version, centre, disease, sex and age group at decision."""
    sexes = list(SEX_LABELS)
    return [
        _breakdown(
            "version",
            "Rule-set version",
            _tally(reviews, "decision_ruleset_version"),
            lambda g: version_label(g[0]),
            lambda g: _version_order(g[0]),
        ),
        _breakdown(
            "centre",
            "Centre",
            _tally(reviews, "centre_id", "centre__name"),
            lambda g: g[1],
            lambda g: (g[1], g[0]),
        ),
        _breakdown(
            "disease",
            "Disease",
            _tally(reviews, "patient__disease__name"),
            lambda g: g[0] or NO_DISEASE,
            lambda g: (g[0] is None, g[0] or ""),
        ),
        _breakdown(
            "sex",
            "Sex",
            _tally(reviews, "patient__sex"),
            lambda g: SEX_LABELS.get(g[0], g[0]),
            lambda g: sexes.index(g[0]) if g[0] in sexes else len(sexes),
        ),
        _breakdown(
            "age",
            "Age at decision",
            _tally(reviews.annotate(age_group=age_group()), "age_group"),
            lambda g: AGE_GROUPS[g[0]][1],
            lambda g: g[0],
        ),
    ]


def concordance_report(user, filters: Filters) -> Report:
    """The decision x band table and every breakdown: six grouped queries in all."""
    reviews = decided_reviews(user, filters)
    matrix = decision_matrix(reviews)
    decisions = sum(total for _label, _cells, total in matrix.rows)
    departures = sum(cell.count for _l, cells, _t in matrix.rows for cell in cells if cell.departs)
    return Report(Rate("All decisions", decisions, departures), matrix, breakdowns(reviews))
