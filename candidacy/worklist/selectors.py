"""The worklist: the scoped, filtered queryset, a page of rows, and the export's iteration.

Everything reads current screenings only, always through ``visible_to(user)``. The
screening row carries copies of what the worklist sorts and filters on, so a page is one
indexed query plus one for the review states of the page's patients, whatever the page.
The filter form is in forms.py; the sorts, the signed cursor and the page query in keyset.py.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from patients.access import centre_ids
from patients.models import Patient
from rules.result import Reason, reason_text

from ..reviews.models import Review
from ..screening.models import BAND_RANK, SCORE_ORDER, Screening
from ..screening.staleness import active_ruleset, staleness_of
from ..screening.wording import input_label
from .forms import NO_REVIEW, REVIEW_LABELS, WorklistForm
from .keyset import Cursor, keyset, sort_key

PAGE_SIZE = 50
EXPORT_CHUNK = 1000
MISSING_SHOWN = 3
# Up to this many rows the total is counted; beyond, the planner's estimate is shown as
# "about". Measured at 1M patients (660,000 in the centre): counting to 1,001 takes 1-50 ms
# whatever the filter, to 10,001 up to 240 ms with a filter, more than the page itself.
COUNT_CAP = 1_000
# Completeness is a float (evaluable / applicable criteria): compare with a little slack.
COMPLETE = 0.9999


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


# --- The queryset ------------------------------------------------------------------------------


def worklist_queryset(user, form: WorklistForm) -> QuerySet[Screening]:
    """The user's current screenings, filtered by the (valid) form; not yet ordered or cut."""
    qs = (
        Screening.objects.current()
        .visible_to(user)
        .select_related("patient")
        .defer("result")
        # Only the list of data to collect, not the whole stored result (lines and facts).
        .annotate(to_collect=F("result__to_collect"))
    )
    return filtered(qs, user, form)


def patients_with_mrn(user, text: str) -> list[int]:
    """The ids of the user's patients whose MRN is ``text`` (in any case): one indexed query.

    Resolved before the page query, so that the search is "this patient id or a name
    matching", two index conditions on the screening alone. Asked as a join to the patient
    inside an OR, no index serves it: PostgreSQL walks the worklist's order row by row
    and at a million patients reads them all for a name nobody has.
    """
    return list(
        Patient.objects.visible_to(user).filter(mrn__iexact=text).values_list("pk", flat=True)
    )


def filtered(qs: QuerySet[Screening], user, form: WorklistForm) -> QuerySet[Screening]:
    """``qs`` narrowed by the form's filters, with the sort columns that are expressions.

    explain_worklist applies it to the bare queries it compares the page with."""
    data = form.cleaned_data
    qs = qs.annotate(score_order=SCORE_ORDER)
    if data.get("q"):
        text = data["q"].strip()
        by_name = Q()
        # sort_name is lower case: a LIKE '%word%' per word, which the trigram index serves.
        for word in text.lower().split():
            by_name &= Q(sort_name__contains=word)
        ids = patients_with_mrn(user, text)
        qs = qs.filter(Q(patient_id__in=ids) | by_name if ids else by_name)
    if data.get("disease"):
        qs = qs.filter(disease_key__in=form.disease_keys(data["disease"]))
    if data.get("band"):
        # A band is a range of rank_key, so a band filter still walks the worklist index.
        rank = BAND_RANK[data["band"]]
        qs = qs.filter(rank_key__gte=rank * 1000, rank_key__lt=(rank + 1) * 1000)
    if data.get("centre"):
        qs = qs.filter(centre_id__in=[c.pk for c in form.centres if c.code == data["centre"]])
    if data.get("review"):
        # The screening carries its patient's latest review state ('' for none), so this is
        # one more column of an index: a subquery per row read a tenth of the table.
        qs = qs.filter(review_state="" if data["review"] == NO_REVIEW else data["review"])
    if data.get("completeness") == "complete":
        qs = qs.filter(completeness__gte=COMPLETE)
    elif data.get("completeness") == "missing":
        qs = qs.filter(completeness__lt=COMPLETE)
    elif data.get("completeness") == "under_half":
        qs = qs.filter(completeness__lt=0.5)
    today = timezone.localdate()
    if data.get("age_min") is not None:
        qs = qs.filter(birth_date__lte=years_before(today, data["age_min"]))
    if data.get("age_max") is not None:
        qs = qs.filter(birth_date__gt=years_before(today, data["age_max"] + 1))
    return qs


# --- A page ------------------------------------------------------------------------------------


@dataclass
class WorklistRow:
    screening: Screening
    patient: Patient
    disease: str
    review_state: str
    review_label: str
    missing: list[str]  # every input still to collect (the CSV has them all)
    missing_shown: list[str]  # the first few, for the page
    missing_more: int
    completeness_percent: int
    reasons: list[str]  # why the band is what it is (read for the export only)
    url: str  # the patient's page
    why_url: str  # "why this rank", opened in place
    stale: str = ""  # why the screening is out of date (candidacy.screening.staleness)


def path_for(name: str):
    """The URL of ``name`` for a patient's public id, reversed once per page, not once per row.

    Three reversals a row were a tenth of the worklist page's time."""
    placeholder = str(uuid.UUID(int=0))
    path = reverse(name, args=[placeholder])
    return lambda public_id: path.replace(placeholder, str(public_id))


@dataclass
class WorklistPage:
    rows: list[WorklistRow]
    next_cursor: str | None
    previous_cursor: str | None


def missing_labels(to_collect) -> list[str]:
    """The inputs a screening still needs, in words (the page shows a few, the CSV all)."""
    return [
        input_label(item.get("item", "")) for item in to_collect or () if isinstance(item, dict)
    ]


def review_states(patient_ids: list[int]) -> dict[int, str]:
    """The latest review's state for each of these patients, in one query."""
    return dict(
        Review.objects.filter(patient_id__in=patient_ids)
        .latest_per_patient()
        .values_list("patient_id", "state")
    )


def _reasons(stored) -> list[str]:
    return [reason_text(Reason(*r)) for r in stored or ()]


def worklist_rows(screenings: list[Screening], disease_names: dict[str, str]) -> list[WorklistRow]:
    states = review_states([s.patient_id for s in screenings])
    active = active_ruleset()  # once per page, not per row
    patient_url, why_url = path_for("patients:detail"), path_for("worklist:why")
    rows = []
    for s in screenings:
        stale = staleness_of(s, s.patient, active)
        missing = missing_labels(getattr(s, "to_collect", None))
        state = states.get(s.patient_id, NO_REVIEW)
        rows.append(
            WorklistRow(
                screening=s,
                patient=s.patient,
                disease=disease_names.get(s.disease_key, s.disease_key or "—"),
                review_state=state,
                review_label=REVIEW_LABELS.get(state, state),
                missing=missing,
                missing_shown=missing[:MISSING_SHOWN],
                missing_more=max(0, len(missing) - MISSING_SHOWN),
                completeness_percent=round(s.completeness * 100),
                reasons=_reasons(getattr(s, "reasons", None)),
                stale=stale.short if stale else "",
                url=patient_url(s.patient.public_id),
                why_url=why_url(s.patient.public_id),
            )
        )
    return rows


def worklist_page(user, form: WorklistForm, size: int | None = None) -> WorklistPage:
    """A page of the worklist: two queries, whatever the page."""
    size = size or PAGE_SIZE
    sort, cursor = form.cleaned_data["sort"], form.cleaned_data["cursor"]
    screenings, more = keyset(worklist_queryset(user, form), sort, cursor, size)
    backwards = bool(cursor and cursor.backwards)
    has_next = more if not backwards else cursor is not None
    has_previous = more if backwards else cursor is not None
    next_cursor = previous_cursor = None
    if screenings and has_next:
        next_cursor = Cursor(sort, False, sort_key(screenings[-1], sort)).encode()
    if screenings and has_previous:
        previous_cursor = Cursor(sort, True, sort_key(screenings[0], sort)).encode()
    return WorklistPage(
        worklist_rows(screenings, form.disease_names()), next_cursor, previous_cursor
    )


def worklist_iter(user, form: WorklistForm, chunk: int | None = None) -> Iterator[WorklistRow]:
    """Every row of the filtered worklist in order, fetched in keyset chunks (for the export)."""
    chunk = chunk or EXPORT_CHUNK
    sort = form.cleaned_data["sort"]
    qs = worklist_queryset(user, form).annotate(reasons=F("result__reasons"))
    names = form.disease_names()
    cursor = None
    while True:
        screenings, more = keyset(qs, sort, cursor, chunk)
        yield from worklist_rows(screenings, names)
        if not more:
            return
        cursor = Cursor(sort, False, sort_key(screenings[-1], sort))


def visible_screening(user, public_id) -> Screening | None:
    """The current screening of a patient of the user's centres (None: not visible or not screened)."""
    return (
        Screening.objects.current()
        .visible_to(user)
        .select_related("patient", "ruleset")
        .filter(patient__public_id=public_id)
        .first()
    )


@dataclass(frozen=True)
class Total:
    count: int
    exact: bool


def worklist_total(user, form: WorklistForm) -> Total:
    """How many rows the filtered worklist has: counted up to COUNT_CAP, estimated beyond."""
    # The filters alone, without the page's joins and columns: the count reads the index.
    qs = filtered(Screening.objects.current().visible_to(user), user, form).order_by()
    counted = qs.values("pk")[: COUNT_CAP + 1].count()
    if counted <= COUNT_CAP:
        return Total(counted, True)
    # The estimate reads the screening alone (its copy of the centre): with the join to the
    # patient, PostgreSQL guesses the two centre conditions independent and says a third less.
    alone = filtered(Screening.objects.current().filter(centre_id__in=centre_ids(user)), user, form)
    return Total(max(_planner_rows(alone.order_by()), counted), False)


def _planner_rows(qs: QuerySet) -> int:
    """PostgreSQL's own estimate of the query's rows (from its statistics, no scan)."""
    if connection.vendor != "postgresql":
        return 0
    sql, params = qs.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # psycopg returns json as a str unless a loader is set
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
