"""Keyset pagination of the worklist: its sorts, its signed cursor, and the page query.

The mechanics (the signed cursor, the "strictly after this key" filter, one page) are
``common.keyset``'s, shared with the other paged lists; the worklist declares its sorts here.
A deep page costs what the first page costs, and there is no COUNT(*) over the table.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from common import keyset as common_keyset
from common.keyset import BAD_CURSOR, Row

from ..screening.models import Screening

__all__ = ["BAD_CURSOR", "COLUMN_TYPES", "SORTS", "Cursor", "Row", "keyset", "sort_key"]

# v2: the score sort became one ascending column (score_order): older score cursors are refused.
CURSOR_SALT = "candidacy.worklist.cursor.v2"

# A sort is a tuple of (column, descending). The last column is always the patient id, so
# the key is unique and a page boundary never splits or repeats rows with equal values.
SORTS: dict[str, common_keyset.Sort] = {
    # rank_key is "band in WORKLIST_BAND_ORDER, then score high first" as one ascending
    # number (see models.rank_key): ranking by the design's band *precedence* would put
    # "Not indicated" first, so the worklist order lives in that constant, not here.
    "rank": (("rank_key", False), ("sort_name", False), ("patient_id", False)),
    "name": (("sort_name", False), ("patient_id", False)),
    # score_order is the score negated (screening.models.SCORE_ORDER), annotated by the selector.
    "score": (("score_order", False), ("sort_name", False), ("patient_id", False)),
    "screened": (("created_at", True), ("patient_id", True)),
}
COLUMN_TYPES = {
    "rank_key": int,
    "sort_name": str,
    "patient_id": int,
    "score_order": int,
    "created_at": datetime.datetime,
}
WORKLIST = common_keyset.Keyset(SORTS, COLUMN_TYPES, CURSOR_SALT)


@dataclass(frozen=True)
class Cursor(common_keyset.Cursor):
    """A worklist cursor: encodes and decodes itself with the worklist's sorts and salt."""

    def encode(self) -> str:
        return WORKLIST.encode(self)

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Raises ValueError on anything but a cursor this server signed, of the right shape."""
        cursor = WORKLIST.decode(text)
        return cls(cursor.sort, cursor.backwards, cursor.key)


def sort_key(screening: Screening, sort: str) -> tuple:
    return WORKLIST.key_of(screening, sort)


def keyset(
    qs: QuerySet[Screening], sort: str, cursor: common_keyset.Cursor | None, size: int
) -> tuple[list[Screening], bool]:
    """One page of ``size`` rows after the cursor, in display order, and whether more lie beyond."""
    return WORKLIST.page(qs, sort, cursor, size)
