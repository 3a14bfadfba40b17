"""The one vocabulary of labels: every code the record and the rules use, in a clinician's words.

Pages, CSV, print, emails and CDS cards show these words, never the codes (UI.md: "Words a
clinician uses, never the code's"). Django-free and dependency-free, like
:mod:`common.vocabulary`, so every layer can read it. Labels start in lower case unless they
begin with a name or an abbreviation ("relapsing-remitting MS", "Crohn's disease"), so they
read inside a sentence; a page capitalises the first letter where a label starts a cell.

What is here: disease groups and MS subtypes, the rule set's disease tokens ("ms:rr"),
transplant types, indication categories and the aplastic anaemia pathways, criterion kinds,
domains, outcomes, evidence marks (with a sentence each), freshness windows, therapy classes,
treatment outcomes, HCT-CI comorbidities and the coded answers of measurement items. The
facts' labels live with the facts (``rules.facts.FactInfo.label``); the measurement items'
labels with the item catalogue (``patients.items``). :func:`label` reads any code here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .vocabulary import (
    COMORBIDITY_ITEMS,
    DISEASE_GROUPS,
    MALIGNANCY_ACTIVE,
    MALIGNANCY_NONE,
    MALIGNANCY_PAST,
    MS_SUBTYPES,
    THERAPY_CLASSES,
    TREATMENT_OUTCOMES,
)

DISEASE_LABELS: Mapping[str, str] = {
    "ms": "multiple sclerosis",
    "sle": "systemic lupus erythematosus",
    "ssc": "systemic sclerosis",
    "aa": "aplastic anaemia",
    "crohns": "Crohn's disease",
    "ra": "rheumatoid arthritis",
    "vasculitis": "systemic vasculitis",
    "cidp": "chronic inflammatory demyelinating polyneuropathy",
    "nmosd": "neuromyelitis optica spectrum disorder",
    "mg": "myasthenia gravis",
    "myositis": "myositis (polymyositis or dermatomyositis)",
    "t1d": "type 1 diabetes",
}
MS_SUBTYPE_LABELS: Mapping[str, str] = {
    "rr": "relapsing-remitting",
    "sp": "secondary progressive",
    "pp": "primary progressive",
}
# A criterion or indication names "all", a disease group, or an MS subtype as "ms:rr".
ALL_DISEASES_LABEL = "every disease"
RULE_DISEASE_LABELS: Mapping[str, str] = {
    "all": ALL_DISEASES_LABEL,
    **DISEASE_LABELS,
    **{f"ms:{code}": f"{word} MS" for code, word in MS_SUBTYPE_LABELS.items()},
}

TRANSPLANT_TYPE_LABELS: Mapping[str, str] = {
    "autologous": "autologous",
    "allo_sibling": "allogeneic, matched sibling donor",
    "allo_unrelated": "allogeneic, unrelated donor",
}
# EBMT indication categories, and for aplastic anaemia the BSH 2024 pathways in their place.
CATEGORY_LABELS: Mapping[str, str] = {
    "S": "standard of care",
    "CO": "clinical option",
    "D": "developmental (within a clinical trial only)",
    "GNR": "generally not recommended",
    "first_line_transplant": "transplant first, from a matched sibling donor",
    "transplant_after_ist": "transplant after immunosuppression has failed",
    "ist_first": "immunosuppression first",
    "not_severe": "not severe: transplant is not the treatment of choice",
    "pathway": "the aplastic anaemia pathway (BSH 2024)",
}

KIND_LABELS: Mapping[str, str] = {
    "indication": "indication",
    "exclusion": "exclusion",
    "points": "points",
    "review": "team review",
    "core": "guideline checklist",
    "workup": "work-up",
}
DOMAIN_LABELS: Mapping[str, str] = {
    "severity": "disease severity",
    "failed_treatments": "failed treatments",
    "overall_health": "overall health",
}
OUTCOME_LABELS: Mapping[str, str] = {
    "met": "met",
    "not_met": "not met",
    "not_evaluable": "not evaluable",
    "not_applicable": "does not apply",
}

# Evidence marks: the mark as the sources file writes it, a short word, and what it means.
LOCAL_POLICY = "local policy"
EVIDENCE_LABELS: Mapping[str, str] = {
    "V": "read in the source",
    "V2": "read in a secondary copy",
    "UNVERIFIED": "not yet confirmed",
    LOCAL_POLICY: "the centre's choice",
}
EVIDENCE_MEANINGS: Mapping[str, str] = {
    "V": "Read in the source itself.",
    "V2": "Read in a secondary copy of the source (a summary, an abstract or a review), "
    "not in the original.",
    "UNVERIFIED": "Not yet confirmed against its source; shown so until it is.",
    LOCAL_POLICY: "The centre's own choice, not taken from a published source.",
}

# How long a value stays usable (rule set freshness windows; classes in rules.facts).
FRESHNESS_LABELS: Mapping[str, str] = {
    "labs": "labs (blood tests)",
    "performance_status": "performance status",
    "clinical_status": "infection, pregnancy, malignancy and BMI",
    "echo_lung": "echocardiogram and lung function",
    "disease_activity": "disease activity (scores, relapses, MRI)",
    "marrow": "marrow examination and its work-up",
}

THERAPY_CLASS_LABELS: Mapping[str, str] = {
    "ms_dmt_lower": "MS DMT, lower efficacy",
    "ms_dmt_moderate": "MS DMT, moderate efficacy",
    "ms_dmt_high": "MS DMT, high efficacy",
    "immunosuppressant": "immunosuppressant",
    "biologic": "biologic",
    "jak_inhibitor": "JAK inhibitor",
    "corticosteroid": "corticosteroid",
    "aa_ist": "aplastic anaemia IST",
    "other": "other",
}
TREATMENT_OUTCOME_LABELS: Mapping[str, str] = {
    "ongoing": "ongoing",
    "inadequate_response": "inadequate response",
    "intolerance": "intolerance",
    "completed": "completed",
    "unknown": "unknown",
}

# HCT-CI comorbidities (Sorror 2005), as the patient form asks them.
COMORBIDITY_LABELS: Mapping[str, str] = {
    "arrhythmia": "arrhythmia (AF/flutter, sick sinus, ventricular)",
    "cardiac": "cardiac (coronary disease, heart failure, myocardial infarction)",
    "ibd": "inflammatory bowel disease",
    "diabetes": "diabetes treated with insulin or oral agents",
    "cerebrovascular": "cerebrovascular disease (TIA or stroke)",
    "psychiatric": "psychiatric: depression or anxiety needing treatment",
    "chronic_hepatitis": "chronic hepatitis",
    "cirrhosis": "cirrhosis",
    "infection": "infection needing continued antimicrobial treatment",
    "rheumatologic": "rheumatologic (SLE, RA, polymyositis, MCTD, PMR)",
    "peptic_ulcer": "peptic ulcer needing treatment",
    "renal_dialysis_or_transplant": "on dialysis or prior renal transplant",
    "dyspnoea_slight_activity": "dyspnoea on slight activity",
    "dyspnoea_at_rest_or_oxygen": "dyspnoea at rest or needs oxygen",
    "prior_solid_tumour": "prior solid tumour (not non-melanoma skin cancer)",
    "heart_valve_disease": "heart valve disease (not mitral valve prolapse)",
}

# The coded answers of measurement items and facts that have them.
MALIGNANCY_LABELS: Mapping[str, str] = {
    MALIGNANCY_NONE: "none",
    MALIGNANCY_PAST: "past (treated, not active now)",
    MALIGNANCY_ACTIVE: "active",
}
CAMITTA_LABELS: Mapping[str, str] = {
    "non_severe": "non-severe",
    "severe": "severe",
    "very_severe": "very severe",
}

# Every table above, for :func:`label`. A code means the same wherever it appears (a test
# checks that no two tables give one code different words).
TABLES: tuple[Mapping[str, str], ...] = (
    RULE_DISEASE_LABELS,
    MS_SUBTYPE_LABELS,
    TRANSPLANT_TYPE_LABELS,
    CATEGORY_LABELS,
    KIND_LABELS,
    DOMAIN_LABELS,
    OUTCOME_LABELS,
    FRESHNESS_LABELS,
    THERAPY_CLASS_LABELS,
    TREATMENT_OUTCOME_LABELS,
    COMORBIDITY_LABELS,
    MALIGNANCY_LABELS,
    CAMITTA_LABELS,
)
_ALL: dict[str, str] = {code: word for table in TABLES for code, word in table.items()}


def label(code: str) -> str:
    """The words for any code of this vocabulary; an unknown code is spelled out as words
    ("some_new_code" -> "some new code") rather than shown as it is."""
    found = _ALL.get(code)
    return found if found is not None else code.replace("_", " ").replace(":", " ")


def disease_label(code: str) -> str:
    """A disease group, an MS subtype token ("ms:sp") or "all", in words."""
    return RULE_DISEASE_LABELS.get(code, label(code))


def capfirst(text: str) -> str:
    """The text with its first letter capitalised ("crohn's" stays as written otherwise)."""
    return text[:1].upper() + text[1:]


def join_words(words: Iterable[str], last: str = "and") -> str:
    """ "a", "a and b", "a, b and c" (or "or")."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def diseases_text(codes: Iterable[str]) -> str:
    """A criterion's diseases in words: "every disease", "multiple sclerosis", or, for a
    list that covers nearly every group, "every disease except systemic sclerosis"."""
    codes = tuple(codes)
    if "all" in codes:
        return ALL_DISEASES_LABEL
    groups = set(codes)
    left_out = [g for g in DISEASE_GROUPS if g not in groups]
    if len(groups) >= len(DISEASE_GROUPS) - 2 and groups <= set(DISEASE_GROUPS) and left_out:
        return f"{ALL_DISEASES_LABEL} except {join_words(DISEASE_LABELS[g] for g in left_out)}"
    return join_words(disease_label(c) for c in codes)


# Internal pointers that free text (citations, notes) may carry: a path into the project's
# shared folder, or a file name such as "criteria-sources.md section 5".
_FILE = r"(?:\.\./|/)?(?:[\w.-]+/)*[\w-]+\.(?:md|yaml|yml|py|json|csv)(?:\s+section\s+[\w.]+)?"
# A pointer in brackets goes with its brackets; one inside a sentence goes alone.
_PATH = re.compile(rf"\s*\({_FILE}\)|\s*{_FILE}")
_OPERATORS = (("<=", "≤"), (">=", "≥"), ("!=", "≠"))


def plain(text: str) -> str:
    """Free text as a clinician reads it: file paths dropped, ">=" and "<=" written as ≥ ≤.

    Citations and notes are typed by people and may point into the project's files
    ("(../shared/clinical/criteria-sources.md)"); those pointers mean nothing on a ward.
    """
    text = _PATH.sub("", text)
    for code, sign in _OPERATORS:
        text = text.replace(code, sign)
    return text


# The vocabulary codes the tables above cover, by the tuple that defines them (tests check
# every one has a label).
LABELLED_CODES: Mapping[str, tuple[str, ...]] = {
    "disease groups": DISEASE_GROUPS,
    "MS subtypes": MS_SUBTYPES,
    "therapy classes": THERAPY_CLASSES,
    "treatment outcomes": TREATMENT_OUTCOMES,
    "comorbidities": COMORBIDITY_ITEMS,
}
