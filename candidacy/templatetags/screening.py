from django import template

from candidacy import selectors
from candidacy.presenters import band_css, screening_context
from candidacy.screening import NOT_SCREENED_YET
from rules.engine import DECEASED_NOT_SCREENED

register = template.Library()


@register.inclusion_tag("candidacy/_band.html")
def band(name: str):
    """A band is always a word and a colour, never colour alone."""
    return {"band": name, "css": band_css(name)}


@register.inclusion_tag("candidacy/_screening.html")
def screening_panel(patient, printable=False):
    """The patient's current stored screening, explained, with what changed since the last."""
    if patient.is_deceased:
        return {"result": None, "screening_missing_reason": DECEASED_NOT_SCREENED}
    current = selectors.current_screening(patient)
    if current is None:
        return {"result": None, "screening_missing_reason": NOT_SCREENED_YET}
    context = screening_context(selectors.result_of(current), patient)
    context["screening"] = current
    context["changes"] = selectors.screening_changes(current, selectors.previous_screening(current))
    context["printable"] = printable
    return context
