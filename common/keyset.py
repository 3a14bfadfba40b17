"""Keyset pagination for any list: its sorts, a signed cursor, and the page query.

Pagination is by keyset, not OFFSET: a cursor carries the sort key of the last (or first)
row shown, signed so that a user cannot forge one, and the next page starts strictly after
it. A deep page costs what the first page costs, and there is no COUNT(*) over the table.

A list declares its sorts once, as a :class:`Keyset` (the worklist's are in
``candidacy/worklist/keyset.py``, the rule-set preview's movers in ``rules/previews``); the
last column of every sort must be unique (a primary key), so that a page boundary never
splits or repeats rows with equal values.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import CharField, F, Func, Q, QuerySet, Value
from django.db.models.lookups import GreaterThan, LessThan

BAD_CURSOR = "This page link is out of date or damaged: start again from the first page."

# A sort is a tuple of (column, descending).
Sort = tuple[tuple[str, bool], ...]


class Row(Func):
    """A SQL row value, ``(a, b, c)``: keyset comparisons against one composite index."""

    template = "(%(expressions)s)"
    arg_joiner = ", "

    def __init__(self, *expressions, output_field):
        super().__init__(*expressions, output_field=output_field)


@dataclass(frozen=True)
class Cursor:
    sort: str
    backwards: bool  # True: the page *before* this key
    key: tuple


@dataclass(frozen=True)
class Keyset:
    """The sorts of one list, the type of each column, and the salt its cursors are signed with."""

    sorts: Mapping[str, Sort]
    column_types: Mapping[str, type]
    salt: str

    # --- The cursor ----------------------------------------------------------------------------

    def encode(self, cursor: Cursor) -> str:
        values = [v.isoformat() if isinstance(v, datetime.datetime) else v for v in cursor.key]
        return signing.dumps(
            {"s": cursor.sort, "b": cursor.backwards, "k": values}, salt=self.salt, compress=True
        )

    def decode(self, text: str) -> Cursor:
        """Raises ValueError on anything but a cursor this server signed, of the right shape."""
        try:
            data = signing.loads(text, salt=self.salt)
        except signing.BadSignature as error:
            raise ValueError(BAD_CURSOR) from error
        if (
            not isinstance(data, dict)
            or data.get("s") not in self.sorts
            or not isinstance(data.get("b"), bool)
        ):
            raise ValueError(BAD_CURSOR)
        columns = self.sorts[data["s"]]
        values = data.get("k")
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError(BAD_CURSOR)
        key = []
        for (column, _desc), value in zip(columns, values, strict=True):
            kind = self.column_types[column]
            if kind is datetime.datetime:
                try:
                    value = datetime.datetime.fromisoformat(value)
                except (TypeError, ValueError) as error:
                    raise ValueError(BAD_CURSOR) from error
            elif type(value) is not kind:
                raise ValueError(BAD_CURSOR)
            key.append(value)
        return Cursor(data["s"], data["b"], tuple(key))

    def key_of(self, obj: Any, sort: str) -> tuple:
        return tuple(getattr(obj, column) for column, _desc in self.sorts[sort])

    # --- The page query ------------------------------------------------------------------------

    def after(self, sort: str, key: tuple, backwards: bool) -> Q | Any:
        """Rows strictly after ``key`` in the sort order (strictly before when ``backwards``)."""
        columns = self.sorts[sort]
        directions = {desc for _c, desc in columns}
        if len(directions) == 1:
            # One direction: a row value comparison, which the database answers from the index.
            greater = (not directions.pop()) != backwards
            lhs = Row(*(F(c) for c, _d in columns), output_field=CharField())
            rhs = Row(*(Value(v) for v in key), output_field=CharField())
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

    def ordering(self, sort: str, backwards: bool) -> list:
        order = []
        for column, desc in self.sorts[sort]:
            desc = desc != backwards
            order.append(F(column).desc() if desc else F(column).asc())
        return order

    def page_query(self, qs: QuerySet, sort: str, cursor: Cursor | None, size: int) -> QuerySet:
        """The query of one page: the rows after the cursor, ordered, one more than ``size``."""
        backwards = bool(cursor and cursor.backwards)
        if cursor is not None:
            qs = qs.filter(self.after(sort, cursor.key, backwards))
        return qs.order_by(*self.ordering(sort, backwards))[: size + 1]

    def page(self, qs: QuerySet, sort: str, cursor: Cursor | None, size: int) -> tuple[list, bool]:
        """One page of ``size`` rows after the cursor, in display order, and whether more lie beyond."""
        backwards = bool(cursor and cursor.backwards)
        rows = list(self.page_query(qs, sort, cursor, size))
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        return rows, more

    def links(self, rows: list, sort: str, cursor: Cursor | None, more: bool):
        """The signed cursors of the next and previous pages (None where there is none)."""
        backwards = bool(cursor and cursor.backwards)
        has_next = more if not backwards else cursor is not None
        has_previous = more if backwards else cursor is not None
        next_cursor = previous_cursor = None
        if rows and has_next:
            next_cursor = self.encode(Cursor(sort, False, self.key_of(rows[-1], sort)))
        if rows and has_previous:
            previous_cursor = self.encode(Cursor(sort, True, self.key_of(rows[0], sort)))
        return next_cursor, previous_cursor
