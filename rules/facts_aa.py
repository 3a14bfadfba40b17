"""Aplastic anaemia: Camitta severity and the BSH 2024 treatment pathway.

Severe aplastic anaemia is treated with an allogeneic transplant by the BSH 2024 pathway (V2),
not the EBMT autoimmune table (scoring-model.md, "Severe aplastic anaemia"):
- first-line transplant: severe, an HLA-matched sibling donor, age < 40; from 40 to 50 the
  same is "individual evaluation" (BSH 2024), so a review caps it at Possible;
- transplant after immunosuppression: no response 6 months after a full course of horse ATG
  + ciclosporin; above 50 a review caps it at Possible;
- immunosuppression first: severe, no sibling donor (or one but older than 50), no failed
  course yet;
- not severe by Camitta.
The ages that route a patient are the pathway's own definition and live here with their
source; the review criteria on the age within a pathway are in the rule set.
"""

from __future__ import annotations

from . import facts_clinical, scales
from .facts import (
    BOOL,
    CHOICE,
    LABS,
    MARROW,
    NOT_APPLICABLE,
    NUMBER,
    Context,
    FactValue,
    Inputs,
    fact,
)
from .facts_treatment import SAA_PATHWAYS, any_failed

# BSH 2024 (V2): matched-sibling transplant first line below 40 ("age limit ... remains 40",
# Peffault de Latour 2013, V); 40-50 an individual decision; above 50 immunosuppression first.
SAA_FIRST_LINE_AGE_LIMIT = 50
FIRST_LINE, AFTER_IST, IST_FIRST, NOT_SEVERE = SAA_PATHWAYS


def _camitta(ctx: Context) -> tuple[scales.Camitta, Inputs]:
    got = Inputs(ctx)
    grade = scales.camitta(
        marrow_cellularity=got.value("marrow_cellularity"),
        anc=got.value("anc"),
        platelets=got.value("platelets"),
        reticulocytes=got.value("reticulocytes"),
        residual_haematopoietic_pct=got.value("marrow_residual_haematopoietic_pct"),
    )
    return grade, got


@fact(
    "camitta_severity",
    CHOICE,
    "Aplastic anaemia severity by Camitta (BSH automated reticulocyte cut-off).",
    choices=scales.CAMITTA_GRADES,
    freshness=LABS,
    label="Camitta severity",
)
def camitta_severity(ctx: Context) -> FactValue:
    grade, got = _camitta(ctx)
    if grade.grade is None:
        return got.result(None, report=grade.needs)
    return got.result(grade.grade, report=())


@fact(
    "saa_severe",
    BOOL,
    "Aplastic anaemia: severe or very severe by Camitta.",
    freshness=LABS,
    label="Severe aplastic anaemia (Camitta)",
)
def saa_severe(ctx: Context) -> FactValue:
    grade, got = _camitta(ctx)
    if grade.severe is None:
        return got.result(None, report=grade.needs)
    return got.result(grade.severe, report=())


@fact(
    "saa_pathway",
    CHOICE,
    "Aplastic anaemia pathway (BSH 2024): first_line_transplant, transplant_after_ist, "
    "ist_first or not_severe.",
    choices=SAA_PATHWAYS,
    label="Aplastic anaemia pathway",
)
def saa_pathway(ctx: Context) -> FactValue:
    got = Inputs(ctx)
    severe = got.fact("saa_severe")
    if severe is None:
        return got.result(None)
    if severe is False:
        return got.result(NOT_SEVERE, report=())
    if any_failed(ctx, "aa_ist").value:
        return got.result(AFTER_IST, report=())
    age = got.fact("age_years")
    donor = got.fact("matched_sibling_donor")
    if donor is True and age is not None and age <= SAA_FIRST_LINE_AGE_LIMIT:
        return got.result(FIRST_LINE, report=())
    if donor is False or (age is not None and age > SAA_FIRST_LINE_AGE_LIMIT):
        return got.result(IST_FIRST, report=())
    # Severe, 50 or under, no failed course: only the donor search can decide.
    return got.result(None)


def _age_on(ctx: Context, pathway: str) -> FactValue:
    """The age, for a patient on ``pathway``; not applicable on any other."""
    route = ctx.get("saa_pathway")
    if route.value != pathway:
        return FactValue(None, None, NOT_APPLICABLE) if route.known else route
    return ctx.get("age_years")


@fact(
    "saa_first_line_age",
    NUMBER,
    "Aplastic anaemia: the age of a patient on the first-line sibling transplant pathway.",
    unit="years",
    label="Age on the first-line sibling transplant pathway",
)
def saa_first_line_age(ctx: Context) -> FactValue:
    return _age_on(ctx, FIRST_LINE)


@fact(
    "saa_after_ist_age",
    NUMBER,
    "Aplastic anaemia: the age of a patient on the transplant-after-immunosuppression pathway.",
    unit="years",
    label="Age on the transplant-after-immunosuppression pathway",
)
def saa_after_ist_age(ctx: Context) -> FactValue:
    return _age_on(ctx, AFTER_IST)


# --- The work-up (BSH 2024: exclude PNH, hypoplastic MDS and inherited marrow failure) --------


@fact(
    "pnh_clone_pct",
    NUMBER,
    "PNH clone, % of granulocytes (0 if none).",
    unit="%",
    freshness=MARROW,
    label="PNH clone",
)
def pnh_clone_pct(ctx: Context) -> FactValue:
    return ctx.measure("pnh_clone_pct")


@fact(
    "abnormal_cytogenetics",
    BOOL,
    "Abnormal marrow cytogenetics.",
    freshness=MARROW,
    label="Abnormal cytogenetics",
)
def abnormal_cytogenetics(ctx: Context) -> FactValue:
    return facts_clinical.flag_fact(ctx, "abnormal_cytogenetics")


@fact(
    "inherited_marrow_failure",
    BOOL,
    "Inherited marrow failure screen positive.",
    label="Inherited marrow failure",
)
def inherited_marrow_failure(ctx: Context) -> FactValue:
    return facts_clinical.flag_fact(ctx, "inherited_marrow_failure")
