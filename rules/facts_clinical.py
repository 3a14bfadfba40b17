"""Compute functions for the patient, organ-function and disease-activity facts.

HCT-CI is in :mod:`rules.facts_hct_ci`, treatment history in :mod:`rules.facts_treatment`,
multiple sclerosis in :mod:`rules.facts_ms`, aplastic anaemia in :mod:`rules.facts_aa` and
the other diseases' checklists in :mod:`rules.facts_disease`. Every function is registered in
:data:`rules.facts.FACTS` by the ``@fact`` decorator and table-tested in tests/rules.
"""

from __future__ import annotations

from common.vocabulary import (
    DISEASE_GROUPS,
    MALIGNANCY_ACTIVE,
    MALIGNANCY_CODES,
    MALIGNANCY_NONE,
    MALIGNANCY_PAST,
    MS_SUBTYPES,
)

from . import scales
from .facts import (
    BOOL,
    CHOICE,
    CLINICAL_STATUS,
    DIRECT_FACTS,
    DISEASE_ACTIVITY,
    ECHO_LUNG,
    INPUT_BIRTH_DATE,
    INPUT_DIAGNOSIS,
    INPUT_DIAGNOSIS_DATE,
    INPUT_SUBTYPE,
    LABS,
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


@fact("age_years", NUMBER, "Age in completed years on the as-of date.", unit="years", label="Age")
def age_years(ctx: Context) -> FactValue:
    birth = ctx.record.birth_date
    if birth is None or birth > ctx.as_of:
        return FactValue(missing=(INPUT_BIRTH_DATE,))
    # Dated None: an age is as of the as-of date, not as of the birth date.
    return FactValue(scales.age_in_years(birth, ctx.as_of), None, OK)


@fact(
    "paediatric",
    BOOL,
    "Younger than 18 on the as-of date (EBMT paediatric rows).",
    label="Paediatric (under 18)",
)
def paediatric(ctx: Context) -> FactValue:
    age = ctx.get("age_years")
    if not age.known:
        return age._replace(value=None)
    return FactValue(scales.is_paediatric(age.value), None, OK)


@fact(
    "deceased",
    BOOL,
    "The record says the patient has died; deceased patients are not screened.",
    label="Deceased",
)
def deceased(ctx: Context) -> FactValue:
    return FactValue(bool(ctx.record.deceased), None, OK)


@fact("disease", CHOICE, "Disease group being screened.", choices=DISEASE_GROUPS, label="Disease")
def disease(ctx: Context) -> FactValue:
    if not ctx.record.disease:
        return FactValue(missing=(INPUT_DIAGNOSIS,))
    return FactValue(ctx.record.disease, ctx.record.diagnosis_date, OK)


@fact(
    "disease_subtype", CHOICE, "MS subtype: rr, sp or pp.", choices=MS_SUBTYPES, label="MS subtype"
)
def disease_subtype(ctx: Context) -> FactValue:
    if not ctx.record.disease_subtype:
        return FactValue(missing=(INPUT_SUBTYPE,))
    return FactValue(ctx.record.disease_subtype, ctx.record.diagnosis_date, OK)


@fact(
    "disease_duration_years",
    NUMBER,
    "Years since diagnosis on the as-of date.",
    unit="years",
    label="Disease duration",
)
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
    label="Indication category",
)


# --- Performance status and general health ------------------------------------------------


@fact(
    "kps",
    NUMBER,
    "Karnofsky performance status; ECOG mapped by scales.ECOG_TO_KPS when more recent.",
    unit="%",
    freshness=PERFORMANCE_STATUS,
    label="Karnofsky",
)
def kps(ctx: Context) -> FactValue:
    karnofsky = ctx.measure("karnofsky")
    ecog = ctx.measure("ecog")
    # Use the more recent of the two assessments; on a tie, the direct Karnofsky score. An
    # ECOG that is not a grade (1.5, 7) is not mapped: the engine never raises on a record.
    if ecog.on is not None and (karnofsky.on is None or ecog.on > karnofsky.on):
        try:
            mapped = scales.ecog_to_kps(ecog.value)
        except scales.ScaleError:
            return karnofsky if karnofsky.on is not None else FactValue(missing=("ecog",))
        return FactValue(
            mapped, ecog.on, ecog.status, ecog.missing, ecog.stale, f"from ECOG {ecog.value:g}"
        )
    if karnofsky.on is not None:
        return karnofsky
    return FactValue(missing=("karnofsky",))


def flag_fact(ctx: Context, item: str) -> FactValue:
    """A yes/no measurement stored as 1.0 / 0.0."""
    fv = ctx.measure(item)
    if fv.value is None:
        return fv
    return FactValue(fv.value >= 0.5, fv.on, fv.status, fv.missing, fv.stale)


@fact(
    "active_infection",
    BOOL,
    "Active infection recorded.",
    freshness=CLINICAL_STATUS,
    label="Active infection",
)
def active_infection(ctx: Context) -> FactValue:
    return flag_fact(ctx, "active_infection")


@fact(
    "pregnant",
    BOOL,
    "Currently pregnant. Taken as false for male patients without asking.",
    freshness=CLINICAL_STATUS,
    label="Pregnant",
)
def pregnant(ctx: Context) -> FactValue:
    fv = flag_fact(ctx, "pregnant")
    if fv.status == MISSING and ctx.record.sex == "male":
        return FactValue(False, None, OK, note="male")
    return fv


@fact(
    "matched_sibling_donor",
    BOOL,
    "An HLA-matched sibling donor is available.",
    label="Matched sibling donor available",
)
def matched_sibling_donor(ctx: Context) -> FactValue:
    return flag_fact(ctx, "matched_sibling_donor")


@fact(
    "malignancy",
    CHOICE,
    "Malignancy: none, past (treated) or active.",
    choices=(MALIGNANCY_NONE, MALIGNANCY_PAST, MALIGNANCY_ACTIVE),
    freshness=CLINICAL_STATUS,
    label="Malignancy",
)
def malignancy(ctx: Context) -> FactValue:
    fv = ctx.measure("malignancy")
    if fv.value is None:
        return fv
    status = MALIGNANCY_CODES.get(float(fv.value))
    if status is None:  # not one of the codes: treat as not recorded rather than guess
        return FactValue(missing=("malignancy",), note=f"unreadable code {fv.value:g}")
    return fv._replace(value=status)


@fact(
    "active_despite_standard_therapy",
    BOOL,
    "The clinician's assessment: disease active or progressive despite standard therapy.",
    freshness=DISEASE_ACTIVITY,
    label="Active or progressive despite standard therapy",
)
def active_despite_standard_therapy(ctx: Context) -> FactValue:
    return flag_fact(ctx, "active_despite_standard_therapy")


# --- Organ function -----------------------------------------------------------------------


def _direct(
    key: str, item: str, description: str, unit: str, window: str, label: str, places: int = -1
) -> None:
    """Register a fact that is one measurement as recorded."""
    fact(key, NUMBER, description, unit=unit, freshness=window, label=label, places=places)(
        lambda ctx: ctx.measure(item)
    )
    DIRECT_FACTS[key] = item


_direct("lvef_pct", "lvef", "Left ventricular ejection fraction.", "%", ECHO_LUNG, "LVEF")
_direct("dlco_pct", "dlco", "DLCO, % predicted.", "%", ECHO_LUNG, "DLCO")
_direct(
    "mpap_mmhg",
    "mpap",
    "Mean pulmonary arterial pressure at rest (RHC).",
    "mmHg",
    ECHO_LUNG,
    "mPAP at rest",
)
_direct(
    "pasp_mmhg",
    "pasp",
    "Pulmonary arterial systolic pressure at rest (echo).",
    "mmHg",
    ECHO_LUNG,
    "PASP at rest (echo)",
)
_direct(
    "creatinine_clearance_ml_min",
    "creatinine_clearance",
    "Creatinine clearance.",
    "mL/min",
    LABS,
    "Creatinine clearance",
)
_direct("crp_mg_l", "crp_mg_l", "C-reactive protein.", "mg/L", LABS, "CRP")
_direct("edss", "edss", "Expanded Disability Status Scale (0-10).", "", DISEASE_ACTIVITY, "EDSS", 1)
_direct(
    "new_mri_lesions_12m",
    "new_mri_lesions_12m",
    "New or enlarging T2 / Gd+ MRI lesions in the last 12 months.",
    "",
    DISEASE_ACTIVITY,
    "New T2 / Gd+ lesions in 12 months",
)
_direct("sledai_2k", "sledai_2k", "SLEDAI-2K (0-105).", "", DISEASE_ACTIVITY, "SLEDAI-2K")
_direct("mrss", "mrss", "Modified Rodnan skin score (0-51).", "", DISEASE_ACTIVITY, "mRSS")
_direct("cdai", "cdai", "Crohn's Disease Activity Index.", "", DISEASE_ACTIVITY, "CDAI")


def _ratio(ctx: Context, item: str, uln: str) -> FactValue:
    got = Inputs(ctx)
    return got.result(got.ratio(item, uln))


@fact(
    "bilirubin_x_uln",
    NUMBER,
    "Total bilirubin as a multiple of the upper limit of normal.",
    freshness=LABS,
    label="Bilirubin (× upper limit of normal)",
)
def bilirubin_x_uln(ctx: Context) -> FactValue:
    return _ratio(ctx, "bilirubin", "bilirubin_uln")


@fact(
    "alt_x_uln",
    NUMBER,
    "ALT as a multiple of the upper limit of normal.",
    freshness=LABS,
    label="ALT (× upper limit of normal)",
)
def alt_x_uln(ctx: Context) -> FactValue:
    return _ratio(ctx, "alt", "alt_uln")


@fact(
    "ast_x_uln",
    NUMBER,
    "AST as a multiple of the upper limit of normal.",
    freshness=LABS,
    label="AST (× upper limit of normal)",
)
def ast_x_uln(ctx: Context) -> FactValue:
    return _ratio(ctx, "ast", "ast_uln")


# --- Disease activity ---------------------------------------------------------------------


@fact(
    "ms_inflammatory_activity",
    BOOL,
    "MS: a relapse or a new MRI lesion in the last 12 months.",
    freshness=DISEASE_ACTIVITY,
    label="A relapse or a new MRI lesion in 12 months",
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
