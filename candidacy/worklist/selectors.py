"""The worklist: the filter form, the scoped queryset, and keyset pagination.

Everything reads current screenings only, always through ``visible_to(user)``. The
screening row carries copies of what the worklist sorts and filters on, so a page is one
indexed query plus one for the review states of the page's patients, whatever the page.

Pagination is by keyset, not OFFSET: a cursor carries the sort key of the last (or first)
row shown, signed so that a user cannot forge one, and the next page starts strictly after
it. A deep page costs what the first page costs, and there is no COUNT(*) over the table.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.db.models import F, Func, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone

from patients.items import ITEMS
from patients.models import Centre, Disease, Patient

from ..reviews.models import Review
from ..screening.models import BAND_RANK, WORKLIST_BAND_ORDER, Screening
from ..screening.presenters import RECORD_FIELDS

PAGE_SIZE = 50
EXPORT_CHUNK = 1000
MISSING_SHOWN = 3
CURSOR_SALT = "candidacy.worklist.cursor"
NO_REVIEW = "none"
NO_REVIEW_LABEL = "No review"
REVIEW_LABELS = {NO_REVIEW: NO_REVIEW_LABEL, **dict(Review.State.choices)}

BAD_CURSOR = "This page link is out of date or damaged: start again from the first page."
AGE_RANGE_BACKWARDS = "The lowest age must not be above the highest."

# A sort is a tuple of (column, descending). The last column is always the patient id, so
# the key is unique and a page boundary never splits or repeats rows with equal values.
SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    # rank_key is "band in WORKLIST_BAND_ORDER, then score high first" as one ascending
    # number (see models.rank_key): ranking by the design's band *precedence* would put
    # "Not indicated" first, so the worklist order lives in that constant, not here.
    "rank": (("rank_key", False), ("sort_name", False), ("patient_id", False)),
    "name": (("sort_name", False), ("patient_id", False)),
    "score": (("score", True), ("sort_name", False), ("patient_id", False)),
    "screened": (("created_at", True), ("patient_id", True)),
}
SORT_CHOICES = [
    ("rank", "Rank: band, then score"),
    ("name", "Name"),
    ("score", "Score, highest first"),
    ("screened", "Last screened, newest first"),
]
COLUMN_TYPES = {
    "rank_key": int,
    "sort_name": str,
    "patient_id": int,
    "score": int,
    "created_at": datetime.datetime,
}
COMPLETENESS_CHOICES = [
    ("", "Any completeness"),
    ("complete", "Complete"),
    ("missing", "Something missing"),
    ("under_half", "Under half recorded"),
]
# Completeness is a float (evaluable / applicable criteria): compare with a little slack.
COMPLETE = 0.9999


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


# --- The form ----------------------------------------------------------------------------------


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


class WorklistForm(forms.Form):
    """Every query parameter of the worklist and its export passes through here."""

    q = forms.CharField(label="Name or MRN", max_length=100, required=False)
    disease = forms.ChoiceField(required=False)
    band = forms.ChoiceField(
        required=False, choices=[("", "Any band"), *((b, b) for b in WORKLIST_BAND_ORDER)]
    )
    centre = forms.ChoiceField(required=False)
    review = forms.ChoiceField(
        label="Review state",
        required=False,
        choices=[("", "Any review state"), *REVIEW_LABELS.items()],
    )
    completeness = forms.ChoiceField(required=False, choices=COMPLETENESS_CHOICES)
    age_min = forms.IntegerField(label="Age from", min_value=0, max_value=120, required=False)
    age_max = forms.IntegerField(label="Age to", min_value=0, max_value=120, required=False)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    cursor = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)

    FILTERS = ("q", "disease", "band", "centre", "review", "completeness", "age_min", "age_max")

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.diseases = list(Disease.objects.order_by("name").only("key", "name", "group"))
        self.centres = list(Centre.objects.of_user(user).order_by("name").only("code", "name"))
        self.fields["disease"].choices = [
            ("", "Any disease"),
            *((d.key, d.name) for d in self.diseases),
        ]
        self.fields["centre"].choices = [
            ("", "All my centres"),
            *((c.code, c.name) for c in self.centres),
        ]

    def clean_cursor(self):
        text = self.cleaned_data["cursor"]
        if not text:
            return None
        try:
            return Cursor.decode(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self):
        data = super().clean()
        data["sort"] = data.get("sort") or "rank"
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", AGE_RANGE_BACKWARDS)
        cursor = data.get("cursor")
        if cursor is not None and cursor.sort != data["sort"]:
            self.add_error("cursor", BAD_CURSOR)
        return data

    def filter_params(self) -> dict[str, Any]:
        """The filters and sort in force, as query parameters (for links, the export and its log)."""
        params = {
            name: self.cleaned_data[name]
            for name in self.FILTERS
            if self.cleaned_data.get(name) not in (None, "")
        }
        if self.cleaned_data["sort"] != "rank":
            params["sort"] = self.cleaned_data["sort"]
        return params

    def disease_keys(self, value: str) -> list[str]:
        # "ms" is both a disease and the group: choosing it means MS of any subtype.
        return [d.key for d in self.diseases if d.key == value or d.group == value]

    def disease_names(self) -> dict[str, str]:
        return {d.key: d.name for d in self.diseases}


# --- The queryset ------------------------------------------------------------------------------


def worklist_queryset(user, form: WorklistForm) -> QuerySet[Screening]:
    """The user's current screenings, filtered by the (valid) form; not yet ordered or cut."""
    data = form.cleaned_data
    qs = (
        Screening.objects.current()
        .visible_to(user)
        .select_related("patient")
        .defer("result")
        # Only the list of data to collect, not the whole stored result (lines and facts).
        .annotate(to_collect=F("result__to_collect"))
    )
    if data.get("q"):
        text = data["q"].strip()
        by_name = Q()
        for word in text.lower().split():
            by_name &= Q(sort_name__contains=word)
        qs = qs.filter(Q(patient__mrn__iexact=text) | by_name)
    if data.get("disease"):
        qs = qs.filter(disease_key__in=form.disease_keys(data["disease"]))
    if data.get("band"):
        # A band is a range of rank_key, so a band filter still walks the worklist index.
        rank = BAND_RANK[data["band"]]
        qs = qs.filter(rank_key__gte=rank * 1000, rank_key__lt=(rank + 1) * 1000)
    if data.get("centre"):
        qs = qs.filter(centre_id__in=[c.pk for c in form.centres if c.code == data["centre"]])
    if data.get("review"):
        # A patient's review state is the state of their latest review.
        state = Subquery(Review.objects.latest_of(OuterRef("patient")).values("state")[:1])
        qs = qs.annotate(review_state=state)
        qs = (
            qs.filter(review_state__isnull=True)
            if data["review"] == NO_REVIEW
            else qs.filter(review_state=data["review"])
        )
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


# --- A page ------------------------------------------------------------------------------------


@dataclass
class WorklistRow:
    screening: Screening
    patient: Patient
    disease: str
    review_state: str
    review_label: str
    missing: list[str]
    missing_more: int
    completeness_percent: int


@dataclass
class WorklistPage:
    rows: list[WorklistRow]
    next_cursor: str | None
    previous_cursor: str | None


def missing_labels(to_collect) -> list[str]:
    labels = []
    for item in to_collect or ():
        key = item.get("item", "") if isinstance(item, dict) else ""
        if key in ITEMS:
            labels.append(ITEMS[key].label)
        else:
            key = key.removeprefix("comorbidity:")
            labels.append(RECORD_FIELDS.get(key, key.replace("_", " ")))
    return labels


def review_states(patient_ids: list[int]) -> dict[int, str]:
    """The latest review's state for each of these patients, in one query."""
    return dict(
        Review.objects.filter(patient_id__in=patient_ids)
        .latest_per_patient()
        .values_list("patient_id", "state")
    )


def worklist_rows(screenings: list[Screening], disease_names: dict[str, str]) -> list[WorklistRow]:
    states = review_states([s.patient_id for s in screenings])
    rows = []
    for s in screenings:
        missing = missing_labels(getattr(s, "to_collect", None))
        state = states.get(s.patient_id, NO_REVIEW)
        rows.append(
            WorklistRow(
                screening=s,
                patient=s.patient,
                disease=disease_names.get(s.disease_key, s.disease_key or "—"),
                review_state=state,
                review_label=REVIEW_LABELS.get(state, state),
                missing=missing[:MISSING_SHOWN],
                missing_more=max(0, len(missing) - MISSING_SHOWN),
                completeness_percent=round(s.completeness * 100),
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
    qs = worklist_queryset(user, form)
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
        .select_related("patient")
        .filter(patient__public_id=public_id)
        .first()
    )
