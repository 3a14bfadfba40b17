"""Keyset pagination of the worklist: the sorts, the signed cursor, and the page query.

Pagination is by keyset, not OFFSET: a cursor carries the sort key of the last (or first)
row shown, signed so that a user cannot forge one, and the next page starts strictly after
it. A deep page costs what the first page costs, and there is no COUNT(*) over the table.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import F, Func, Q, QuerySet, Value
from django.db.models.lookups import GreaterThan, LessThan

from ..screening.models import Screening

CURSOR_SALT = "candidacy.worklist.cursor"
BAD_CURSOR = "This page link is out of date or damaged: start again from the first page."

# A sort is a tuple of (column, descending). The last column is always the patient id, so
# the key is unique and a page boundary never splits or repeats rows with equal values.
SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    # rank_key is "band in WORKLIST_BAND_ORDER, then score high first" as one ascending
    # number (see models.rank_key): ranking by the design's band *precedence* would put
    # "Not indicated" first, so the worklist order lives in that constant, not here.
    "rank": (("rank_key", False), ("sort_name", False), ("patient_id", False)),
    "name": (("sort_name", False), ("patient_id", False)),
    "score": (("sort_score", True), ("sort_name", False), ("patient_id", False)),
    "screened": (("created_at", True), ("patient_id", True)),
}
COLUMN_TYPES = {
    "rank_key": int,
    "sort_name": str,
    "patient_id": int,
    "sort_score": int,
    "created_at": datetime.datetime,
}


class Row(Func):
    """A SQL row value, ``(a, b, c)``: keyset comparisons against one composite index."""

    template = "(%(expressions)s)"
    arg_joiner = ", "

    def __init__(self, *expressions, output_field):
        super().__init__(*expressions, output_field=output_field)


# --- The cursor --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    sort: str
    backwards: bool  # True: the page *before* this key
    key: tuple

    def encode(self) -> str:
        values = [v.isoformat() if isinstance(v, datetime.datetime) else v for v in self.key]
        return signing.dumps(
            {"s": self.sort, "b": self.backwards, "k": values}, salt=CURSOR_SALT, compress=True
        )

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Raises ValueError on anything but a cursor this server signed, of the right shape."""
        try:
            data = signing.loads(text, salt=CURSOR_SALT)
        except signing.BadSignature as error:
            raise ValueError(BAD_CURSOR) from error
        if (
            not isinstance(data, dict)
            or data.get("s") not in SORTS
            or not isinstance(data.get("b"), bool)
        ):
            raise ValueError(BAD_CURSOR)
        columns = SORTS[data["s"]]
        values = data.get("k")
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError(BAD_CURSOR)
        key = []
        for (column, _desc), value in zip(columns, values, strict=True):
            kind = COLUMN_TYPES[column]
            if kind is datetime.datetime:
                try:
                    value = datetime.datetime.fromisoformat(value)
                except (TypeError, ValueError) as error:
                    raise ValueError(BAD_CURSOR) from error
            elif type(value) is not kind:
                raise ValueError(BAD_CURSOR)
            key.append(value)
        return cls(data["s"], data["b"], tuple(key))


def sort_key(screening: Screening, sort: str) -> tuple:
    return tuple(getattr(screening, column) for column, _desc in SORTS[sort])


# --- The page query ----------------------------------------------------------------------------


def _after(sort: str, key: tuple, backwards: bool) -> Q | Any:
    """Rows strictly after ``key`` in the sort order (strictly before when ``backwards``)."""
    columns = SORTS[sort]
    directions = {desc for _c, desc in columns}
    if len(directions) == 1:
        # One direction: a row value comparison, which the database answers from the index.
        greater = (not directions.pop()) != backwards
        lhs = Row(*(F(c) for c, _d in columns), output_field=Screening._meta.get_field("sort_name"))
        rhs = Row(*(Value(v) for v in key), output_field=Screening._meta.get_field("sort_name"))
        return GreaterThan(lhs, rhs) if greater else LessThan(lhs, rhs)
    # Mixed directions (score high first, then name A-Z): expand the comparison, and bound
    # the first column too so the index scan starts at the cursor instead of the top.
    expanded = Q()
    for i, (column, desc) in enumerate(columns):
        later = "lt" if desc != backwards else "gt"
        term = Q(**{f"{c}": v for (c, _d), v in zip(columns[:i], key[:i], strict=True)}) & Q(
            **{f"{column}__{later}": key[i]}
        )
        expanded |= term
    first, desc = columns[0]
    bound = "lte" if desc != backwards else "gte"
    return Q(**{f"{first}__{bound}": key[0]}) & expanded


def _ordering(sort: str, backwards: bool) -> list:
    order = []
    for column, desc in SORTS[sort]:
        desc = desc != backwards
        order.append(F(column).desc() if desc else F(column).asc())
    return order


def keyset(
    qs: QuerySet[Screening], sort: str, cursor: Cursor | None, size: int
) -> tuple[list[Screening], bool]:
    """One page of ``size`` rows after the cursor, in display order, and whether more lie beyond."""
    backwards = bool(cursor and cursor.backwards)
    if cursor is not None:
        qs = qs.filter(_after(sort, cursor.key, backwards))
    rows = list(qs.order_by(*_ordering(sort, backwards))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    return rows, more
