"""Pure clinical scales: age, ECOG -> Karnofsky, HCT-CI, HCT-CI/age, Camitta.

No Django, no clock, no record: each function takes plain values (``None`` means
"not known") and returns plain values, so each can be table-tested against the
source it cites. Sources and evidence marks are in
``/work/shared/clinical/criteria-sources.md`` (sections named below).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

# --- Age -----------------------------------------------------------------------------

# The EBMT 2012 tables (section 1b, V) split adult and paediatric rows; our notes give no
# age for the split, so we use the age of majority, 18. Centres that screen adolescents
# differently can change it here; it is a definition, not a clinical threshold.
PAEDIATRIC_BELOW_YEARS = 18


def age_in_years(birth_date: date, as_of: date) -> int:
    """Completed years of age on ``as_of`` (a 29 February birthday counts on 1 March)."""
    years = as_of.year - birth_date.year
    if (as_of.month, as_of.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_paediatric(age_years: int) -> bool:
    """True below :data:`PAEDIATRIC_BELOW_YEARS`."""
    return age_years < PAEDIATRIC_BELOW_YEARS


# --- Performance status (section 3c) ------------------------------------------------------

# ECOG grade -> Karnofsky, from the usual mapping (Oken 1982 with the KPS equivalents, V2):
# 0 = 90-100, 1 = 70-80, 2 = 50-60, 3 = 30-40, 4 = 10-20, 5 = 0. We take the LOWER end of
# each range so that a mapped value never overstates fitness; it keeps the EBMT 2025 pairing
# "ECOG >= 2 / KPS <= 60" consistent (ECOG 2 -> 50, ECOG 1 -> 70). The second mapping in
# circulation (0 = 100, 1 = 80-90, ...) is deliberately not used.
ECOG_TO_KPS: Mapping[int, int] = {0: 90, 1: 70, 2: 50, 3: 30, 4: 10, 5: 0}


class ScaleError(ValueError):
    """A value outside the range a scale is defined for."""


def ecog_to_kps(ecog: float) -> int:
    """Karnofsky equivalent of an ECOG grade (0-5), by :data:`ECOG_TO_KPS`."""
    grade = int(ecog)
    if grade != ecog or grade not in ECOG_TO_KPS:
        raise ScaleError(f"ECOG grade must be a whole number from 0 to 5, got {ecog!r}")
    return ECOG_TO_KPS[grade]


# --- HCT-CI (Sorror 2005; section 3a) -------------------------------------------------------

# The 17 items and their weights (definitions V, weights V2). Hepatic and pulmonary are
# tiered: only the highest tier of each scores, so the maximum is 26, not 29.
HCT_CI_WEIGHTS: Mapping[str, int] = {
    "arrhythmia": 1,
    "cardiac": 1,
    "ibd": 1,
    "diabetes": 1,
    "cerebrovascular": 1,
    "psychiatric": 1,
    "hepatic_mild": 1,
    "obesity": 1,
    "infection": 1,
    "rheumatologic": 2,
    "peptic_ulcer": 2,
    "renal": 2,
    "pulmonary_moderate": 2,
    "prior_solid_tumour": 3,
    "heart_valve": 3,
    "pulmonary_severe": 3,
    "hepatic_moderate_severe": 3,
}
HCT_CI_MAX = 26
# Organ-function cut-offs from the item definitions (section 3a, V).
HCT_CI_LVEF_MAX = 50.0  # cardiac: EF <= 50%
HCT_CI_BMI_OVER = 35.0  # obesity: BMI > 35 (adults)
HCT_CI_CREATININE_OVER = 2.0  # renal: creatinine > 2 mg/dL
HCT_CI_PULM_MODERATE_MAX = 80.0  # DLCO and/or FEV1 66-80%
HCT_CI_PULM_SEVERE_MAX = 65.0  # DLCO and/or FEV1 <= 65%
HCT_CI_BILI_SEVERE_OVER = 1.5  # bilirubin > 1.5 x ULN (mild: > ULN to 1.5 x ULN)
HCT_CI_TRANSAMINASE_SEVERE_OVER = 2.5  # AST/ALT > 2.5 x ULN (mild: > ULN to 2.5 x ULN)
# Diseases that score an item by themselves (section 3a: "a patient with SLE or RA
# automatically scores 2 ... Crohn's/UC scores 1"; codes.md maps M33 myositis to
# rheumatologic and E10 type 1 diabetes to treated diabetes).
HCT_CI_DISEASE_ITEMS: Mapping[str, str] = {
    "sle": "rheumatologic",
    "ra": "rheumatologic",
    "myositis": "rheumatologic",
    "crohns": "ibd",
    "t1d": "diabetes",
}


class HctCiInputs(NamedTuple):
    """What HCT-CI needs; ``None`` = not assessed. Ratios are value / upper limit of normal.

    A NamedTuple rather than a frozen dataclass: it is built once per evaluation and the
    engine's speed budget is tight.
    """

    disease: str | None = None
    arrhythmia: bool | None = None
    cardiac: bool | None = None  # CAD, CHF, MI (EF comes from lvef_pct)
    ibd: bool | None = None
    diabetes: bool | None = None
    cerebrovascular: bool | None = None
    psychiatric: bool | None = None
    chronic_hepatitis: bool | None = None
    cirrhosis: bool | None = None
    infection: bool | None = None
    rheumatologic: bool | None = None
    peptic_ulcer: bool | None = None
    renal_dialysis_or_transplant: bool | None = None
    dyspnoea_slight_activity: bool | None = None
    dyspnoea_at_rest_or_oxygen: bool | None = None
    prior_solid_tumour: bool | None = None
    heart_valve_disease: bool | None = None
    lvef_pct: float | None = None
    bmi: float | None = None
    creatinine_mg_dl: float | None = None
    dlco_pct: float | None = None
    fev1_pct: float | None = None
    bilirubin_x_uln: float | None = None
    alt_x_uln: float | None = None
    ast_x_uln: float | None = None


class HctCi(NamedTuple):
    """An HCT-CI score. With ``unknown`` items, ``score`` is a lower bound ("at least N")."""

    score: int
    points: Mapping[str, int]  # item -> points scored (known or lower bound)
    unknown: tuple[str, ...]  # items that could not be fully assessed

    @property
    def complete(self) -> bool:
        return not self.unknown


def _or(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued OR: True if either is True, False if both are False, else None."""
    if a is True or b is True:
        return True
    if a is False and b is False:
        return False
    return None


def _tier(levels: tuple[int | None, ...]) -> tuple[int, bool]:
    """Highest tier among inputs (0 = normal, 3 = top), and whether it is certain.

    A tier is certain when it is already the top tier (3) or when every input is known.
    """
    best, certain = 0, True
    for level in levels:
        if level is None:
            certain = False
        elif level > best:
            best = level
    return best, certain or best == 3


def _graded(value: float | None, mild_over: float, severe_over: float) -> int | None:
    if value is None:
        return None
    if value > severe_over:
        return 3
    return 1 if value > mild_over else 0


def _flag(value: bool | None, weight: int) -> int | None:
    return None if value is None else (weight if value else 0)


def _pft(value: float | None) -> int | None:
    """Pulmonary tier of a DLCO or FEV1 % predicted."""
    if value is None:
        return None
    if value <= HCT_CI_PULM_SEVERE_MAX:
        return 3
    return 2 if value <= HCT_CI_PULM_MODERATE_MAX else 0


def hct_ci(i: HctCiInputs) -> HctCi:
    """HCT-CI from comorbidity flags and organ-function values (Sorror 2005).

    Each item is True / False / unknown; tiered items score their highest tier once.
    Unknown items score 0 in the total but are listed, so the total is "at least N".
    """
    points: dict[str, int] = {}
    unknown: list[str] = []
    weights = HCT_CI_WEIGHTS
    for item, flag in _hct_ci_flags(i).items():
        if flag:
            points[item] = weights[item]
        else:
            points[item] = 0
            if flag is None:
                unknown.append(item)

    hepatic, hep_sure = _hepatic_tier(i)
    points["hepatic_mild"] = 1 if hepatic == 1 else 0
    points["hepatic_moderate_severe"] = 3 if hepatic == 3 else 0
    if not hep_sure:
        unknown.append("hepatic")

    pulmonary, pulm_sure = _pulmonary_tier(i)
    points["pulmonary_moderate"] = 2 if pulmonary == 2 else 0
    points["pulmonary_severe"] = 3 if pulmonary == 3 else 0
    if not pulm_sure:
        unknown.append("pulmonary")

    return HctCi(score=sum(points.values()), points=points, unknown=tuple(unknown))


def _hct_ci_flags(i: HctCiInputs) -> dict[str, bool | None]:
    """The yes/no items (all but hepatic and pulmonary), each True, False or unknown."""
    disease_item = HCT_CI_DISEASE_ITEMS.get(i.disease or "")
    lvef, bmi, creat = i.lvef_pct, i.bmi, i.creatinine_mg_dl
    return {
        "arrhythmia": i.arrhythmia,
        "cardiac": _or(i.cardiac, None if lvef is None else lvef <= HCT_CI_LVEF_MAX),
        "ibd": _or(i.ibd, disease_item == "ibd"),
        "diabetes": _or(i.diabetes, disease_item == "diabetes"),
        "cerebrovascular": i.cerebrovascular,
        "psychiatric": i.psychiatric,
        "obesity": None if bmi is None else bmi > HCT_CI_BMI_OVER,
        "infection": i.infection,
        "rheumatologic": _or(i.rheumatologic, disease_item == "rheumatologic"),
        "peptic_ulcer": i.peptic_ulcer,
        "renal": _or(
            i.renal_dialysis_or_transplant,
            None if creat is None else creat > HCT_CI_CREATININE_OVER,
        ),
        "prior_solid_tumour": i.prior_solid_tumour,
        "heart_valve": i.heart_valve_disease,
    }


def _hepatic_tier(i: HctCiInputs) -> tuple[int, bool]:
    """Hepatic: mild (1) = chronic hepatitis, bilirubin > ULN-1.5 x ULN, AST/ALT > ULN-2.5 x ULN;
    moderate/severe (3) = cirrhosis, bilirubin > 1.5 x ULN, AST/ALT > 2.5 x ULN."""
    return _tier(
        (
            _flag(i.chronic_hepatitis, 1),
            _flag(i.cirrhosis, 3),
            _graded(i.bilirubin_x_uln, 1.0, HCT_CI_BILI_SEVERE_OVER),
            _graded(i.alt_x_uln, 1.0, HCT_CI_TRANSAMINASE_SEVERE_OVER),
            _graded(i.ast_x_uln, 1.0, HCT_CI_TRANSAMINASE_SEVERE_OVER),
        )
    )


def _pulmonary_tier(i: HctCiInputs) -> tuple[int, bool]:
    """Pulmonary: moderate (2) = DLCO and/or FEV1 66-80% or dyspnoea on slight activity;
    severe (3) = DLCO and/or FEV1 <= 65%, dyspnoea at rest or oxygen."""
    return _tier(
        (
            _pft(i.dlco_pct),
            _pft(i.fev1_pct),
            _flag(i.dyspnoea_slight_activity, 2),
            _flag(i.dyspnoea_at_rest_or_oxygen, 3),
        )
    )


# HCT-CI/age (Sorror 2014, section 3b, V): age >= 40 adds one point.
HCT_CI_AGE_FROM_YEARS = 40


def hct_ci_age(hct_ci_score: int, age_years: int) -> int:
    """HCT-CI/age composite: HCT-CI plus 1 from age 40."""
    return hct_ci_score + (1 if age_years >= HCT_CI_AGE_FROM_YEARS else 0)


# --- Camitta severity of aplastic anaemia (section 2e) --------------------------------------

CAMITTA_NON_SEVERE = "non_severe"
CAMITTA_SEVERE = "severe"
CAMITTA_VERY_SEVERE = "very_severe"
CAMITTA_GRADES = (CAMITTA_NON_SEVERE, CAMITTA_SEVERE, CAMITTA_VERY_SEVERE)
# Severe: marrow cellularity < 25% (V) plus >= 2 of ANC < 0.5, platelets < 20,
# reticulocytes < 60 x 10^9/L. The reticulocyte cut-off is the BSH automated-count one (V2):
# our absolute counts come from analysers; the original Camitta < 20 (V) was a manual count,
# and the corrected-percentage form needs a haematocrit we do not record.
CAMITTA_CELLULARITY_BELOW = 25.0
CAMITTA_CELLULARITY_WITH_RESIDUAL_BELOW = 50.0  # needs residual haematopoietic cells < 30%
CAMITTA_RESIDUAL_BELOW = 30.0  # residual haematopoietic cells, % (V)
CAMITTA_ANC_BELOW = 0.5
CAMITTA_PLATELETS_BELOW = 20.0
CAMITTA_RETICULOCYTES_BELOW = 60.0
# Very severe (Bacigalupo, V2): severe plus ANC < 0.2.
CAMITTA_VSAA_ANC_BELOW = 0.2


@dataclass(frozen=True, slots=True)
class Camitta:
    """A Camitta grade, or ``None`` with the inputs that would decide it."""

    grade: str | None
    needs: tuple[str, ...] = ()
    severe: bool | None = None  # severe or very severe; None while undecided


def camitta(
    *,
    marrow_cellularity: float | None,
    anc: float | None,
    platelets: float | None,
    reticulocytes: float | None,
    residual_haematopoietic_pct: float | None = None,
) -> Camitta:
    """Camitta severity (non-severe / severe / very severe) from marrow and blood counts.

    Counts are in 10^9/L, cellularity and the residual haematopoietic fraction in %. Severe
    needs a marrow of cellularity < 25%, or < 50% with < 30% residual haematopoietic cells,
    plus two of the three blood criteria. With cellularity 25-49% and no residual fraction the
    grade is undecided (and the fraction is what to collect), never silently "not severe".
    ``severe`` says whether the patient is severe *or* very severe even when the grade is
    undecided only for want of the ANC that separates the two.
    """
    marrow = _camitta_marrow(marrow_cellularity, residual_haematopoietic_pct)
    counts = {
        "anc": None if anc is None else anc < CAMITTA_ANC_BELOW,
        "platelets": None if platelets is None else platelets < CAMITTA_PLATELETS_BELOW,
        "reticulocytes": None
        if reticulocytes is None
        else reticulocytes < CAMITTA_RETICULOCYTES_BELOW,
    }
    met = sum(1 for v in counts.values() if v is True)
    open_ = [k for k, v in counts.items() if v is None]
    blood: bool | None = True if met >= 2 else (False if met + len(open_) < 2 else None)

    if marrow is False or blood is False:
        return Camitta(CAMITTA_NON_SEVERE, severe=False)
    if marrow is None or blood is None:
        needs = (_camitta_marrow_needs(marrow_cellularity) if marrow is None else []) + (
            open_ if blood is None else []
        )
        return Camitta(None, tuple(needs))
    if anc is None:
        return Camitta(None, ("anc",), severe=True)
    grade = CAMITTA_VERY_SEVERE if anc < CAMITTA_VSAA_ANC_BELOW else CAMITTA_SEVERE
    return Camitta(grade, severe=True)


def _camitta_marrow(cellularity: float | None, residual: float | None) -> bool | None:
    """Whether the marrow meets Camitta's severe criterion; None when it cannot be told."""
    if cellularity is None:
        return None
    if cellularity < CAMITTA_CELLULARITY_BELOW:
        return True
    if cellularity >= CAMITTA_CELLULARITY_WITH_RESIDUAL_BELOW:
        return False
    if residual is None:
        return None
    return residual < CAMITTA_RESIDUAL_BELOW


def _camitta_marrow_needs(cellularity: float | None) -> list[str]:
    return ["marrow_cellularity"] if cellularity is None else ["marrow_residual_haematopoietic_pct"]
