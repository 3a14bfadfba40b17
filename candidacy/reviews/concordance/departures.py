"""The departures: decisions that depart from the band, newest first, with the reasons given.

Decided reviews can run to tens of thousands, so the list is read a keyset page at a time,
by (decided at, id), newest first: a deep page costs what the first one costs, with no
OFFSET and no COUNT (the report has the count already). The CSV reads the same order in
keyset chunks. The patient is named by MRN only; the reason is free text clinicians wrote.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import Review
from .selectors import (
    AGE_GROUPS,
    DECISION_LABELS,
    NO_DISEASE,
    SEX_LABELS,
    Filters,
    age_group_index,
    age_in_years,
    band_label,
    decided_reviews,
    departures_of,
    version_label,
)

PAGE_SIZE = 50
EXPORT_CHUNK = 1000
CURSOR_SALT = "candidacy.reviews.concordance.cursor"
BAD_CURSOR = "This page link is out of date or damaged: start again from the first page."
FIELDS = (
    "pk",
    "decided_at",
    "decision_ruleset_version",
    "decision_band",
    "state",
    "decision_reason",
    "patient__mrn",
    "patient__public_id",
    "patient__sex",
    "patient__disease__name",
    "centre__name",
    "patient__birth_date",
)


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: strictly after this departure (before it, for the newer page)."""

    decided_at: datetime.datetime
    pk: int
    newer: bool

    def encode(self) -> str:
        return signing.dumps([self.decided_at.isoformat(), self.pk, self.newer], salt=CURSOR_SALT)

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Raises ValueError on anything but a cursor this server signed, of the right shape."""
        try:
            moment, pk, newer = signing.loads(text, salt=CURSOR_SALT)
            decided_at = datetime.datetime.fromisoformat(moment)
        except (signing.BadSignature, TypeError, ValueError) as error:
            raise ValueError(BAD_CURSOR) from error
        if type(pk) is not int or type(newer) is not bool or decided_at.tzinfo is None:
            raise ValueError(BAD_CURSOR)
        return cls(decided_at, pk, newer)


@dataclass(frozen=True)
class Departure:
    """One decision that departs from the band, in words."""

    pk: int
    decided_at: datetime.datetime
    mrn: str
    patient_public_id: uuid.UUID
    centre: str
    disease: str
    sex: str
    age_group: str
    version: str
    band: str
    decision: str
    reason: str


@dataclass(frozen=True)
class DeparturePage:
    rows: list[Departure]
    newer: str | None  # the cursor of the page of newer departures, if any
    older: str | None


def _age(row: dict) -> int:
    return age_in_years(row["patient__birth_date"], timezone.localdate(row["decided_at"]))


def _departure(row: dict) -> Departure:
    return Departure(
        pk=row["pk"],
        decided_at=row["decided_at"],
        mrn=row["patient__mrn"],
        patient_public_id=row["patient__public_id"],
        centre=row["centre__name"],
        disease=row["patient__disease__name"] or NO_DISEASE,
        sex=SEX_LABELS.get(row["patient__sex"], row["patient__sex"]),
        age_group=AGE_GROUPS[age_group_index(_age(row))][1],
        version=version_label(row["decision_ruleset_version"]),
        band=band_label(row["decision_band"]),
        decision=DECISION_LABELS[row["state"]],
        reason=row["decision_reason"],
    )


def _departures(user, filters: Filters, departing: Iterable[tuple[str, str]]) -> QuerySet:
    reviews: QuerySet[Review] = decided_reviews(user, filters)
    return departures_of(reviews, departing).values(*FIELDS)


def _slice(rows: QuerySet, cursor: Cursor | None, size: int) -> tuple[list[Departure], bool]:
    """Up to ``size`` departures after the cursor, newest first, and whether more lie beyond."""
    newer = bool(cursor and cursor.newer)
    if cursor is not None:
        later = "gt" if newer else "lt"
        rows = rows.filter(
            Q(**{f"decided_at__{later}": cursor.decided_at})
            | Q(decided_at=cursor.decided_at, **{f"pk__{later}": cursor.pk})
        )
    order = ("decided_at", "pk") if newer else ("-decided_at", "-pk")
    found = [_departure(row) for row in rows.order_by(*order)[: size + 1]]
    more = len(found) > size
    found = found[:size]
    if newer:
        found.reverse()
    return found, more


def departures_page(
    user, filters: Filters, departing: Iterable[tuple[str, str]], cursor: Cursor | None
) -> DeparturePage:
    """One page of departures, with the cursors of the pages either side. One query."""
    rows, more = _slice(_departures(user, filters, departing), cursor, PAGE_SIZE)
    newer = older = None
    if rows:
        first, last = rows[0], rows[-1]
        # Newer: unless this is the first page (no cursor, or reached going back with no more).
        if cursor is not None and (not cursor.newer or more):
            newer = Cursor(first.decided_at, first.pk, newer=True).encode()
        if more or (cursor is not None and cursor.newer):
            older = Cursor(last.decided_at, last.pk, newer=False).encode()
    return DeparturePage(rows, newer, older)


def departures_iter(
    user, filters: Filters, departing: Iterable[tuple[str, str]]
) -> Iterator[Departure]:
    """Every departure, newest first, read in keyset chunks (never all at once)."""
    departing = list(departing)
    cursor = None
    while True:
        rows, more = _slice(_departures(user, filters, departing), cursor, EXPORT_CHUNK)
        yield from rows
        if not more:
            return
        cursor = Cursor(rows[-1].decided_at, rows[-1].pk, newer=False)
