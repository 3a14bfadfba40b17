"""The concordance filters: every query parameter of the report and its CSVs passes here."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from common.typed import form_field
from patients.models import Centre
from rules.models import RuleSet

from .departures import Cursor
from .selectors import Filters

UNKNOWN_VERSION = "Choose a rule-set version from the list."
NOT_YOUR_CENTRE = "Choose one of your centres."
BAD_DATE = "Enter a date as day, month and year (for example 2026-03-31)."
DATE_OUT_OF_RANGE = "Enter a date between 1900 and 2999."
DATES_BACKWARDS = "The end date must not be before the start date."
EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": BAD_DATE},
    )


class ConcordanceForm(forms.Form):
    version = forms.ChoiceField(
        label="Rule-set version", required=False, error_messages={"invalid_choice": UNKNOWN_VERSION}
    )
    centre = forms.ChoiceField(required=False, error_messages={"invalid_choice": NOT_YOUR_CENTRE})
    decided_from = _date_field("Decided from")
    decided_to = _date_field("Decided to")
    cursor = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)

    FILTERS = ("version", "centre", "decided_from", "decided_to")

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, **kwargs)
        # Versions that screenings can have been made with: published now or before.
        versions = (
            RuleSet.objects.exclude(status=RuleSet.Status.DRAFT)
            .order_by("-created_at", "-pk")
            .values_list("version", "name")
        )
        form_field(self, "version", forms.ChoiceField).choices = [
            ("", "Every version"),
            *((version, f"v{version}: {name}") for version, name in versions),
        ]
        self.centres = {c.code: c for c in Centre.objects.of_user(user).only("code", "name")}
        form_field(self, "centre", forms.ChoiceField).choices = [
            ("", "All my centres"),
            *((code, centre.name) for code, centre in self.centres.items()),
        ]

    def _clean_day(self, name: str) -> datetime.date | None:
        day = self.cleaned_data[name]
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(DATE_OUT_OF_RANGE)
        return day

    def clean_decided_from(self):
        return self._clean_day("decided_from")

    def clean_decided_to(self):
        return self._clean_day("decided_to")

    def clean_cursor(self) -> Cursor | None:
        text = self.cleaned_data["cursor"]
        if not text:
            return None
        try:
            return Cursor.decode(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self):
        super().clean()
        data = self.cleaned_data
        start, end = data.get("decided_from"), data.get("decided_to")
        if start is not None and end is not None and start > end:
            self.add_error("decided_to", DATES_BACKWARDS)
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        centre = self.centres.get(data["centre"]) if data["centre"] else None
        return Filters(
            version=data["version"] or None,
            centre_id=centre.pk if centre else None,
            decided_from=data["decided_from"],
            decided_to=data["decided_to"],
        )

    def filter_params(self) -> dict[str, Any]:
        """The filters in force, as query parameters (for the CSV links, paging and the log)."""
        params = {}
        for name in self.FILTERS:
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                params[name] = value.isoformat() if isinstance(value, datetime.date) else value
        return params
