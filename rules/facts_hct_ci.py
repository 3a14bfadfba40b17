"""Compute functions for HCT-CI (Sorror 2005) and HCT-CI/age (Sorror 2014).

The score itself is :func:`rules.scales.hct_ci`; here its inputs are gathered from the
record (comorbidity answers and measurements) and the items it could not assess are turned
into the inputs to collect. Registered in :data:`rules.facts.FACTS` by ``@fact`` and
table-tested in ``tests/rules/test_facts.py``.
"""

from __future__ import annotations

from functools import lru_cache

from common.vocabulary import COMORBIDITY_ITEMS

from . import scales
from .facts import AT_LEAST, COMORBIDITY_PREFIX, LIST, NUMBER, OK, Context, FactValue, Inputs, fact

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
    """HCT-CI and its fact, computed once per evaluation (three facts read it)."""
    found: tuple[scales.HctCi, FactValue] | None = ctx.scratch.get("hct_ci")
    if found is None:
        found = ctx.scratch["hct_ci"] = _compute_hct_ci(ctx)
    return found


def _compute_hct_ci(ctx: Context) -> tuple[scales.HctCi, FactValue]:
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
    # evaluation and keyword construction of 25 fields is measurably slower. _make also
    # checks the count.
    inputs = scales.HctCiInputs._make(
        (
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
    label="HCT-CI",
)
def hct_ci(ctx: Context) -> FactValue:
    return _hct_ci_result(ctx)[1]


@fact(
    "hct_ci_items_unknown",
    LIST,
    "HCT-CI items that could not be assessed.",
    label="HCT-CI items not assessed",
)
def hct_ci_items_unknown(ctx: Context) -> FactValue:
    score, fv = _hct_ci_result(ctx)
    # Known (a list, maybe empty), carrying the inputs that would settle the unknown items.
    return FactValue(score.unknown, fv.on, OK, fv.missing, fv.stale)


@fact(
    "hct_ci_age",
    NUMBER,
    "HCT-CI/age composite (Sorror 2014): HCT-CI + 1 from age 40.",
    label="HCT-CI/age",
)
def hct_ci_age(ctx: Context) -> FactValue:
    score, age = ctx.get("hct_ci"), ctx.get("age_years")
    if not age.known:
        return age._replace(value=None)
    if score.value is None:
        return score
    return score._replace(value=scales.hct_ci_age(score.value, age.value))


# HCT-CI items that restate the disease being treated (scoring-model.md, "Result"): shown in
# the HCT-CI but left out of its review cap, local policy: the index counts comorbidities, "a
# distinct additional clinical entity" to the index disease (Sorror 2005, V), and the
# disease's own organ limits (e.g. the SSc cardiopulmonary exclusions) judge that risk.
DISEASE_OWN_ITEMS: dict[str, tuple[str, ...]] = {
    "sle": ("rheumatologic",),
    "ra": ("rheumatologic",),
    "myositis": ("rheumatologic",),
    "crohns": ("ibd",),
    "ssc": ("pulmonary_moderate", "pulmonary_severe"),
}


@fact(
    "hct_ci_beyond_disease",
    NUMBER,
    "HCT-CI without the items that restate the disease itself (rheumatologic in SLE, RA and "
    "myositis; IBD in Crohn's; the lung in SSc).",
    label="HCT-CI besides the disease itself",
)
def hct_ci_beyond_disease(ctx: Context) -> FactValue:
    score, fv = _hct_ci_result(ctx)
    own = DISEASE_OWN_ITEMS.get(ctx.record.disease or "", ())
    if fv.value is None or not own:
        return fv
    taken = sum(score.points.get(item, 0) for item in own)
    return fv._replace(
        value=fv.value - taken,
        note=f"{taken} point(s) of the disease itself left out" if taken else fv.note,
    )
