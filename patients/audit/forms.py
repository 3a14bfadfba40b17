from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from .models import AccessEvent

DATES_REVERSED = "The first day is after the last."


class AccessLogFilterForm(forms.Form):
    """The auditor's filters: patient (MRN or id), user, and days (in the clinic's time zone)."""

    patient = forms.CharField(required=False, max_length=100, label="Patient (MRN or id)")
    user = forms.CharField(required=False, max_length=150, label="User")
    start = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label="Until", widget=forms.DateInput(attrs={"type": "date"})
    )
    action = forms.ChoiceField(
        required=False, choices=[("", "Any")] + list(AccessEvent.Action.choices)
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(DATES_REVERSED)
        return data

    def filter_params(self) -> dict[str, str]:
        """The filters as query parameters (the CSV link carries them)."""
        names = ("patient", "user", "start", "end", "action")
        return {n: str(self.cleaned_data[n]) for n in names if self.cleaned_data.get(n)}

    def events(self):
        """The matching rows, newest first."""
        data = self.cleaned_data
        rows = AccessEvent.objects.order_by("-id")
        if data.get("patient"):
            ref = data["patient"].strip()
            rows = rows.filter(Q(patient_ref=ref) | Q(patient__mrn=ref))
        if data.get("user"):
            rows = rows.filter(actor__iexact=data["user"].strip())
        if data.get("start"):
            rows = rows.filter(at__gte=_midnight(data["start"]))
        if data.get("end"):
            rows = rows.filter(at__lt=_midnight(data["end"] + datetime.timedelta(days=1)))
        if data.get("action"):
            rows = rows.filter(action=data["action"])
        return rows


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
