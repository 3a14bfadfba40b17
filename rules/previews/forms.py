"""The filters of a preview's movers: from band, to band, disease, centre, and the page."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms

from common.keyset import BAD_CURSOR
from common.typed import form_field

from .selectors import MOVERS
from .summary import BAND_ORDER

ANY_BAND = [("", "Any band")]


class MoversForm(forms.Form):
    moved_from = forms.ChoiceField(
        label="From band", required=False, choices=ANY_BAND + [(b, b) for b in BAND_ORDER]
    )
    moved_to = forms.ChoiceField(
        label="To band", required=False, choices=ANY_BAND + [(b, b) for b in BAND_ORDER]
    )
    disease = forms.ChoiceField(label="Disease", required=False)
    centre = forms.TypedChoiceField(label="Centre", required=False, coerce=int, empty_value=None)
    cursor = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, diseases, centres):
        """``diseases``: (key, name) pairs; ``centres``: the user's own centres."""
        super().__init__(data)
        form_field(self, "disease", forms.ChoiceField).choices = [("", "Any disease"), *diseases]
        form_field(self, "centre", forms.ChoiceField).choices = [("", "All your centres")] + [
            (c.pk, c.name) for c in centres
        ]

    def clean_cursor(self):
        text = self.cleaned_data["cursor"]
        if not text:
            return None
        try:
            return MOVERS.decode(text)
        except ValueError as error:
            raise forms.ValidationError(BAD_CURSOR) from error

    def filters(self) -> dict:
        """The valid filters (none when the form is invalid: the page says why)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if k != "cursor" and v}

    def query(self) -> str:
        """The filters as a query string, for the page links (without the cursor)."""
        return urlencode(
            [
                (name, value)
                for name, value in self.data.items()
                if name in self.fields and name != "cursor" and value
            ]
        )
