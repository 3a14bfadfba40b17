"""A criterion in plain words: its rule, what it does, and the rule set's settings.

"LVEF below 45%", not ``lvef_pct < 45``: pages, the version diff and (later) print and
CSV read a criterion through these functions, which take the fact's label and unit from
:data:`rules.facts.FACTS` and every code's words from :mod:`common.labels`. Pure Python, no
Django: the same sentences wherever they are shown, tested as tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from common import labels

from .facts import BOOL, FACTS, LIST, NUMBER, FactInfo
from .specs import CORE, EXCLUSION, INDICATION, POINTS, REVIEW, UNLIKELY, WORKUP

UNKNOWN_MEASURE = "A measure no longer offered"
NO_BAND = "—"  # a cap or band that is not set, as the diff shows it
# Units that stand against the number ("45%"); every other unit follows a space ("40 mL/min").
_TIGHT_UNITS = ("%",)
_TIME_UNITS = ("years", "months")
# How each comparison reads, for most measures and for ages and durations.
_COMPARISONS = {
    "<": ("below {n}", "under {n}"),
    "<=": ("{n} or less", "{n} or under"),
    ">": ("above {n}", "over {n}"),
    ">=": ("{n} or more", "{n} or over"),
}
_NUMBER_IN_LABEL = re.compile(r"(?<![\w-])\d+(?![\w-])")


def _info(fact_key: str) -> FactInfo:
    found = FACTS.get(fact_key)
    if found is None:  # a draft may name a fact this version no longer has
        return FactInfo(fact_key, "", "", label=UNKNOWN_MEASURE)
    return found


def format_number(value: float | int | str, places: int = -1) -> str:
    """A number as clinicians write it: 6.0 where the scale has one decimal, else 45, 1.5."""
    if isinstance(value, str):
        return value
    if places >= 0:
        return f"{value:.{places}f}"
    return f"{value:g}"


def with_unit(number: str, unit: str) -> str:
    """ "45%", "40 mL/min", "3" (no unit)."""
    if not unit:
        return number
    return f"{number}{unit}" if unit in _TIGHT_UNITS else f"{number} {unit}"


def choice_words(values: Sequence[float | int | str]) -> str:
    """Coded answers in words, joined with "or": "severe or very severe"."""
    return labels.join_words((labels.label(str(v)) for v in values), "or")


def _needs_colon(label: str, phrase: str) -> bool:
    # "HCT-CI 3 or more" reads; "Relapses in the last 12 months 2 or more" does not.
    starts_with_number = phrase[:1].isdigit()
    return bool(_NUMBER_IN_LABEL.search(label)) or (starts_with_number and " " in label)


def describe_rule(fact_key: str, operator: str, thresholds: Sequence[float | int | str]) -> str:
    """A criterion's rule in words: "LVEF below 45%", "EDSS 6.0 to 6.5", "Active infection: yes".

    ``operator`` and ``thresholds`` are a criterion's, as the rule set stores them (a rule set
    is validated before it is published; a draft's odd rule is still put in words).
    """
    info = _info(fact_key)
    name = info.label
    if operator in ("is true", "is false"):
        return f"{name}: {'yes' if operator == 'is true' else 'no'}"
    if info.type == LIST:
        return f"{name} include {choice_words(thresholds)}"
    if operator == "in":
        if info.type in (NUMBER, ""):
            numbers = [with_unit(format_number(t, info.places), info.unit) for t in thresholds]
            return f"{name}: {labels.join_words(numbers, 'or')}"
        return f"{name}: {choice_words(thresholds)}"
    phrase = _number_phrase(info, operator, thresholds)
    return f"{name}: {phrase}" if _needs_colon(name, phrase) else f"{name} {phrase}"


def _number_phrase(info: FactInfo, operator: str, thresholds: Sequence[float | int | str]) -> str:
    numbers = [format_number(t, info.places) for t in thresholds]
    if operator == "between" and len(numbers) == 2:
        return f"{numbers[0]} to {with_unit(numbers[1], info.unit)}"
    forms = _COMPARISONS.get(operator)
    if forms is None or not numbers:  # not a rule the engine would run: say what it holds
        return labels.join_words(numbers) or "(no threshold)"
    form = forms[1] if info.unit in _TIME_UNITS else forms[0]
    return form.format(n=with_unit(numbers[0], info.unit))


# A threshold on its own, as a column of the explanation shows it beside the value.
_THRESHOLD_FORMS = {"<": "below {n}", "<=": "at most {n}", ">": "above {n}", ">=": "at least {n}"}


def threshold_words(operator: str, thresholds: Sequence[float | int | str], unit: str = "") -> str:
    """A criterion's threshold in words, never as code: "at least 3", "below 45%", "yes",
    "2 to 5.5", "relapsing-remitting, secondary progressive or primary progressive".

    Explanation templates put their own unit after ``{threshold}`` ("excluded {threshold}%"),
    so the unit is added only when given.
    """
    if operator in ("is true", "is false"):
        return "yes" if operator == "is true" else "no"
    if operator == "in":
        if all(isinstance(t, int | float) for t in thresholds):
            return labels.join_words((with_unit(format_number(t), unit) for t in thresholds), "or")
        return choice_words(thresholds)
    numbers = [format_number(t) for t in thresholds]
    if operator == "between" and len(numbers) == 2:
        return f"{numbers[0]} to {with_unit(numbers[1], unit)}"
    form = _THRESHOLD_FORMS.get(operator)
    if form is None or not numbers:
        return labels.join_words(numbers) or "(no threshold)"
    return form.format(n=with_unit(numbers[0], unit))


def describe_fact_type(fact_key: str) -> str:
    """ "yes or no", "a number (mL/min)", "one of: none, past or active" — what a fact holds."""
    info = _info(fact_key)
    if info.type == BOOL:
        return "yes or no"
    if info.choices:
        return f"one of: {choice_words(info.choices)}"
    return f"a number ({info.unit})" if info.unit else "a number"


# --- What a criterion does ----------------------------------------------------------------------


def points_text(points: float) -> str:
    return f"{format_number(points)} {'point' if points == 1 else 'points'}"


def effect(kind: str, *, points: float, domain: str, cap: str, not_met_band: str) -> str:
    """What a criterion does to a screening, as a verb phrase that reads after "it" or
    "no longer": "adds 2 points to disease severity", "gives Excluded when met", "marks the
    case for team review, Possible candidate at best while met"."""
    adds = f"adds {points_text(points)} to {labels.DOMAIN_LABELS.get(domain, domain)}"
    if kind == INDICATION:
        return "gives Not indicated when not met"
    if kind == EXCLUSION:
        return "gives Excluded when met"
    if kind == POINTS:
        return adds
    if kind == REVIEW:
        capped = f", {cap} at best while met" if cap else ""
        return f"marks the case for team review{capped}"
    if kind == CORE:
        text = f"gives {not_met_band or UNLIKELY} when not met and Incomplete while unknown"
        return f"{text}, and {adds} when met" if points else text
    if kind == WORKUP:
        return "lists an investigation to collect, never changing the band or the score"
    return labels.label(kind)


def role(kind: str, *, cap: str, not_met_band: str, enabled: bool = True) -> str:
    """What a criterion is, as a noun phrase: "a review capped at Unlikely", "an exclusion"."""
    phrases = {
        INDICATION: "an indication",
        EXCLUSION: "an exclusion",
        POINTS: "a points criterion",
        REVIEW: f"a review capped at {cap}" if cap else "a review",
        CORE: f"a guideline checklist item giving {not_met_band or UNLIKELY} when not met",
        WORKUP: "a work-up item",
    }
    text = phrases.get(kind, labels.label(kind))
    return text if enabled else f"{text} (switched off)"


# --- Rule set settings -------------------------------------------------------------------------

BAND_THRESHOLD_NAMES = {"strong": "Strong candidate", "possible": "Possible candidate"}


def weight_sentences(weights: Mapping[str, float]) -> list[str]:
    """ "Disease severity weighs 40 of 100", one per domain."""
    total = sum(weights.values())
    return [
        f"{labels.capfirst(labels.DOMAIN_LABELS.get(d, labels.label(d)))} weighs "
        f"{format_number(w)} of {format_number(total)}"
        for d, w in weights.items()
    ]


def band_sentences(thresholds: Mapping[str, float]) -> list[str]:
    """ "Strong candidate from a score of 70", then "Unlikely below 40"."""
    out = [
        f"{BAND_THRESHOLD_NAMES.get(k, labels.label(k))} from a score of {format_number(v)}"
        for k, v in thresholds.items()
    ]
    if "possible" in thresholds:
        out.append(f"Unlikely below {format_number(thresholds['possible'])}")
    return out


def freshness_sentence(window: str, days: int) -> str:
    """ "Labs (blood tests): usable for 90 days (about 3 months)"."""
    words = labels.capfirst(labels.FRESHNESS_LABELS.get(window, labels.label(window)))
    text = f"{words}: usable for {days} days"
    if days >= 60:
        months = round(days / 30.44)
        text += f" (about {'a year' if months == 12 else f'{months} months'})"
    return text
