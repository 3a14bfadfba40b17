from django import template

from candidacy.screening.panels import current_screening_context
from candidacy.screening.presenters import band_css

register = template.Library()


@register.inclusion_tag("candidacy/screening/_band.html")
def band(name: str):
    """A band is always a word and a colour, never colour alone."""
    return {"band": name, "css": band_css(name)}


@register.inclusion_tag("candidacy/screening/_screening.html")
def screening_panel(patient, printable=False):
    """The patient's current stored screening, explained (the print page uses it)."""
    return current_screening_context(patient, printable=printable)
