"""The codes the importer understands, as data (../shared/clinical/codes.md, extended in docs/fhir-mapping.md).

Matching is on system + code only, never on display text, except the medication ingredient-name
fallback. Diseases and therapies reuse the seeded reference data (patients/reference_data.py), so a
code is written once; the exceptions codes.md adds (no M31.1, ciclosporin for aplastic anaemia) are here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from common.vocabulary import COMORBIDITY_ITEMS, MALIGNANCY_CODES

from ..reference_data import DISEASES, THERAPIES

SNOMED = "http://snomed.info/sct"
ICD10 = ("http://hl7.org/fhir/sid/icd-10", "http://hl7.org/fhir/sid/icd-10-cm")
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CANDIDACY = "urn:candidacy:assessment"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"

# Zero-width characters real bundles carry in display texts (U+200B and its relatives).
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def clean_text(text: str | None) -> str:
    return (text or "").translate(_ZERO_WIDTH).strip()


# --- Diseases ---------------------------------------------------------------------------------------

DISEASE_SNOMED: dict[str, str] = {}
DISEASE_ICD10: list[tuple[str, str]] = []  # (prefix, disease key), longest prefixes first
for _key, _name, _group, _subtype, _snomed, _icd in DISEASES:
    for _code in filter(None, _snomed.split(",")):
        DISEASE_SNOMED[_code] = _key
    for _prefix in filter(None, _icd.split(",")):
        DISEASE_ICD10.append((_prefix, _key))
DISEASE_ICD10.sort(key=lambda pair: -len(pair[0]))
# ICD-10 codes inside a listed category that are not the disease (codes.md).
DISEASE_ICD10_EXCEPTIONS = ("M31.1",)  # thrombotic microangiopathy is not systemic vasculitis

# Where several disease conditions match, the most specific wins: a subtype over the unspecified
# disease (RRMS over MS); between unrelated diseases, the order of this list (codes.md's table).
DISEASE_ORDER = [key for key, *_ in DISEASES]
DISEASE_SUBTYPED = {key for key, _n, _g, subtype, *_ in DISEASES if subtype}
DISEASE_GROUP = {key: group for key, _n, group, *_ in DISEASES}


def normalise_icd10(code: str) -> str:
    """ICD-10 as written in the tables: upper case, the dot after the category (M3110, m31.10 -> M31.10)."""
    code = "".join(code.split()).replace(".", "").upper()
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def icd10_matches(code: str, prefix: str) -> bool:
    """``code`` normalised (normalise_icd10). G35 matches G35 and G35.x; D61.1 matches D61.1 and D61.1x."""
    return code == prefix or code.startswith(prefix if "." in prefix else prefix + ".")


def disease_for(system: str, code: str) -> str | None:
    if system == SNOMED:
        return DISEASE_SNOMED.get(code)
    if system in ICD10:
        code = normalise_icd10(code)
        if any(icd10_matches(code, exc) for exc in DISEASE_ICD10_EXCEPTIONS):
            return None
        for prefix, key in DISEASE_ICD10:
            if icd10_matches(code, prefix):
                return key
    return None


# --- Comorbidities (HCT-CI items) --------------------------------------------------------------------


def _icd_range(letter: str, start: int, end: int) -> tuple[str, ...]:
    return tuple(f"{letter}{n:02d}" for n in range(start, end + 1))


@dataclass(frozen=True)
class ComorbidityCodes:
    snomed: frozenset[str]
    icd10: tuple[str, ...]
    icd10_except: tuple[str, ...] = ()


COMORBIDITIES: dict[str, ComorbidityCodes] = {
    "arrhythmia": ComorbidityCodes(frozenset({"49436004", "5370000"}), ("I47", "I48", "I49")),
    "cardiac": ComorbidityCodes(
        # 399211009 history of myocardial infarction: added (Synthea's cardiac module), unverified.
        frozenset({"53741008", "22298006", "42343007", "88805009", "399211009"}),
        (*_icd_range("I", 20, 25), "I50"),
    ),
    "ibd": ComorbidityCodes(frozenset({"34000006", "64766004"}), ("K50", "K51")),
    "diabetes": ComorbidityCodes(frozenset({"44054006", "46635009"}), ("E10", "E11")),
    "cerebrovascular": ComorbidityCodes(
        frozenset({"230690007", "266257000"}), ("I63", "I64", "G45")
    ),
    "psychiatric": ComorbidityCodes(
        frozenset({"35489007", "370143000", "48694002"}), ("F32", "F33", "F41")
    ),
    "rheumatologic": ComorbidityCodes(
        frozenset({"55464009", "200936003", "69896004", "31384009", "396230008"}),
        ("M05", "M06", "M32", "M33", "M35.3"),
    ),
    "peptic_ulcer": ComorbidityCodes(frozenset({"13200003"}), _icd_range("K", 25, 27)),
    "prior_solid_tumour": ComorbidityCodes(
        # Added: the malignant solid tumours Synthea generates. 254637007 and 424132000 are in the
        # shared bundles with these displays; 363406005 colon and 254837009 breast are unverified.
        frozenset({"254637007", "424132000", "363406005", "254837009"}),
        _icd_range("C", 0, 80),
        ("C44",),  # non-melanoma skin cancer does not count
    ),
    "heart_valve_disease": ComorbidityCodes(
        frozenset({"368009"}),
        _icd_range("I", 34, 38),
        ("I34.1",),  # mitral valve prolapse does not count
    ),
}


def comorbidities_for(system: str, code: str) -> list[str]:
    if system in ICD10:
        code = normalise_icd10(code)  # once, before the prefixes and their exceptions

    def matches(codes: ComorbidityCodes) -> bool:
        if system == SNOMED:
            return code in codes.snomed
        return (
            system in ICD10
            and any(icd10_matches(code, p) for p in codes.icd10)
            and not any(icd10_matches(code, p) for p in codes.icd10_except)
        )

    return [item for item, codes in COMORBIDITIES.items() if matches(codes)]


# --- Observations ---------------------------------------------------------------------------------------

# UCUM unit -> factor into the catalogue's unit (patients/items.py).
PER_NANOLITRE = {"10*9/L": 1.0, "10*3/uL": 1.0, "K/uL": 1.0, "10*3/mm3": 1.0}
PERCENT = {"%": 1.0}
UNITLESS = {"": 1.0, "1": 1.0, "{score}": 1.0}
COUNT = {"": 1.0, "1": 1.0, "{count}": 1.0, "{#}": 1.0}
GFR = {
    "mL/min/{1.73_m2}": 1.0,
    "mL/min/1.73m2": 1.0,
    "mL/min": 1.0,
}  # Synthea writes eGFR in mL/min
MMHG = {"mm[Hg]": 1.0, "mmHg": 1.0}


@dataclass(frozen=True)
class ObservationRule:
    item: (
        str | None
    )  # None: a code codes.md names but the record has no item for (weight, WBC, ...)
    label: str
    units: dict[str, float] | None = None  # None for booleans and coded answers
    kind: str = "quantity"  # quantity | boolean | pregnancy | coded (ANSWERS below)
    egfr: bool = False  # stored as creatinine clearance only where no clearance was measured


def _rules(
    codes: list[str], rule: ObservationRule, system: str = LOINC
) -> dict[tuple[str, str], ObservationRule]:
    return {(system, code): rule for code in codes}


def _own(code: str, rule: ObservationRule) -> dict[tuple[str, str], ObservationRule]:
    return {(CANDIDACY, code): rule}


OBSERVATIONS: dict[tuple[str, str], ObservationRule] = {
    **_rules(["718-7"], ObservationRule("haemoglobin", "haemoglobin", {"g/dL": 1.0, "g/L": 0.1})),
    **_rules(["777-3", "26515-7"], ObservationRule("platelets", "platelets", PER_NANOLITRE)),
    **_rules(["6690-2", "26464-8"], ObservationRule(None, "white cells")),
    **_rules(["751-8", "26499-4"], ObservationRule("anc", "neutrophils", PER_NANOLITRE)),
    **_rules(
        ["60474-4", "14196-0"], ObservationRule("reticulocytes", "reticulocytes", PER_NANOLITRE)
    ),
    **_rules(
        ["17849-1", "4679-7"], ObservationRule("reticulocytes_pct", "reticulocytes %", PERCENT)
    ),
    **_rules(
        ["2160-0", "38483-4"],
        ObservationRule("creatinine", "creatinine", {"mg/dL": 1.0, "umol/L": 1 / 88.4}),
    ),
    **_rules(
        ["2164-2"], ObservationRule("creatinine_clearance", "creatinine clearance", {"mL/min": 1.0})
    ),
    **_rules(
        ["33914-3", "62238-1", "98979-8"],
        ObservationRule("creatinine_clearance", "eGFR", GFR, egfr=True),
    ),
    **_rules(
        ["1975-2", "42719-5"],
        ObservationRule("bilirubin", "bilirubin", {"mg/dL": 1.0, "umol/L": 1 / 17.1}),
    ),
    **_rules(["1742-6"], ObservationRule("alt", "ALT", {"U/L": 1.0})),
    **_rules(["1920-8"], ObservationRule("ast", "AST", {"U/L": 1.0})),
    **_rules(["1751-7"], ObservationRule(None, "albumin")),
    **_rules(
        ["1988-5"], ObservationRule("crp_mg_l", "C-reactive protein", {"mg/L": 1.0, "mg/dL": 10.0})
    ),
    **_rules(["10230-1"], ObservationRule("lvef", "LVEF", PERCENT)),
    **_rules(["39156-5"], ObservationRule("bmi", "BMI", {"kg/m2": 1.0})),
    **_rules(["29463-7"], ObservationRule(None, "weight")),
    **_rules(["8302-2"], ObservationRule(None, "height")),
    **_rules(["89243-0"], ObservationRule("karnofsky", "Karnofsky", {**UNITLESS, "%": 1.0})),
    **_rules(["89247-1"], ObservationRule("ecog", "ECOG", UNITLESS)),
    **_rules(["82810-3"], ObservationRule("pregnant", "pregnancy status", kind="pregnancy")),
    **_own("dlco-pct-predicted", ObservationRule("dlco", "DLCO", PERCENT)),
    **_own("fev1-pct-predicted", ObservationRule("fev1", "FEV1", PERCENT)),
    **_own("mpap", ObservationRule("mpap", "mPAP", MMHG)),
    **_own("pasp", ObservationRule("pasp", "PASP", MMHG)),
    **_own(
        "marrow-cellularity", ObservationRule("marrow_cellularity", "marrow cellularity", PERCENT)
    ),
    **_own("edss", ObservationRule("edss", "EDSS", UNITLESS)),
    **_own("relapses-12m", ObservationRule("relapses_12m", "relapses in 12 months", COUNT)),
    **_own("relapses-24m", ObservationRule("relapses_24m", "relapses in 24 months", COUNT)),
    **_own("new-mri-lesions-12m", ObservationRule("new_mri_lesions_12m", "new MRI lesions", COUNT)),
    **_own("sledai-2k", ObservationRule("sledai_2k", "SLEDAI-2K", UNITLESS)),
    **_own("mrss", ObservationRule("mrss", "mRSS", UNITLESS)),
    **_own("cdai", ObservationRule("cdai", "CDAI", UNITLESS)),
    **_own(
        "matched-sibling-donor",
        ObservationRule("matched_sibling_donor", "matched sibling donor", kind="boolean"),
    ),
    **_own(
        "active-infection", ObservationRule("active_infection", "active infection", kind="boolean")
    ),
    # Extension: the record's other items with no standard code, named like codes.md's own codes.
    **{
        (CANDIDACY, key.replace("_", "-")): ObservationRule(
            key, key.replace("_", " "), kind="boolean"
        )
        for key in (
            "sle_renal",
            "sle_cns",
            "sle_haematological",
            "ssc_lung",
            "ssc_heart",
            "ssc_kidney",
            "ssc_gi",
        )
    },
    # Clinical model v2's inputs, Candidacy's own codes (no standard code known).
    **_own(
        "edss-relapse-related",
        ObservationRule("edss_relapse_related", "EDSS raised by a relapse", kind="boolean"),
    ),
    **_own("new-t2-lesions-12m", ObservationRule("new_t2_lesions_12m", "new T2 lesions", COUNT)),
    **_own("gd-lesions-12m", ObservationRule("gd_lesions_12m", "Gd+ lesions", COUNT)),
    **{
        (CANDIDACY, key.replace("_", "-")): ObservationRule(
            key, key.replace("_", " "), kind="boolean"
        )
        for key in (
            "ms_rapidly_evolving",
            "active_despite_standard_therapy",
            "surgery_not_an_option",
            "abnormal_cytogenetics",
            "inherited_marrow_failure",
        )
    },
    **_own(
        "marrow-residual-haematopoietic-pct",
        ObservationRule("marrow_residual_haematopoietic_pct", "residual haematopoiesis", PERCENT),
    ),
    **_own("pnh-clone-pct", ObservationRule("pnh_clone_pct", "PNH clone", PERCENT)),
    **_own("malignancy", ObservationRule("malignancy", "malignancy", kind="coded")),
    **_own(
        "bilirubin-uln",
        ObservationRule("bilirubin_uln", "bilirubin ULN", {"mg/dL": 1.0, "umol/L": 1 / 17.1}),
    ),
    **_own("alt-uln", ObservationRule("alt_uln", "ALT ULN", {"U/L": 1.0})),
    **_own("ast-uln", ObservationRule("ast_uln", "AST ULN", {"U/L": 1.0})),
}

PREGNANT = {(SNOMED, "77386006"): 1.0, (SNOMED, "60001007"): 0.0}  # pregnant / not pregnant
# Coded answers, as urn:candidacy:assessment codes in valueCodeableConcept or as valueString.
ANSWERS = {"malignancy": {word: code for code, word in MALIGNANCY_CODES.items()}}

# Observations that are not dated values. An MS relapse: effectiveDateTime is its onset.
MS_RELAPSE = (CANDIDACY, "ms-relapse")
# The EHR's HCT-CI answers, item by item (codes.md): valueBoolean, false answers "no".
HCT_CI_ANSWERS = {
    (CANDIDACY, "hct-ci-" + item.replace("_", "-")): item for item in COMORBIDITY_ITEMS
}

# --- Medications and procedures ---------------------------------------------------------------------------

# Ingredient names for the fallback (whole word, case-insensitive), beyond each therapy's own name.
THERAPY_NAMES: dict[str, tuple[str, ...]] = {
    "interferon_beta": ("interferon beta",),
    "glatiramer": ("glatiramer",),
    "mycophenolate": ("mycophenolate", "mycophenolic acid"),
    "ciclosporin": ("ciclosporin", "cyclosporine", "cyclosporin"),
    "atg_equine": ("anti-thymocyte globulin (equine)", "antithymocyte globulin (equine)", "atgam"),
    "atg_rabbit": (
        "anti-thymocyte globulin (rabbit)",
        "antithymocyte globulin (rabbit)",
        "thymoglobulin",
    ),
    "ivig": ("intravenous immunoglobulin", "immune globulin intravenous", "ivig"),
}
# Therapies that are not medications, or duplicates chosen by context.
_NOT_BY_NAME = {"plasma_exchange", "ciclosporin_aa"}

THERAPY_RXNORM: dict[str, str] = {}
THERAPY_PATTERNS: list[tuple[re.Pattern[str], str]] = []
for _key, _name, _class, _rxnorm in THERAPIES:
    if _key in _NOT_BY_NAME:
        continue
    for _code in filter(None, _rxnorm.split(",")):
        THERAPY_RXNORM.setdefault(_code, _key)
    for _word in THERAPY_NAMES.get(_key, (_name.split(" (")[0].lower(),)):
        THERAPY_PATTERNS.append(
            (re.compile(rf"(?<!\w){re.escape(_word)}(?!\w)", re.IGNORECASE), _key)
        )

# In a patient with aplastic anaemia, ciclosporin is part of immunosuppressive therapy.
THERAPY_BY_DISEASE = {("ciclosporin", "aa"): "ciclosporin_aa"}

# Plasma exchange as a Procedure. No SNOMED CT code was confirmed here, so only Candidacy's own code.
PROCEDURES: dict[tuple[str, str], str] = {(CANDIDACY, "plasma-exchange"): "plasma_exchange"}

# MedicationStatement/Request.statusReason -> PriorTreatment.outcome
OUTCOME_CODES = {
    (CANDIDACY, "inadequate-response"): "inadequate_response",
    (CANDIDACY, "intolerance"): "intolerance",
}
# Phrases of statusReason text, matched case-insensitively. "failure" alone is not enough: "renal
# failure" or "heart failure" says why the patient stopped, not that the treatment failed.
TREATMENT_FAILURE_TEXT = re.compile(
    r"treatment failure|therapeutic failure|failure to respond|failed to respond|lack of (?:efficacy|effect|response)"
    r"|not effective|ineffective|inadequate response|no response",
    re.IGNORECASE,
)
# Substrings, so "hepatotoxicity" and "intolerant" count; "no adverse events" does not.
INTOLERANCE_TEXT = re.compile(r"adverse|intoleran|side[- ]effect|toxicit", re.IGNORECASE)
# A negation shortly before an intolerance word, in the same clause: "no adverse events", "without
# any side effects", "no serious adverse reaction".
INTOLERANCE_NEGATED = re.compile(
    r"\b(?:no|without|not|denies|denied|absence of)\b(?:\s+[\w-]+){0,2}\s+$", re.IGNORECASE
)
_CLAUSE_END = re.compile(r"[.;,:()]")


def outcome_for_text(text: str) -> str | None:
    """PriorTreatment outcome a statusReason text states, or None (unknown: the clinician fills it in).

    Intolerance first: "adverse reaction after treatment failure" is an intolerance.
    """
    for match in INTOLERANCE_TEXT.finditer(text):
        before = _CLAUSE_END.split(text[: match.start()])[-1]
        if not INTOLERANCE_NEGATED.search(before):
            return "intolerance"
    if TREATMENT_FAILURE_TEXT.search(text):
        return "inadequate_response"
    return None


# Consecutive orders of one therapy closer than this are one line of treatment (Synthea renews yearly).
MERGE_GAP_DAYS = 400
