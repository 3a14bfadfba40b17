from django import template

from candidacy.presenters import band_css, screening_context
from candidacy.services import ScreeningUnavailable, screening_evaluate

register = template.Library()


@register.inclusion_tag("candidacy/_band.html")
def band(name: str):
    """A band is always a word and a colour, never colour alone."""
    return {"band": name, "css": band_css(name)}


@register.inclusion_tag("candidacy/_screening.html")
def screening_panel(patient):
    """The patient's current screening, explained."""
    try:
        result = screening_evaluate(patient=patient)
    except ScreeningUnavailable as reason:
        return {"result": None, "screening_missing_reason": str(reason)}
    return screening_context(result, patient)
