"""The rules engine: patient facts x compiled rule set x as-of date -> :class:`Result`.

Pure Python, no Django, no clock, no I/O: ``evaluate`` computes only the facts the rule set
reads for the patient's disease, applies each criterion and returns a result with a line per
criterion. It never saves anything. Deceased patients are not screened: ``evaluate`` raises
:class:`NotScreenable`, and the screening service should skip them.

This module is also the public face of ``rules``: the names in ``__all__`` are what Django
code (loader, admin, services, commands) should import from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from .compiler import CompiledRuleSet, Plan, compile_ruleset
from .facts import FACTS, OK, FactValue, compute_facts
from .facts_treatment import SAA_PATHWAYS, SAA_TRANSPLANT_PATHWAYS
from .record import PatientRecord
from .result import (
    MET,
    PATHWAY_EXPLANATION,
    PATHWAY_LABEL,
    Indication,
    Line,
    Reason,
    Result,
    render_text,
    sentence,
)
from .specs import (
    BANDS,
    CANDIDATE_LADDER,
    CATEGORIES,
    DISEASES,
    DOMAINS,
    EBMT_CATEGORIES,
    EVIDENCE,
    GATED_BANDS,
    INCOMPLETE,
    KINDS,
    NOT_INDICATED,
    OPERATORS,
    POSSIBLE,
    STRONG,
    TRANSPLANT_TYPES,
    TRIAL_ONLY,
    UNLIKELY,
    CriterionSpec,
    IndicationSpec,
    Problem,
    RuleSetError,
    RuleSetSpec,
)
from .tally import (
    STRONG_REQUIREMENTS_KEY,
    Gates,
    apply_criteria,
    to_collect,
    want_for_strong,
    weighted_score,
)

# The public API, re-exported so Django code needs one import. Vocabularies are the admin's
# choices; EBMT_CATEGORIES + SAA_PATHWAYS = CATEGORIES (pathways for aplastic anaemia only).
__all__ = [
    "BANDS",
    "CATEGORIES",
    "DECEASED_NOT_SCREENED",
    "DISEASES",
    "DOMAINS",
    "EBMT_CATEGORIES",
    "EVIDENCE",
    "FACTS",
    "KINDS",
    "OPERATORS",
    "SAA_PATHWAYS",
    "TRANSPLANT_TYPES",
    "CompiledRuleSet",
    "CriterionSpec",
    "FactValue",
    "IndicationSpec",
    "NotScreenable",
    "Problem",
    "Result",
    "RuleSetError",
    "RuleSetSpec",
    "compile_ruleset",
    "evaluate",
    "evaluate_facts",
    "render_text",
    "sentence",
]

DECEASED_NOT_SCREENED = "Deceased patients are not screened."
AS_OF_MUST_BE_DATE = "as_of must be a date (not a datetime): the engine never reads the clock."
_NO_FACT = FactValue()


class NotScreenable(Exception):
    """The patient cannot be screened at all (deceased); the caller should skip them."""


def evaluate(record: PatientRecord, ruleset: CompiledRuleSet | RuleSetSpec, as_of: date) -> Result:
    """Screen ``record`` against ``ruleset`` as of ``as_of``.

    Pass a :class:`CompiledRuleSet` (compile once per rule-set version; a spec is compiled
    on every call). Raises :class:`NotScreenable` for a deceased patient.
    """
    if isinstance(as_of, datetime) or not isinstance(as_of, date):
        raise TypeError(AS_OF_MUST_BE_DATE)
    if isinstance(ruleset, RuleSetSpec):
        ruleset = compile_ruleset(ruleset)
    if record.deceased:
        raise NotScreenable(DECEASED_NOT_SCREENED)
    subtype = record.disease_subtype if record.disease == "ms" else None
    plan = ruleset.plan(record.disease, subtype)
    facts = compute_facts(record, as_of, ruleset.freshness, only=plan.facts)
    return _evaluate(facts, ruleset, as_of, plan)


def _value(facts: Mapping[str, FactValue], key: str) -> Any:
    fv = facts.get(key, _NO_FACT)
    return fv.value if fv.status == OK else None


def evaluate_facts(facts: Mapping[str, FactValue], ruleset: CompiledRuleSet, as_of: date) -> Result:
    """Screen already-computed facts (see :func:`rules.facts.compute_facts`).

    Facts the rule set reads but ``facts`` lacks count as missing, never as zero.
    """
    if _value(facts, "deceased") is True:
        raise NotScreenable(DECEASED_NOT_SCREENED)
    disease = _value(facts, "disease")
    subtype = _value(facts, "disease_subtype") if disease == "ms" else None
    return _evaluate(dict(facts), ruleset, as_of, ruleset.plan(disease, subtype))


def _evaluate(
    facts: dict[str, FactValue], ruleset: CompiledRuleSet, as_of: date, plan: Plan
) -> Result:
    """The engine proper; ``facts`` is a dict of its own, which it completes and keeps.

    Four steps: the indication (or aplastic anaemia pathway) gate, the criteria, the domain
    scores and the weighted score with its upper figure, then the band.
    """
    disease = _value(facts, "disease")
    subtype = _value(facts, "disease_subtype") if disease == "ms" else None
    gates = Gates()
    indication, pathway = _gate_indication(facts, plan, disease, gates)
    applied = apply_criteria(facts, plan.criteria, gates)
    lines = applied.lines
    fractions, best = applied.tally.fractions()
    if pathway in SAA_TRANSPLANT_PATHWAYS and indication is not None:
        # BSH 2024: on a transplant pathway, no further failed treatment is asked for.
        fractions["failed_treatments"] = best["failed_treatments"] = 1.0
        lines.append(_pathway_line(indication, pathway))
    spec = ruleset.spec
    score = weighted_score(fractions, spec.domain_weights)
    upper = weighted_score(best, spec.domain_weights)
    wanted = applied.wanted
    gaps = want_for_strong(facts, wanted, STRONG_REQUIREMENTS_KEY) if not gates.gated() else []
    band = _band(gates, score, spec.band_thresholds, gaps)
    gated = band in GATED_BANDS
    return Result(
        band=band,
        score=None if gated else score,
        score_upper=None if gated else upper,
        reasons=tuple(gates.reasons),
        lines=tuple(lines),
        completeness=applied.evaluable / applied.applicable if applied.applicable else 1.0,
        to_collect=to_collect(wanted, applied.required),
        review_marks=tuple(applied.review),
        domain_scores=fractions,
        domain_upper=best,
        indication=None if indication is None else _indication(indication),
        ruleset_name=spec.name,
        ruleset_version=spec.version,
        as_of=as_of,
        disease=disease,
        disease_subtype=subtype,
        facts=facts,
    )


# --- Step 1: the indication gate ----------------------------------------------------------------


def _gate_indication(
    facts: dict[str, FactValue], plan: Plan, disease: str | None, gates: Gates
) -> tuple[IndicationSpec | None, str | None]:
    """The indication row that applies and, for aplastic anaemia, the BSH pathway.

    Gates the band when there is no indication (or it is GNR / D), and records the category
    (or the pathway) in ``facts`` as ``ebmt_category``.
    """
    age = facts.get("age_years", _NO_FACT)
    paediatric = _value(facts, "paediatric") is True
    rows = plan.paediatric_indications if paediatric else plan.adult_indications
    if disease is None or (not rows and not paediatric):
        # An EHR import brings many patients with no disease the rule set covers.
        gates.add(NOT_INDICATED, Reason("no_covered_disease"))
        return None, None
    if not age.known:
        gates.add(INCOMPLETE, Reason("age_unknown"))
        return None, None
    if not rows:
        gates.add(NOT_INDICATED, Reason("paediatric"))
        return None, None
    if rows[0].category in SAA_PATHWAYS:
        return _gate_pathway(facts, rows, gates)
    indication = rows[0]
    if indication.category == "GNR":
        gates.add(NOT_INDICATED, Reason("category_gnr"))
    elif indication.category == "D":
        gates.add(TRIAL_ONLY, Reason("category_d"))
    facts["ebmt_category"] = FactValue(indication.category, None, OK)
    return indication, None


def _gate_pathway(
    facts: dict[str, FactValue], rows: tuple[IndicationSpec, ...], gates: Gates
) -> tuple[IndicationSpec | None, str | None]:
    """Aplastic anaemia: the row for the patient's BSH pathway, if the rule set has one.

    Immunosuppression first, or not severe, is Unlikely at best; a transplant pathway the
    rule set has no row for is not indicated.
    """
    indication: IndicationSpec | None = None
    pathway: str | None = None
    fv = facts.get("saa_pathway", _NO_FACT)
    if fv.status != OK:
        gates.add(INCOMPLETE, Reason("pathway_unknown"))
    else:
        pathway = chosen = fv.value
        indication = next((r for r in rows if r.category == chosen), None)
        if chosen not in SAA_TRANSPLANT_PATHWAYS:
            gates.cap(UNLIKELY, Reason(chosen, band=UNLIKELY))
        elif indication is None:
            gates.add(NOT_INDICATED, Reason("no_covered_disease"))
    facts["ebmt_category"] = FactValue("pathway", None, OK, note=pathway or "")
    return indication, pathway


def _pathway_line(indication: IndicationSpec, pathway: str) -> Line:
    """The line that shows an aplastic anaemia transplant pathway meeting its indication."""
    pathway_criterion = CriterionSpec(
        key="saa_pathway",
        domain="failed_treatments",
        diseases=(indication.disease,),
        fact="saa_pathway",
        operator="in",
        thresholds=SAA_TRANSPLANT_PATHWAYS,
        kind="indication",
        label=PATHWAY_LABEL,
        explanation=PATHWAY_EXPLANATION,
        citation=indication.citation,
        evidence=indication.evidence,
    )
    return Line(pathway_criterion, pathway, None, OK, MET, 0.0, 0.0)


# --- Step 4: the band ---------------------------------------------------------------------------


def _band(gates: Gates, score: int, thresholds: Mapping[str, float], gaps: list[str]) -> str:
    """The gated band of highest precedence if any gate applies, else the band by score,
    capped by reviews and unmet core criteria, and kept off Strong by what Strong needs."""
    if gates.first:
        return next(b for b in BANDS if b in gates.first)
    if score >= thresholds["strong"]:
        band = STRONG
    elif score >= thresholds["possible"]:
        band = POSSIBLE
    else:
        band = UNLIKELY
        gates.reasons.append(Reason("score_below_possible", label=str(score)))
    allowed = gates.best_allowed()
    if CANDIDATE_LADDER.index(allowed) > CANDIDATE_LADDER.index(band):
        band = allowed
    if band == STRONG and gaps:
        band = POSSIBLE
        gates.reasons.append(Reason("strong_needs", label=", ".join(gaps), band=POSSIBLE))
    return band


def _indication(spec: IndicationSpec) -> Indication:
    return Indication(
        spec.disease, spec.transplant_type, spec.category, spec.citation, spec.evidence
    )
