"""Helpers of the data-entry forms: limits on the inputs, and "none of these"."""

from __future__ import annotations

from . import items as catalogue

NONE_OF_THESE = "none_of_these"
NONE_OF_THESE_CONFLICT = "“None of these” is ticked, but these are answered Yes: {items}."
__all__ = ["NONE_OF_THESE", "NONE_OF_THESE_CONFLICT", "none_of_these", "number_attrs"]


def number_attrs(item: catalogue.Item) -> dict[str, str]:
    """The catalogue's limits on the input itself, so the browser says so before saving.

    Items that may be typed in another unit (creatinine in µmol/L) keep only "any" step: their
    limits are in the stored unit and would refuse a correct value in the other one. The
    server checks every value again (Item.validate) whatever the browser did.
    """
    attrs = {"step": f"{item.step:g}" if item.step else "any", "inputmode": "decimal"}
    if item.key in catalogue.UNIT_CONVERSIONS:
        return {"step": "any", "inputmode": "decimal"}
    if item.minimum is not None:
        attrs["min"] = f"{item.minimum:g}"
    if item.maximum is not None:
        attrs["max"] = f"{item.maximum:g}"
    return attrs


def none_of_these(form, names) -> dict:
    """ "None of these" ticked: every comorbidity left Unknown becomes No; one answered Yes
    beside it is a contradiction, named on the box."""
    cleaned = form.cleaned_data
    if cleaned.get(NONE_OF_THESE):
        present = [str(form.fields[n].label) for n in names if cleaned.get(n) is True]
        if present:
            form.add_error(NONE_OF_THESE, NONE_OF_THESE_CONFLICT.format(items=", ".join(present)))
        else:
            for name in names:
                cleaned[name] = False
    return cleaned
