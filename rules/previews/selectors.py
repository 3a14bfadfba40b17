"""The patients a preview moves, as a criteria admin may see them: their centres only.

The summary's counts are aggregates over every centre; the list of patients is scoped to
the user's centres like every other list of patients (patients/access.py), on the row's copy
of the centre and on the patient's centre now. A page is one indexed query (the movers'
partial index, in keyset order), whatever the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from common.keyset import Cursor, Keyset
from patients.access import centre_ids

from .models import RuleSetPreview, RuleSetPreviewRow
from .summary import BAND_RANK, move_key

PAGE_SIZE = 50
SORT = "move"
MOVERS = Keyset(
    sorts={SORT: (("move_key", False), ("sort_name", False), ("patient_id", False))},
    column_types={"move_key": int, "sort_name": str, "patient_id": int},
    salt="rules.previews.movers",
)


def movers_queryset(preview: RuleSetPreview, user, filters: dict) -> QuerySet[RuleSetPreviewRow]:
    """The preview's movers in the user's centres, filtered; not yet ordered or cut."""
    centres = centre_ids(user)
    if filters.get("centre"):
        centres = [pk for pk in centres if pk == filters["centre"]]
    qs = RuleSetPreviewRow.objects.filter(
        preview=preview,
        moved=True,
        centre_id_copy__in=centres,
        patient__centre_id__in=centres,
    ).select_related("patient")
    moved_from, moved_to = filters.get("moved_from"), filters.get("moved_to")
    if moved_from and moved_to:
        qs = qs.filter(move_key=move_key(moved_from, moved_to))
    elif moved_from:
        # "From a band" is a range of move_key: the page still walks the index.
        rank = BAND_RANK[moved_from]
        qs = qs.filter(move_key__gte=rank * 10, move_key__lt=(rank + 1) * 10)
    elif moved_to:
        qs = qs.filter(band_after=moved_to)
    if filters.get("disease"):
        qs = qs.filter(disease_key=filters["disease"])
    return qs


@dataclass
class MoversPage:
    rows: list[RuleSetPreviewRow]
    next_cursor: str | None
    previous_cursor: str | None


def movers_page(
    preview: RuleSetPreview, user, filters: dict, cursor: Cursor | None, size: int | None = None
) -> MoversPage:
    """A page of movers after the cursor: one query."""
    size = size or PAGE_SIZE
    rows, more = MOVERS.page(movers_queryset(preview, user, filters), SORT, cursor, size)
    return MoversPage(rows, *MOVERS.links(rows, SORT, cursor, more))
