"""Facts behind the other diseases' checklists: systemic sclerosis, Crohn's disease.

The rheumatic, neurological and gastrointestinal indications share the clinician's own
answer, "active or progressive despite standard therapy" (rules.facts_clinical), and the
treatment-history facts (rules.facts_treatment); what needs combining lives here.
"""

from __future__ import annotations

from . import facts_clinical
from .facts import BOOL, DISEASE_ACTIVITY, ECHO_LUNG, Context, FactValue, Inputs, fact

# EBMT 2025 rheumatic diseases, Table 5 (V): "mRSS > 15 plus >= 1 visceral organ
# manifestation, OR mRSS > 20 without visceral involvement but with inflammation (CRP > 10 mg/L)".
SSC_MRSS_WITH_ORGAN_ABOVE = 15
SSC_MRSS_WITH_CRP_ABOVE = 20
SSC_CRP_ABOVE = 10
# EBMT 2025 Table 5 (V): absolute contraindications to high-dose cyclophosphamide,
# "PASP > 40 mmHg at rest ... or mPAP > 25 mmHg at rest" (right heart catheter).
MPAP_ABOVE = 25
PASP_ABOVE = 40


@fact(
    "ssc_organ_involvement",
    BOOL,
    "SSc: at least one visceral organ involved (lung, heart, kidney or GI).",
    freshness=DISEASE_ACTIVITY,
    label="Internal organ involved (SSc)",
)
def ssc_organ_involvement(ctx: Context) -> FactValue:
    got = Inputs(ctx)
    organs = [got.value(i) for i in ("ssc_lung", "ssc_heart", "ssc_kidney", "ssc_gi")]
    if any(v is not None and v >= 0.5 for v in organs):
        return got.result(True, report=())
    if any(v is None for v in organs):
        return got.result(None)
    return got.result(False)


def _either(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued OR."""
    if a is True or b is True:
        return True
    if a is False and b is False:
        return False
    return None


def _both(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued AND."""
    if a is False or b is False:
        return False
    if a is True and b is True:
        return True
    return None


@fact(
    "ssc_ebmt_indication",
    BOOL,
    "SSc (EBMT 2025): mRSS above 15 with an internal organ involved, or above 20 with CRP above 10.",
    freshness=DISEASE_ACTIVITY,
    label="EBMT skin and organ criterion (SSc)",
)
def ssc_ebmt_indication(ctx: Context) -> FactValue:
    got = Inputs(ctx)
    mrss = got.value("mrss")
    organ = got.fact("ssc_organ_involvement")
    crp = got.value("crp_mg_l")
    skin_and_organ = _both(
        None if mrss is None else mrss > SSC_MRSS_WITH_ORGAN_ABOVE,
        organ,
    )
    skin_and_crp = _both(
        None if mrss is None else mrss > SSC_MRSS_WITH_CRP_ABOVE,
        None if crp is None else crp > SSC_CRP_ABOVE,
    )
    met = _either(skin_and_organ, skin_and_crp)
    if met is None:
        return got.result(None)
    return got.result(met, report=())


@fact(
    "ssc_pulmonary_hypertension",
    BOOL,
    "SSc: pulmonary pressure above the high-dose cyclophosphamide limit (mPAP > 25 mmHg on a "
    "right heart catheter, which decides when both exist; else echo PASP > 40 mmHg).",
    freshness=ECHO_LUNG,
    label="Pulmonary pressure above the cyclophosphamide limit",
)
def ssc_pulmonary_hypertension(ctx: Context) -> FactValue:
    catheter = ctx.measure("mpap")
    if catheter.known:
        return catheter._replace(value=catheter.value > MPAP_ABOVE, note="right heart catheter")
    echo = ctx.measure("pasp")
    if echo.known:
        return echo._replace(value=echo.value > PASP_ABOVE, note="echo PASP")
    missing = tuple(dict.fromkeys(catheter.missing + echo.missing))
    stale = tuple(dict.fromkeys(catheter.stale + echo.stale))
    return FactValue(None, None, "stale" if stale and not missing else "missing", missing, stale)


@fact(
    "surgery_not_an_option",
    BOOL,
    "Crohn's: refractory disease not amenable to surgery (ASTIC).",
    freshness=DISEASE_ACTIVITY,
    label="Surgery not an option",
)
def surgery_not_an_option(ctx: Context) -> FactValue:
    return facts_clinical.flag_fact(ctx, "surgery_not_an_option")
