"""Compute functions for the patient, organ-function and disease-activity facts.

Treatment-history facts and the aplastic anaemia pathway are in
:mod:`rules.facts_treatment`. Every function here is registered in :data:`rules.facts.FACTS`
by the ``@fact`` decorator and is table-tested in ``tests/rules/test_facts.py``.
"""

from __future__ import annotations

from functools import lru_cache

from common.vocabulary import COMORBIDITY_ITEMS, DISEASE_GROUPS, MS_SUBTYPES

from . import scales
from .facts import (
    AT_LEAST,
    BOOL,
    CHOICE,
    CLINICAL_STATUS,
    COMORBIDITY_PREFIX,
    DIRECT_FACTS,
    DISEASE_ACTIVITY,
    ECHO_LUNG,
    INPUT_BIRTH_DATE,
    INPUT_DIAGNOSIS,
    INPUT_DIAGNOSIS_DATE,
    INPUT_SUBTYPE,
    LABS,
    LIST,
    MISSING,
    NUMBER,
    OK,
    PERFORMANCE_STATUS,
    Context,
    FactValue,
    Inputs,
    fact,
)

# --- The patient ---------------------------------------------------------------------------


@fact("age_years", NUMBER, "Age in completed years on the as-of date.", unit="years")
def age_years(ctx: Context) -> FactValue:
    birth = ctx.record.birth_date
    if birth is None or birth > ctx.as_of:
        return FactValue(missing=(INPUT_BIRTH_DATE,))
    # Dated None: an age is as of the as-of date, not as of the birth date.
    return FactValue(scales.age_in_years(birth, ctx.as_of), None, OK)


@fact("paediatric", BOOL, "Younger than 18 on the as-of date (EBMT paediatric rows).")
def paediatric(ctx: Context) -> FactValue:
    age = ctx.get("age_years")
    if not age.known:
        return age._replace(value=None)
    return FactValue(scales.is_paediatric(age.value), None, OK)


@fact("deceased", BOOL, "The record says the patient has died; deceased patients are not screened.")
def deceased(ctx: Context) -> FactValue:
    return FactValue(bool(ctx.record.deceased), None, OK)


@fact("disease", CHOICE, "Disease group being screened.", choices=DISEASE_GROUPS)
def disease(ctx: Context) -> FactValue:
    if not ctx.record.disease:
        return FactValue(missing=(INPUT_DIAGNOSIS,))
    return FactValue(ctx.record.disease, ctx.record.diagnosis_date, OK)


@fact("disease_subtype", CHOICE, "MS subtype: rr, sp or pp.", choices=MS_SUBTYPES)
def disease_subtype(ctx: Context) -> FactValue:
    if not ctx.record.disease_subtype:
        return FactValue(missing=(INPUT_SUBTYPE,))
    return FactValue(ctx.record.disease_subtype, ctx.record.diagnosis_date, OK)


@fact("disease_duration_years", NUMBER, "Years since diagnosis on the as-of date.", unit="years")
def disease_duration_years(ctx: Context) -> FactValue:
    start = ctx.record.diagnosis_date
    if start is None or start > ctx.as_of:
        return FactValue(missing=(INPUT_DIAGNOSIS_DATE,))
    # 365.25-day years, unrounded: rounding 9.998 up to 10.0 would fail a "< 10 y" window.
    return FactValue((ctx.as_of - start).days / 365.25, start, OK)


# Supplied by the engine from the rule set's indication row, not from the record.
fact(
    "ebmt_category",
    CHOICE,
    "Indication category from the rule set (EBMT S/CO/D/GNR, or the BSH pathway for aa).",
    choices=("S", "CO", "D", "GNR", "pathway"),
)


# --- Performance status and general health ------------------------------------------------


@fact(
    "kps",
    NUMBER,
    "Karnofsky performance status; ECOG mapped by scales.ECOG_TO_KPS when more recent.",
    unit="%",
    freshness=PERFORMANCE_STATUS,
)
def kps(ctx: Context) -> FactValue:
    karnofsky = ctx.measure("karnofsky")
    ecog = ctx.measure("ecog")
    # Use the more recent of the two assessments; on a tie, the direct Karnofsky score.
    if ecog.on is not None and (karnofsky.on is None or ecog.on > karnofsky.on):
        mapped = scales.ecog_to_kps(ecog.value)
        return FactValue(
            mapped, ecog.on, ecog.status, ecog.missing, ecog.stale, f"from ECOG {ecog.value:g}"
        )
    if karnofsky.on is not None:
        return karnofsky
    return FactValue(missing=("karnofsky",))


def _flag_fact(ctx: Context, item: str) -> FactValue:
    """A yes/no measurement stored as 1.0 / 0.0."""
    fv = ctx.measure(item)
    if fv.value is None:
        return fv
    return FactValue(fv.value >= 0.5, fv.on, fv.status, fv.missing, fv.stale)


@fact("active_infection", BOOL, "Active infection recorded.", freshness=CLINICAL_STATUS)
def active_infection(ctx: Context) -> FactValue:
    return _flag_fact(ctx, "active_infection")


@fact(
    "pregnant",
    BOOL,
    "Currently pregnant. Taken as false for male patients without asking.",
    freshness=CLINICAL_STATUS,
)
def pregnant(ctx: Context) -> FactValue:
    fv = _flag_fact(ctx, "pregnant")
    if fv.status == MISSING and ctx.record.sex == "male":
        return FactValue(False, None, OK, note="male")
    return fv


@fact("matched_sibling_donor", BOOL, "An HLA-matched sibling donor is available.")
def matched_sibling_donor(ctx: Context) -> FactValue:
    return _flag_fact(ctx, "matched_sibling_donor")


# --- Organ function -----------------------------------------------------------------------


def _direct(key: str, item: str, description: str, unit: str, window: str) -> None:
    """Register a fact that is one measurement as recorded."""
    fact(key, NUMBER, description, unit=unit, freshness=window)(lambda ctx: ctx.measure(item))
    DIRECT_FACTS[key] = item


_direct("lvef_pct", "lvef", "Left ventricular ejection fraction.", "%", ECHO_LUNG)
_direct("dlco_pct", "dlco", "DLCO, % predicted.", "%", ECHO_LUNG)
_direct("mpap_mmhg", "mpap", "Mean pulmonary arterial pressure at rest (RHC).", "mmHg", ECHO_LUNG)
_direct(
    "pasp_mmhg", "pasp", "Pulmonary arterial systolic pressure at rest (echo).", "mmHg", ECHO_LUNG
)
_direct(
    "creatinine_clearance_ml_min", "creatinine_clearance", "Creatinine clearance.", "mL/min", LABS
)
_direct("crp_mg_l", "crp_mg_l", "C-reactive protein.", "mg/L", LABS)
_direct("edss", "edss", "Expanded Disability Status Scale (0-10).", "", DISEASE_ACTIVITY)
_direct("relapses_12m", "relapses_12m", "MS relapses in the last 12 months.", "", DISEASE_ACTIVITY)
_direct("relapses_24m", "relapses_24m", "MS relapses in the last 24 months.", "", DISEASE_ACTIVITY)
_direct(
    "new_mri_lesions_12m",
    "new_mri_lesions_12m",
    "New or enlarging T2 / Gd+ MRI lesions in the last 12 months.",
    "",
    DISEASE_ACTIVITY,
)
_direct("sledai_2k", "sledai_2k", "SLEDAI-2K (0-105).", "", DISEASE_ACTIVITY)
_direct("mrss", "mrss", "Modified Rodnan skin score (0-51).", "", DISEASE_ACTIVITY)
_direct("cdai", "cdai", "Crohn's Disease Activity Index.", "", DISEASE_ACTIVITY)


def _ratio(ctx: Context, item: str, uln: str) -> FactValue:
    got = Inputs(ctx)
    return got.result(got.ratio(item, uln))


@fact(
    "bilirubin_x_uln",
    NUMBER,
    "Total bilirubin as a multiple of the upper limit of normal.",
    freshness=LABS,
)
def bilirubin_x_uln(ctx: Context) -> FactValue:
    return _ratio(ctx, "bilirubin", "bilirubin_uln")


@fact("alt_x_uln", NUMBER, "ALT as a multiple of the upper limit of normal.", freshness=LABS)
def alt_x_uln(ctx: Context) -> FactValue:
    return _ratio(ctx, "alt", "alt_uln")


@fact("ast_x_uln", NUMBER, "AST as a multiple of the upper limit of normal.", freshness=LABS)
def ast_x_uln(ctx: Context) -> FactValue:
    return _ratio(ctx, "ast", "ast_uln")


# --- HCT-CI -------------------------------------------------------------------------------

# The inputs behind each HCT-CI item that can be unknown, so "data to collect" names them.
_C = COMORBIDITY_PREFIX
HCT_CI_ITEM_INPUTS: dict[str, tuple[str, ...]] = {
    "arrhythmia": (_C + "arrhythmia",),
    "cardiac": (_C + "cardiac", "lvef"),
    "ibd": (_C + "ibd",),
    "diabetes": (_C + "diabetes",),
    "cerebrovascular": (_C + "cerebrovascular",),
    "psychiatric": (_C + "psychiatric",),
    "obesity": ("bmi",),
    "infection": (_C + "infection", "active_infection"),
    "rheumatologic": (_C + "rheumatologic",),
    "peptic_ulcer": (_C + "peptic_ulcer",),
    "renal": (_C + "renal_dialysis_or_transplant", "creatinine"),
    "prior_solid_tumour": (_C + "prior_solid_tumour",),
    "heart_valve": (_C + "heart_valve_disease",),
    "hepatic": (
        _C + "chronic_hepatitis",
        _C + "cirrhosis",
        "bilirubin",
        "bilirubin_uln",
        "alt",
        "alt_uln",
        "ast",
        "ast_uln",
    ),
    "pulmonary": (
        _C + "dyspnoea_slight_activity",
        _C + "dyspnoea_at_rest_or_oxygen",
        "dlco",
        "fev1",
    ),
}


_HCT_CI_ITEMS = (
    "lvef",
    "bmi",
    "creatinine",
    "dlco",
    "fev1",
    "bilirubin",
    "bilirubin_uln",
    "alt",
    "alt_uln",
    "ast",
    "ast_uln",
)
_INFECTION = COMORBIDITY_ITEMS.index("infection")


def _over(value: float | None, limit: float | None) -> float | None:
    """A value as a multiple of its upper limit of normal (as Inputs.ratio)."""
    return None if value is None or limit is None or limit <= 0 else value / limit


_HCT_CI_LABS = (
    "lvef_pct",
    "bmi",
    "creatinine_mg_dl",
    "dlco_pct",
    "fev1_pct",
    "bilirubin_x_uln",
    "alt_x_uln",
    "ast_x_uln",
)
if scales.HctCiInputs._fields != ("disease", *COMORBIDITY_ITEMS, *_HCT_CI_LABS):
    # _hct_ci_result builds HctCiInputs positionally; fail loudly if the orders drift apart.
    raise ImportError("common.vocabulary.COMORBIDITY_ITEMS and scales.HctCiInputs are out of step")


def _hct_ci_result(ctx: Context) -> tuple[scales.HctCi, FactValue]:
    got = Inputs(ctx)
    comorb = ctx.record.comorbidities
    infection = comorb.get("infection")
    if infection is not True:
        # "Infection needing antimicrobials" (HCT-CI) is also true when an active infection
        # is recorded; a recorded "no active infection" does not settle the item alone.
        active = got.value("active_infection")
        infection = True if active is not None and active >= 0.5 else infection
    flags = [comorb.get(k) for k in COMORBIDITY_ITEMS]
    flags[_INFECTION] = infection
    lvef, bmi, creatinine, dlco, fev1, bili, bili_uln, alt, alt_uln, ast, ast_uln = got.values(
        _HCT_CI_ITEMS
    )
    # Positional, in HctCiInputs field order (checked at import above): this runs once per
    # evaluation and keyword construction of 25 fields is measurably slower.
    inputs = scales.HctCiInputs(
        ctx.record.disease,
        *flags,
        lvef,
        bmi,
        creatinine,
        dlco,
        fev1,
        _over(bili, bili_uln),
        _over(alt, alt_uln),
        _over(ast, ast_uln),
    )
    score = scales.hct_ci(inputs)
    if not score.unknown:
        return score, got.result(score.score, OK, report=())
    # Report as lacking only the inputs of the items that stayed unknown.
    relevant, fields = _hct_ci_gaps(score.unknown)
    got.missing.extend([name for name, k in fields if comorb.get(k) is None])
    return score, got.result(score.score, AT_LEAST, report=relevant)


@lru_cache(maxsize=4096)  # combinations of unknown items seen in practice are few
def _hct_ci_gaps(unknown: tuple[str, ...]) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    """The inputs behind unknown HCT-CI items, and the comorbidity fields among them
    (as pairs of the name reported and the record's key)."""
    relevant = [inp for item in unknown for inp in HCT_CI_ITEM_INPUTS[item]]
    fields = tuple((inp, inp[len(_C) :]) for inp in relevant if inp.startswith(_C))
    return frozenset(relevant), fields


@fact(
    "hct_ci",
    NUMBER,
    "HCT-CI (Sorror 2005); 'at least N' when some items could not be assessed.",
)
def hct_ci(ctx: Context) -> FactValue:
    return _hct_ci_result(ctx)[1]


@fact("hct_ci_items_unknown", LIST, "HCT-CI items that could not be assessed.")
def hct_ci_items_unknown(ctx: Context) -> FactValue:
    score, fv = _hct_ci_result(ctx)
    return FactValue(score.unknown, fv.on, OK)


@fact("hct_ci_age", NUMBER, "HCT-CI/age composite (Sorror 2014): HCT-CI + 1 from age 40.")
def hct_ci_age(ctx: Context) -> FactValue:
    score, age = ctx.get("hct_ci"), ctx.get("age_years")
    if not age.known:
        return age._replace(value=None)
    if score.value is None:
        return score
    return score._replace(value=scales.hct_ci_age(score.value, age.value))


# --- Disease activity ---------------------------------------------------------------------


@fact(
    "ms_inflammatory_activity",
    BOOL,
    "MS: a relapse or a new MRI lesion in the last 12 months.",
    freshness=DISEASE_ACTIVITY,
)
def ms_inflammatory_activity(ctx: Context) -> FactValue:
    # ECTRIMS/EBMT 2025 (V2) asks for "clinical and radiological evidence of inflammatory
    # activity" in progressive MS; the design reads it as relapse OR new lesions, as do
    # London (Gd+ or new T2 lesions alone) and EBMT 2000. Known false only if both are zero.
    got = Inputs(ctx)
    relapses, lesions = got.value("relapses_12m"), got.value("new_mri_lesions_12m")
    if (relapses or 0) >= 1 or (lesions or 0) >= 1:
        return got.result(True, report=())
    if relapses is None or lesions is None:
        return got.result(None)
    return got.result(False)


@fact(
    "ssc_organ_involvement",
    BOOL,
    "SSc: at least one visceral organ involved (lung, heart, kidney or GI).",
    freshness=DISEASE_ACTIVITY,
)
def ssc_organ_involvement(ctx: Context) -> FactValue:
    got = Inputs(ctx)
    organs = [got.value(i) for i in ("ssc_lung", "ssc_heart", "ssc_kidney", "ssc_gi")]
    if any(v is not None and v >= 0.5 for v in organs):
        return got.result(True, report=())
    if any(v is None for v in organs):
        return got.result(None)
    return got.result(False)


@fact(
    "camitta_severity",
    CHOICE,
    "Aplastic anaemia severity by Camitta (BSH automated reticulocyte cut-off).",
    choices=scales.CAMITTA_GRADES,
    freshness=LABS,
)
def camitta_severity(ctx: Context) -> FactValue:
    got = Inputs(ctx)
    grade = scales.camitta(
        marrow_cellularity=got.value("marrow_cellularity"),
        anc=got.value("anc"),
        platelets=got.value("platelets"),
        reticulocytes=got.value("reticulocytes"),
    )
    if grade.grade is None:
        return got.result(None, report=grade.needs)
    return got.result(grade.grade, report=())
