"""The worklist's filter form: every query parameter of the page and its export passes here.

It validates the filters, the sort and the signed cursor together (a cursor made for one
sort is refused under another), and knows the user's centres and the diseases, which the
queryset needs to turn a chosen code into ids and keys.
"""

from __future__ import annotations

from typing import Any

from django import forms

from common.typed import form_field
from patients.models import Centre, Disease

from ..reviews.models import Review
from ..screening.models import WORKLIST_BAND_ORDER
from .keyset import BAD_CURSOR, Cursor

NO_REVIEW = "none"
NO_REVIEW_LABEL = "No review"
REVIEW_LABELS = {NO_REVIEW: NO_REVIEW_LABEL, **dict(Review.State.choices)}

AGE_RANGE_BACKWARDS = "The lowest age must not be above the highest."

SORT_CHOICES = [
    ("rank", "Rank: band, then score"),
    ("name", "Name"),
    ("score", "Score, highest first"),
    ("screened", "Last screened, newest first"),
]
COMPLETENESS_CHOICES = [
    ("", "Any completeness"),
    ("complete", "Complete"),
    ("missing", "Something missing"),
    ("under_half", "Under half recorded"),
]


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
    # The row number of the page's first row, carried by the page links (a keyset cursor has
    # no offset). Display only: a wrong number misnumbers rows and selects nothing else.
    start = forms.IntegerField(
        min_value=1, max_value=10**9, required=False, widget=forms.HiddenInput
    )

    FILTERS = ("q", "disease", "band", "centre", "review", "completeness", "age_min", "age_max")

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.diseases = list(Disease.objects.order_by("name").only("key", "name", "group"))
        self.centres = list(Centre.objects.of_user(user).order_by("name").only("code", "name"))
        form_field(self, "disease", forms.ChoiceField).choices = [
            ("", "Any disease"),
            *((d.key, d.name) for d in self.diseases),
        ]
        form_field(self, "centre", forms.ChoiceField).choices = [
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
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns, typed without its Optional
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
