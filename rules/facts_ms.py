"""Multiple sclerosis facts: relapses, MRI activity, disability and the DMT history.

ECTRIMS/EBMT 2025 (Muraro et al., EAN summary, V2) recommends autologous HSCT for highly
active relapsing MS "in whom at least one high-efficacy DMT has failed"; progressive MS only
"provided there is clinical and radiological evidence of inflammatory activity"; EDSS < 6.0,
"higher scores may be acceptable due to relapse in previous months"; first-line aHSCT for
"severe, rapidly evolving MS" only "within a clinical trial or research study". The facts
below turn the record into those questions. Relapses are placed inside DMT lines by date:
a relapse counts against a DMT only after its first three months (BEAT-MS, original
protocol, V2), so an early relapse is not blamed on a drug that had no time to work.
"""

from __future__ import annotations

from datetime import date, timedelta

from . import facts_clinical
from .facts import (
    BOOL,
    DISEASE_ACTIVITY,
    INPUT_RELAPSE_DATES,
    MISSING,
    NOT_APPLICABLE,
    NUMBER,
    OK,
    Context,
    FactValue,
    Inputs,
    fact,
)
from .facts_treatment import DAYS_PER_MONTH, NONE_RECORDED, history
from .record import TreatmentLine

# BEAT-MS (original protocol, V2): "each episode of treatment failure must occur following
# >= 3 months of treatment with an FDA-approved DMT ... or with rituximab".
MONTHS_BEFORE_A_DMT_IS_JUDGED = 3.0
MS_DMT_CLASSES = ("ms_dmt_lower", "ms_dmt_moderate", "ms_dmt_high")
# Anti-CD20 given off-label for MS counts as a DMT line, as in BEAT-MS.
MS_DMT_THERAPIES = ("rituximab",)
HIGH_EFFICACY_CLASS = "ms_dmt_high"
# London MS-AHSCT criteria (V2): progressive MS needs "a Gd+ lesion or >= 2 new T2 lesions in
# 12 months"; ECTRIMS/EBMT asks for clinical AND radiological activity but states no window
# (12 months here, as London and EBMT 2000 use).
PROGRESSIVE_NEW_T2_AT_LEAST = 2
# The EMA definition of rapidly evolving severe RRMS (natalizumab SmPC 4.1, V), used only when
# the clinician has not answered: >= 2 disabling relapses in one year and >= 1 Gd+ lesion.
RAPIDLY_EVOLVING_RELAPSES = 2
WINDOW_12M, WINDOW_24M = 365, 730


def _dated_relapses(ctx: Context, days: int) -> int:
    since = ctx.as_of - timedelta(days=days)
    return sum(1 for d in ctx.record.relapses if since < d <= ctx.as_of)


def _relapse_count(ctx: Context, item: str, days: int) -> FactValue:
    """The recorded count, or the dated relapses in the window when they show more.

    Dated relapses are taken when at least one falls in the window: an empty list cannot
    tell "none" from "not entered", so it never turns a missing count into a zero.
    """
    counted = ctx.measure(item)
    dated = _dated_relapses(ctx, days)
    if dated and (counted.status != OK or dated > counted.value):
        latest = max(d for d in ctx.record.relapses if d <= ctx.as_of)
        return FactValue(float(dated), latest, OK, note="from the relapse dates")
    return counted


@fact(
    "relapses_12m",
    NUMBER,
    "MS relapses in the last 12 months (the count recorded, or the relapse dates).",
    freshness=DISEASE_ACTIVITY,
    label="Relapses in the last 12 months",
)
def relapses_12m(ctx: Context) -> FactValue:
    return _relapse_count(ctx, "relapses_12m", WINDOW_12M)


@fact(
    "relapses_24m",
    NUMBER,
    "MS relapses in the last 24 months (the count recorded, or the relapse dates).",
    freshness=DISEASE_ACTIVITY,
    label="Relapses in the last 24 months",
)
def relapses_24m(ctx: Context) -> FactValue:
    return _relapse_count(ctx, "relapses_24m", WINDOW_24M)


def _lesions(ctx: Context) -> tuple[float | None, float | None, float | None, Inputs]:
    """New T2, Gd-enhancing and (rule set v1's) combined lesion counts in 12 months."""
    got = Inputs(ctx)
    t2, gd = got.value("new_t2_lesions_12m"), got.value("gd_lesions_12m")
    combined = got.value("new_mri_lesions_12m")
    return t2, gd, combined, got


@fact(
    "ms_mri_activity_12m",
    BOOL,
    "MS: a new T2 or Gd-enhancing lesion in the last 12 months.",
    freshness=DISEASE_ACTIVITY,
    label="New T2 or Gd-enhancing lesions in 12 months",
)
def ms_mri_activity_12m(ctx: Context) -> FactValue:
    t2, gd, combined, got = _lesions(ctx)
    if (t2 or 0) >= 1 or (gd or 0) >= 1 or (combined or 0) >= 1:
        return got.result(True, report=())
    if (t2 is not None and gd is not None) or combined == 0:
        return got.result(False, report=())
    return got.result(None, report=("new_t2_lesions_12m", "gd_lesions_12m"))


@fact(
    "ms_active_12m",
    BOOL,
    "MS: inflammatory activity, a relapse or a new T2 / Gd-enhancing lesion in the last 12 months.",
    freshness=DISEASE_ACTIVITY,
    label="A relapse or new MRI lesions in 12 months",
)
def ms_active_12m(ctx: Context) -> FactValue:
    got = Inputs(ctx)
    relapses = got.fact("relapses_12m")
    mri = got.fact("ms_mri_activity_12m")
    if (relapses or 0) >= 1 or mri is True:
        return got.result(True, report=())
    if relapses == 0 and mri is False:
        return got.result(False, report=())
    return got.result(None)


def _radiological_activity(ctx: Context) -> tuple[bool | None, Inputs]:
    """London: a Gd+ lesion or >= 2 new T2 lesions in 12 months."""
    t2, gd, combined, got = _lesions(ctx)
    if (gd or 0) >= 1 or (t2 or 0) >= PROGRESSIVE_NEW_T2_AT_LEAST:
        return True, got
    if combined is not None and combined >= PROGRESSIVE_NEW_T2_AT_LEAST:
        return True, got  # two lesions of either kind include a Gd+ one or two new T2 ones
    if gd == 0 and t2 is not None:
        return False, got
    if combined == 0:
        return False, got
    return None, got


@fact(
    "ms_progressive_activity",
    BOOL,
    "Progressive MS: a relapse AND MRI activity (a Gd+ lesion or 2 new T2 lesions) in 12 months.",
    freshness=DISEASE_ACTIVITY,
    label="A relapse and MRI activity in 12 months (progressive MS)",
)
def ms_progressive_activity(ctx: Context) -> FactValue:
    radiological, got = _radiological_activity(ctx)
    clinical = got.fact("relapses_12m")
    if clinical == 0 or radiological is False:
        return got.result(False, report=())
    if clinical is not None and clinical >= 1 and radiological is True:
        return got.result(True, report=())
    return got.result(None, report=("relapses_12m", "new_t2_lesions_12m", "gd_lesions_12m"))


def _dmt_lines(ctx: Context, *, high_efficacy: bool = False) -> list[TreatmentLine]:
    lines = history(ctx).lines
    if high_efficacy:
        return [t for t in lines if t.therapy_class == HIGH_EFFICACY_CLASS]
    return [t for t in lines if t.therapy_class in MS_DMT_CLASSES or t.therapy in MS_DMT_THERAPIES]


def _on_line_after_lag(day: date, line: TreatmentLine, as_of: date) -> bool:
    """Whether ``day`` falls inside ``line`` once its first three months have passed."""
    if line.start is None:
        return False  # an undated line cannot place a dated event
    judged_from = line.start + timedelta(days=round(MONTHS_BEFORE_A_DMT_IS_JUDGED * DAYS_PER_MONTH))
    end = line.end or as_of
    return judged_from <= day <= end


def _activity_on(ctx: Context, lines: list[TreatmentLine]) -> bool:
    """A relapse, or an MRI showing new lesions, dated inside one of ``lines`` after the lag."""
    days = [d for d in ctx.record.relapses if d <= ctx.as_of]
    for item in ("new_t2_lesions_12m", "gd_lesions_12m", "new_mri_lesions_12m"):
        m = ctx.measurements.get(item)
        if m is not None and m.value >= 1 and m.on <= ctx.as_of:
            days.append(m.on)
    return any(_on_line_after_lag(d, line, ctx.as_of) for d in days for line in lines)


@fact(
    "ms_relapse_on_dmt",
    BOOL,
    "MS: a relapse dated inside a DMT line, after its first three months (BEAT-MS).",
    label="Relapse on a DMT (after its first three months)",
)
def ms_relapse_on_dmt(ctx: Context) -> FactValue:
    lines = _dmt_lines(ctx)
    relapses = [d for d in ctx.record.relapses if d <= ctx.as_of]
    if any(_on_line_after_lag(d, line, ctx.as_of) for d in relapses for line in lines):
        return FactValue(True, None, OK)
    if relapses or not lines:
        return FactValue(False, None, OK, note="" if lines else NONE_RECORDED)
    count = ctx.get("relapses_24m")
    if count.status == OK and count.value == 0:
        return FactValue(False, None, OK)
    return FactValue(None, None, MISSING, (INPUT_RELAPSE_DATES,))


@fact(
    "ms_high_efficacy_dmt_failed",
    BOOL,
    "MS: a high-efficacy DMT failed (stopped for lack of effect or intolerance, or a relapse "
    "or new MRI lesion while on it).",
    label="High-efficacy DMT failed, or activity on it",
)
def ms_high_efficacy_dmt_failed(ctx: Context) -> FactValue:
    lines = _dmt_lines(ctx, high_efficacy=True)
    failed = [t for t in history(ctx).failed if t.therapy_class == HIGH_EFFICACY_CLASS]
    if failed:
        return FactValue(True, None, OK, note=", ".join(sorted({t.therapy for t in failed})))
    if _activity_on(ctx, lines):
        return FactValue(True, None, OK, note="activity on a high-efficacy DMT")
    note = "" if history(ctx).lines else NONE_RECORDED
    return FactValue(False, None, OK, note=note)


@fact(
    "ms_treatment_naive",
    BOOL,
    "MS: no disease-modifying therapy recorded.",
    label="Treatment-naive",
)
def ms_treatment_naive(ctx: Context) -> FactValue:
    return FactValue(not _dmt_lines(ctx), None, OK)


@fact(
    "ms_severe_rapidly_evolving",
    BOOL,
    "MS: severe, rapidly evolving disease (the clinician's judgement; else the EMA definition: "
    "2 relapses in a year and a Gd+ lesion).",
    freshness=DISEASE_ACTIVITY,
    label="Severe, rapidly evolving MS",
)
def ms_severe_rapidly_evolving(ctx: Context) -> FactValue:
    answer = facts_clinical.flag_fact(ctx, "ms_rapidly_evolving")
    if answer.status == OK:
        return answer._replace(note="clinician's judgement")
    got = Inputs(ctx)
    relapses, gd = got.fact("relapses_12m"), got.value("gd_lesions_12m")
    if relapses is not None and relapses < RAPIDLY_EVOLVING_RELAPSES:
        return got.result(False, note="EMA definition", report=())
    if relapses is not None and gd is not None:
        return got.result(gd >= 1, note="EMA definition", report=())
    return FactValue(None, None, MISSING, ("ms_rapidly_evolving",))


@fact(
    "ms_naive_rapidly_evolving",
    BOOL,
    "MS: treatment-naive and severe, rapidly evolving (aHSCT first line only within a trial).",
    label="Treatment-naive and severe, rapidly evolving",
)
def ms_naive_rapidly_evolving(ctx: Context) -> FactValue:
    if not ctx.get("ms_treatment_naive").value:
        return FactValue(False, None, OK, note="treated before")
    return ctx.get("ms_severe_rapidly_evolving")


@fact(
    "edss_relapse_raised",
    NUMBER,
    "EDSS when raised by a recent relapse (not applicable otherwise).",
    freshness=DISEASE_ACTIVITY,
    label="EDSS raised by a recent relapse",
    places=1,
)
def edss_relapse_raised(ctx: Context) -> FactValue:
    edss = ctx.get("edss_not_relapse_related")
    if edss.status == NOT_APPLICABLE:  # the EDSS *is* raised by a relapse
        return ctx.measure("edss")._replace(note="raised by a recent relapse")
    return FactValue(None, None, NOT_APPLICABLE) if edss.known or edss.value is not None else edss


@fact(
    "edss_not_relapse_related",
    NUMBER,
    "EDSS, unless raised by a recent relapse (then the disability limits do not apply).",
    freshness=DISEASE_ACTIVITY,
    label="EDSS not raised by a recent relapse",
    places=1,
)
def edss_not_relapse_related(ctx: Context) -> FactValue:
    edss = ctx.measure("edss")
    raised = facts_clinical.flag_fact(ctx, "edss_relapse_related")
    if edss.status == OK and raised.status == OK and raised.value is True:
        return FactValue(edss.value, edss.on, NOT_APPLICABLE, note="raised by a recent relapse")
    return edss
