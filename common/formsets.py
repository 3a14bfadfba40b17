"""Formsets that refuse a forged row count at once, with a message a person can act on.

A formset reads how many rows the page holds from the page itself (TOTAL_FORMS). Django builds
at most ``absolute_max`` forms whatever that number says (max_num + 1000 unless set), then
renders them all back with "Please submit at most N forms.": for the treatments page, 60
forms with their menus took over 2 seconds and 440 kB, and 1,000 forms took 11 s, enough for a
few requests to hold every worker. A count above the cap is not a person's typing, so here no
form is built at all: the page answers at once with the message, and nothing is saved.
"""

from __future__ import annotations

from django.forms import BaseFormSet, BaseInlineFormSet
from django.forms.formsets import TOTAL_FORM_COUNT

TOO_MANY_ROWS = (
    "This page holds at most %(num)d rows, and the request claimed more. Nothing was saved: "
    "open the page again and re-enter your changes."
)


class CappedFormSetMixin:
    """Builds no form when the posted row count exceeds ``absolute_max``; says so plainly."""

    default_error_messages = {
        **BaseFormSet.default_error_messages,
        "too_many_forms": TOO_MANY_ROWS,
    }

    def over_cap(self) -> bool:
        """Whether the posted TOTAL_FORMS exceeds the cap (a forged or broken request)."""
        if not self.is_bound or not self.management_form.is_valid():  # type: ignore[attr-defined]
            return False
        posted = self.management_form.cleaned_data[TOTAL_FORM_COUNT]  # type: ignore[attr-defined]
        return posted > self.absolute_max  # type: ignore[attr-defined]

    def total_form_count(self) -> int:
        if self.over_cap():
            return 0
        return super().total_form_count()  # type: ignore[misc]


class CappedInlineFormSet(CappedFormSetMixin, BaseInlineFormSet):
    """The inline formset of every page and admin inline (give it an ``absolute_max``)."""
