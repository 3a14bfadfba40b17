"""The concordance counts: decision x band at decision, and the departure rate by group.

Everything reads the decided reviews (referred, deferred, declined) of the user's centres,
always through ``Review.objects.visible_to(user)``: nobody counts another centre's decisions.
The database groups and counts (``values().annotate(Count)``): one query per breakdown,
whatever the number of reviews; the decision x band table sums the version breakdown's. Each query groups by its
group *and* by (decision, band), so that which decisions depart from the band is decided in
Python by the one definition, ``services.departs_from_band``, never restated in SQL.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast, ExtractDay, ExtractMonth, ExtractYear, TruncDate
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


def _as_number(year, month, day):
    """A day as the number YYYYMMDD: 1 April 2026 is 20260401."""
    return year * 10000 + month * 100 + day


def age_at_decision():
    """Whole years from the date of birth to the day of the decision, computed by the database.

    The two days as YYYYMMDD numbers: their difference divided by 10,000 (integer division)
    is the age in whole years, a birthday not yet reached in the year counting one less, as
    ``Patient.age_on`` counts. The day of the decision is the clinic's (``TruncDate`` in the
    current time zone). One expression, not a CASE over the years: at 60,000 decisions the
    CASE took half a second on PostgreSQL.
    """
    decided = TruncDate("decided_at")
    born = "patient__birth_date"
    days = _as_number(
        ExtractYear(decided), ExtractMonth(decided), ExtractDay(decided)
    ) - _as_number(ExtractYear(born), ExtractMonth(born), ExtractDay(born))
    # PostgreSQL's EXTRACT gives numerics: cast, so that the division is an integer one.
    return Cast(days, IntegerField()) / Value(10000)


def age_in_years(born: datetime.date, day: datetime.date) -> int:
    """The same count in Python, for rows already read."""
    return (
        _as_number(day.year, day.month, day.day) - _as_number(born.year, born.month, born.day)
    ) // 10000


def age_group_index(age: int) -> int:
    """The index in AGE_GROUPS of an age."""
    for index, (upper, _label) in enumerate(AGE_GROUPS):
        if upper is not None and age < upper:
            return index
    return len(AGE_GROUPS) - 1  # the last group has no end


# --- The counts ------------------------------------------------------------------------------


def _counts(reviews: QuerySet[Review], *fields: str) -> dict[tuple, int]:
    """Decisions per (group of ``fields``..., decision, band at decision): one grouped query."""
    rows = reviews.values(*fields, "state", "decision_band").annotate(n=Count("pk"))
    return {
        (*(row[field] for field in fields), row["state"], row["decision_band"]): row["n"]
        for row in rows
    }


def _tally(counts: dict[tuple, int]) -> dict[tuple, list[int]]:
    """Per group: [decisions, departures]."""
    tallies: dict[tuple, list[int]] = {}
    for (*group, decision, band), n in counts.items():
        entry = tallies.setdefault(tuple(group), [0, 0])
        entry[0] += n
        if departs_from_band(decision, band):
            entry[1] += n
    return tallies


def _by_age_group(by_age: dict[tuple, list[int]]) -> dict[tuple, list[int]]:
    """Fold the counts by age (one group per year of age, from the database) into AGE_GROUPS."""
    groups: dict[tuple, list[int]] = {}
    for (age,), (decisions, departures) in by_age.items():
        entry = groups.setdefault((age_group_index(age),), [0, 0])
        entry[0] += decisions
        entry[1] += departures
    return groups


def band_label(band: str) -> str:
    return band or NO_BAND  # bands are stored as their words: "Strong candidate"


def version_label(version: str) -> str:
    return f"v{version}" if version else NO_VERSION


def _version_order(version: str) -> tuple:
    parts = [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in version.split(".")]
    return (not version, parts)


def _matrix(counts: dict[tuple, int]) -> Matrix:
    """The table from counts keyed (group..., decision, band), summed over the groups."""
    by_cell: dict[tuple, int] = {}
    for key, n in counts.items():
        by_cell[key[-2:]] = by_cell.get(key[-2:], 0) + n
    # Every band of the worklist, in its order, then any other the decisions were made on
    # (no screening at all, or a band an older rule set had).
    others = sorted({band for _decision, band in by_cell} - set(WORKLIST_BAND_ORDER))
    bands = [*WORKLIST_BAND_ORDER, *others]
    rows = []
    for decision in DECISIONS:
        cells = [
            Cell(
                decision, band, by_cell.get((decision, band), 0), departs_from_band(decision, band)
            )
            for band in bands
        ]
        rows.append((DECISION_LABELS[decision], cells, sum(cell.count for cell in cells)))
    return Matrix([band_label(band) for band in bands], rows)


def decision_matrix(reviews: QuerySet[Review]) -> Matrix:
    """Decision x band at decision, in one grouped query."""
    return _matrix(_counts(reviews))


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


def breakdowns(reviews: QuerySet[Review], by_version: dict[tuple, int]) -> list[Breakdown]:
    """The departure rate by rule-set version, centre, disease, sex and age group at decision.

    ``by_version``: the counts by version, which the report has read already for its table.
    """
    sexes = list(SEX_LABELS)
    return [
        _breakdown(
            "version",
            "Rule-set version",
            _tally(by_version),
            lambda g: version_label(g[0]),
            lambda g: _version_order(g[0]),
        ),
        _breakdown(
            "centre",
            "Centre",
            _tally(_counts(reviews, "centre_id", "centre__name")),
            lambda g: g[1],
            lambda g: (g[1], g[0]),
        ),
        _breakdown(
            "disease",
            "Disease",
            _tally(_counts(reviews, "patient__disease__name")),
            lambda g: g[0] or NO_DISEASE,
            lambda g: (g[0] is None, g[0] or ""),
        ),
        _breakdown(
            "sex",
            "Sex",
            _tally(_counts(reviews, "patient__sex")),
            lambda g: SEX_LABELS.get(g[0], g[0]),
            lambda g: sexes.index(g[0]) if g[0] in sexes else len(sexes),
        ),
        _breakdown(
            "age",
            "Age at decision",
            _by_age_group(_tally(_counts(reviews.annotate(age=age_at_decision()), "age"))),
            lambda g: AGE_GROUPS[g[0]][1],
            lambda g: g[0],
        ),
    ]


def concordance_report(user, filters: Filters) -> Report:
    """The decision x band table and every breakdown: five grouped queries in all."""
    reviews = decided_reviews(user, filters)
    by_version = _counts(reviews, "decision_ruleset_version")
    matrix = _matrix(by_version)  # the same counts, summed over the versions
    decisions = sum(total for _label, _cells, total in matrix.rows)
    departures = sum(cell.count for _l, cells, _t in matrix.rows for cell in cells if cell.departs)
    return Report(
        Rate("All decisions", decisions, departures), matrix, breakdowns(reviews, by_version)
    )
