"""Treatment-history facts: failed lines by class and by therapy.

A line *failed* when its outcome is ``inadequate_response`` or ``intolerance`` and it had
ended (or been judged) by the as-of date. For an inadequate response the line must also have
lasted long enough to judge, where a source says how long (see
:data:`MIN_MONTHS_TO_JUDGE_RESPONSE`); intolerance counts at any duration. A line without a
start date is taken at the clinician's word. An empty treatment history means "none
recorded": counts are 0, with the note ``none recorded``, rather than not evaluable, because a
list cannot tell "not yet entered" from "never treated".
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from common.vocabulary import THERAPY_CLASSES

from .facts import BOOL, LIST, NUMBER, OK, Context, FactValue, fact
from .record import TreatmentLine

FAILED_OUTCOMES = ("inadequate_response", "intolerance")
DAYS_PER_MONTH = 30.4375
# Months on a therapy before "no response" means failure:
# MS DMTs: BEAT-MS, each failure after >= 3 months of an approved DMT (V2).
# Aplastic anaemia IST: no adequate response by 6 months after hATG + ciclosporin (BSH 2024, V2).
MIN_MONTHS_TO_JUDGE_RESPONSE = {
    "ms_dmt_lower": 3.0,
    "ms_dmt_moderate": 3.0,
    "ms_dmt_high": 3.0,
    "aa_ist": 6.0,
}
# Steroids are bridging or background therapy; they are counted on their own
# (Crohn's, ASTIC: ">= 3 immunosuppressive or biologic agents plus corticosteroids").
NOT_A_LINE = ("corticosteroid",)
IMMUNOSUPPRESSIVE_CLASSES = ("immunosuppressant", "biologic", "jak_inhibitor")
NONE_RECORDED = "none recorded"

# The aplastic anaemia pathways (BSH 2024), computed in rules.facts_aa; named here because
# the rule set's vocabulary (rules.specs) offers them as indication categories.
SAA_PATHWAYS = ("first_line_transplant", "transplant_after_ist", "ist_first", "not_severe")
SAA_TRANSPLANT_PATHWAYS = ("first_line_transplant", "transplant_after_ist")


def line_months(line: TreatmentLine, as_of: date) -> float | None:
    """Months on a line up to its end or ``as_of``, whichever is first; None without a start."""
    if line.start is None:
        return None
    end = line.end if line.end is not None and line.end < as_of else as_of
    return max(0.0, (end - line.start).days / DAYS_PER_MONTH)


def line_failed(line: TreatmentLine, as_of: date) -> bool:
    """Whether ``line`` counts as a failed line on ``as_of`` (see the module docstring)."""
    if line.outcome not in FAILED_OUTCOMES:
        return False
    if line.end is not None and line.end > as_of:
        return False  # on the as-of date the line was still running
    if line.outcome == "intolerance":
        return True
    months = line_months(line, as_of)
    needed = MIN_MONTHS_TO_JUDGE_RESPONSE.get(line.therapy_class, 0.0)
    return months is None or months >= needed


class _History(NamedTuple):
    lines: tuple[TreatmentLine, ...]  # started by the as-of date (or undated)
    failed: tuple[TreatmentLine, ...]


def history(ctx: Context) -> _History:
    """Lines and failed lines on the as-of date, computed once per evaluation."""
    found = ctx.scratch.get("treatment_history")
    if found is None:
        lines = tuple(t for t in ctx.record.treatments if t.start is None or t.start <= ctx.as_of)
        found = _History(lines, tuple(t for t in lines if line_failed(t, ctx.as_of)))
        ctx.scratch["treatment_history"] = found
    return found


def _lines(ctx: Context) -> tuple[TreatmentLine, ...]:
    return history(ctx).lines


def _failed(ctx: Context, classes: tuple[str, ...] | None = None) -> list[TreatmentLine]:
    failed = history(ctx).failed
    return list(failed) if classes is None else [t for t in failed if t.therapy_class in classes]


def _latest(lines: list[TreatmentLine]) -> date | None:
    dates = [d for t in lines for d in (t.start, t.end) if d is not None]
    return max(dates) if dates else None


def _count(ctx: Context, classes: tuple[str, ...]) -> FactValue:
    failed = _failed(ctx, classes)
    therapies = {t.therapy for t in failed}  # a therapy retried counts once
    note = "" if _lines(ctx) else NONE_RECORDED
    return FactValue(len(therapies), _latest(failed), OK, note=note)


_LINE_CLASSES = tuple(c for c in THERAPY_CLASSES if c not in NOT_A_LINE)


@fact(
    "failed_lines",
    NUMBER,
    "Distinct therapies failed (inadequate response or intolerance), steroids aside.",
    label="Therapies failed",
)
def failed_lines(ctx: Context) -> FactValue:
    return _count(ctx, _LINE_CLASSES)


@fact(
    "failed_immunosuppressive_lines",
    NUMBER,
    "Distinct immunosuppressants, biologics or JAK inhibitors failed.",
    label="Immunosuppressants, biologics or JAK inhibitors failed",
)
def failed_immunosuppressive_lines(ctx: Context) -> FactValue:
    return _count(ctx, IMMUNOSUPPRESSIVE_CLASSES)


@fact(
    "failed_line_classes",
    LIST,
    "Therapy classes with at least one failed line.",
    choices=THERAPY_CLASSES,
    label="Classes of therapy failed",
)
def failed_line_classes(ctx: Context) -> FactValue:
    failed = _failed(ctx)
    classes = tuple(c for c in THERAPY_CLASSES if any(t.therapy_class == c for t in failed))
    return FactValue(classes, _latest(failed), OK, note="" if _lines(ctx) else NONE_RECORDED)


def any_failed(ctx: Context, cls: str) -> FactValue:
    failed = _failed(ctx, (cls,))
    return FactValue(bool(failed), _latest(failed), OK, note="" if _lines(ctx) else NONE_RECORDED)


@fact(
    "failed_high_efficacy_dmt",
    BOOL,
    "MS: a high-efficacy DMT failed (natalizumab, anti-CD20, ...).",
    label="High-efficacy DMT stopped as failed",
)
def failed_high_efficacy_dmt(ctx: Context) -> FactValue:
    return any_failed(ctx, "ms_dmt_high")


@fact(
    "failed_corticosteroids",
    BOOL,
    "A corticosteroid course failed.",
    label="Corticosteroids failed",
)
def failed_corticosteroids(ctx: Context) -> FactValue:
    return any_failed(ctx, "corticosteroid")


@fact(
    "failed_aa_ist",
    BOOL,
    "Aplastic anaemia: no response 6 months after immunosuppression (hATG + ciclosporin).",
    label="Immunosuppression failed (aplastic anaemia)",
)
def failed_aa_ist(ctx: Context) -> FactValue:
    return any_failed(ctx, "aa_ist")


@fact(
    "months_on_first_line",
    NUMBER,
    "Months on the first recorded disease-modifying line (steroids aside), to its end or the as-of date.",
    unit="months",
    label="Time on the first line of therapy",
)
def months_on_first_line(ctx: Context) -> FactValue:
    lines = [t for t in _lines(ctx) if t.therapy_class in _LINE_CLASSES and t.start is not None]
    if not lines:
        return FactValue(0.0, None, OK, note=NONE_RECORDED)
    first = min(lines, key=lambda t: (t.start, t.therapy))
    return FactValue(line_months(first, ctx.as_of) or 0.0, first.start, OK, note=first.therapy)


# EBMT 2025 (rheumatic diseases, Table 2, V): "active or progressive despite standard therapy";
# the design (scoring-model.md) reads a failed antimalarial alone as no failed line: it is
# background therapy in SLE, not the step before transplant.
ANTIMALARIALS = ("hydroxychloroquine", "chloroquine")
# NMOSD: the targeted therapies (NEMOS recommendations; the list as a required set is
# UNVERIFIED: ECTRIMS/EBMT 2025 says "otherwise unresponsive NMOSD" without naming drugs).
NMOSD_TARGETED_THERAPIES = (
    "rituximab",
    "eculizumab",
    "ravulizumab",
    "inebilizumab",
    "satralizumab",
)
# CIDP: standard immunotherapy (criteria-sources.md section 5, UNVERIFIED).
IVIG, PLASMA_EXCHANGE = "ivig", "plasma_exchange"
# SSc (EBMT 2025 Table 5, V): "sustained disease activity after 6 months of first-line
# therapy, or intolerance of it".
SSC_FIRST_LINE_MONTHS = 6.0


@fact(
    "failed_lines_beyond_antimalarials",
    NUMBER,
    "Distinct therapies failed, steroids and antimalarials (hydroxychloroquine) aside.",
    label="Therapies failed beyond antimalarials",
)
def failed_lines_beyond_antimalarials(ctx: Context) -> FactValue:
    failed = [t for t in _failed(ctx, _LINE_CLASSES) if t.therapy not in ANTIMALARIALS]
    note = "" if _lines(ctx) else NONE_RECORDED
    return FactValue(len({t.therapy for t in failed}), _latest(failed), OK, note=note)


@fact(
    "failed_nmosd_targeted_therapy",
    BOOL,
    "NMOSD: a targeted therapy failed (rituximab, eculizumab, ravulizumab, inebilizumab, satralizumab).",
    label="NMOSD targeted therapy failed",
)
def failed_nmosd_targeted_therapy(ctx: Context) -> FactValue:
    failed = [t for t in _failed(ctx) if t.therapy in NMOSD_TARGETED_THERAPIES]
    note = ", ".join(sorted({t.therapy for t in failed})) or ("" if _lines(ctx) else NONE_RECORDED)
    return FactValue(bool(failed), _latest(failed), OK, note=note)


@fact(
    "cidp_refractory",
    BOOL,
    "CIDP: IVIg, corticosteroids and plasma exchange have each failed.",
    label="Refractory to IVIg, corticosteroids and plasma exchange",
)
def cidp_refractory(ctx: Context) -> FactValue:
    failed = _failed(ctx)
    ivig = any(t.therapy == IVIG for t in failed)
    steroid = any(t.therapy_class == "corticosteroid" for t in failed)
    plex = any(t.therapy == PLASMA_EXCHANGE for t in failed)
    missing = [
        name
        for name, done in (("IVIg", ivig), ("corticosteroids", steroid), ("plasma exchange", plex))
        if not done
    ]
    note = "not yet failed: " + ", ".join(missing) if missing else ""
    return FactValue(not missing, _latest(failed), OK, note=note)


@fact(
    "ssc_first_line_failed",
    BOOL,
    "SSc: a first-line therapy failed after 6 months (or was not tolerated).",
    label="First-line therapy failed (SSc)",
)
def ssc_first_line_failed(ctx: Context) -> FactValue:
    def judged(t: TreatmentLine) -> bool:
        months = line_months(t, ctx.as_of)
        return t.outcome == "intolerance" or months is None or months >= SSC_FIRST_LINE_MONTHS

    failed = [t for t in _failed(ctx, _LINE_CLASSES) if judged(t)]
    note = "" if _lines(ctx) else NONE_RECORDED
    return FactValue(bool(failed), _latest(failed), OK, note=note)
