"""Template filters over the one vocabulary of labels (common/labels.py).

``{% load words %}`` then ``{{ code|label }}``, ``{{ indication.disease|disease_label }}``,
``{{ criterion.diseases|diseases_text }}`` or ``{{ citation|plain }}``: a page shows the
words, never the code.
"""

from django import template

from common import labels

register = template.Library()


@register.filter
def label(code) -> str:
    """Any code of the vocabulary in words: "allo_sibling" -> "allogeneic, matched sibling donor"."""
    return labels.label(str(code)) if code not in (None, "") else ""


@register.filter
def disease_label(code) -> str:
    """A disease group or rule set disease token: "ms:rr" -> "relapsing-remitting MS"."""
    return labels.disease_label(str(code)) if code else ""


@register.filter
def diseases_text(codes) -> str:
    """A criterion's list of diseases: ["all"] -> "every disease"."""
    return labels.diseases_text(codes or ())


@register.filter
def plain(text) -> str:
    """Free text (a citation, notes) without file paths or code operators."""
    return labels.plain(str(text or ""))
