"""The words a screening is shown in: one place for every page, the CSV, print and emails.

The stored result keeps codes (criterion keys, item keys, kinds, evidence marks); these
functions turn each into what a clinician reads, from the one vocabulary
(:mod:`common.labels`), the item catalogue (:mod:`patients.items`) and the criteria's own
labels. UI.md: "Words a clinician uses, never the code's".
"""

from __future__ import annotations

from common import labels
from patients.items import ITEMS
from rules import result as engine_result
from rules.catalogue import Evidence, evidence
from rules.facts import COMORBIDITY_PREFIX, FACTS
from rules.specs import (
    CORE,
    EXCLUDED,
    EXCLUSION,
    INCOMPLETE,
    INDICATION,
    LOCAL_POLICY,
    NOT_APPLICABLE,
    NOT_INDICATED,
    POINTS,
    REVIEW,
    UNLIKELY,
)
from rules.tally import STRONG_REQUIREMENTS_KEY

__all__ = ["Evidence", "evidence"]  # the criteria page's evidence marks, shown the same way

# Inputs that are not assessment items: where to record them instead.
RECORD_FIELDS = {
    "birth_date": "date of birth",
    "disease": "diagnosis",
    "disease_subtype": "MS subtype",
    "diagnosis_date": "date of onset or diagnosis",
    "treatment_history": "prior treatments",
    "relapse_dates": "MS relapse dates",
}
NO_EFFECT = "—"
STRONG_NEEDS_WORDS = "what a Strong candidate needs recorded"
# What a domain with no share shows: nothing scored in it applies to the disease, or every
# criterion that would score it waits on data (UI.md: a missing EDSS is not "not applicable").
DOMAIN_NOT_SCORED = "no criterion for this disease"
DOMAIN_UNKNOWN = "not yet known: {items} to collect"


def input_label(key: str) -> str:
    """An input the screening needs, in words: an assessment item ("EDSS"), a field of the
    record ("date of birth") or an HCT-CI comorbidity ("inflammatory bowel disease")."""
    if key in ITEMS:
        return ITEMS[key].label
    if key.startswith(COMORBIDITY_PREFIX):
        code = key.removeprefix(COMORBIDITY_PREFIX)
        return labels.COMORBIDITY_LABELS.get(code, labels.label(code))
    if key in RECORD_FIELDS:
        return RECORD_FIELDS[key]
    if key in FACTS:
        return FACTS[key].label
    return labels.label(key)


def value_text(line: engine_result.Line, unit: str) -> str:
    """ "58 %", "at least 0" (a lower bound), "not recorded"; no unit after a dash."""
    text = engine_result.display_value(line)
    if line.value is None or line.value_status == engine_result.MISSING:
        return text
    return f"{text} {unit}".strip()


def citation(line: engine_result.Line) -> str:
    """The source as a reader can look it up: file paths dropped, local policy said so."""
    if line.evidence == LOCAL_POLICY:
        return labels.EVIDENCE_LABELS[labels.LOCAL_POLICY]
    return labels.plain(line.citation)


def effect_text(line: engine_result.Line) -> str:
    """The Points column: the points a scored criterion gave, or what this one did to the
    band. A criterion that did nothing shows a dash, never its kind ("exclusion" beside an
    exclusion that was not met reads as if it excluded)."""
    c = line.criterion
    if line.points_possible:
        return f"{line.points:g} of {line.points_possible:g}"
    if line.kind == POINTS or (line.kind == CORE and c.points and line.outcome != NOT_APPLICABLE):
        return f"— of {c.points:g} (not known yet)"
    met, not_met = line.outcome == engine_result.MET, line.outcome == engine_result.NOT_MET
    if line.kind == EXCLUSION and met:
        return f"gives {EXCLUDED}"
    if line.kind == INDICATION and not_met:
        return f"gives {NOT_INDICATED}"
    if line.kind == REVIEW and met:
        return f"team review: {c.cap} at best" if c.cap else "team review"
    if line.kind == CORE and not_met:
        return f"{c.not_met_band or UNLIKELY} at best"
    if line.kind == CORE and line.outcome == engine_result.NOT_EVALUABLE:
        return f"{INCOMPLETE} until known"
    return NO_EFFECT


def kind_text(kind: str) -> str:
    return labels.KIND_LABELS.get(kind, labels.label(kind))


def domain_text(domain: str) -> str:
    return labels.capfirst(labels.DOMAIN_LABELS.get(domain, labels.label(domain)))


def domain_unscored(result: engine_result.Result, domain: str) -> str:
    """Why a domain has no share: unknown (the data it needs are missing) or not scored."""
    waiting = [
        line
        for line in result.lines
        if line.domain == domain
        and (line.kind == POINTS or (line.kind == CORE and line.criterion.points))
        and line.outcome == engine_result.NOT_EVALUABLE
    ]
    if not waiting:
        return DOMAIN_NOT_SCORED
    items = dict.fromkeys(input_label(line.fact) for line in waiting)
    return DOMAIN_UNKNOWN.format(items=labels.join_words(items))


def criteria_text(keys, result: engine_result.Result) -> str:
    """Criterion keys as the criteria's labels ("for EDSS 6.0 to 6.5, ..."), each once."""
    names = {line.key: line.label for line in result.lines if line.label}
    names[STRONG_REQUIREMENTS_KEY] = STRONG_NEEDS_WORDS
    words = dict.fromkeys(names.get(k) or labels.label(k) for k in keys)
    return "; ".join(words)
