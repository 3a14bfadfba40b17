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
from math import floor
from typing import Any, NamedTuple

from .compiler import Compiled, CompiledRuleSet, Plan, compile_ruleset, outcome_of
from .facts import FACTS, MISSING, OK, FactValue, compute_facts
from .facts_treatment import SAA_PATHWAYS, SAA_TRANSPLANT_PATHWAYS
from .record import PatientRecord
from .result import (
    MET,
    NOT_EVALUABLE,
    NOT_MET,
    PATHWAY_EXPLANATION,
    PATHWAY_LABEL,
    Indication,
    Line,
    Reason,
    Result,
    ToCollect,
    render_text,
    sentence,
)
from .specs import (
    BANDS,
    CATEGORIES,
    DISEASES,
    DOMAINS,
    EBMT_CATEGORIES,
    EVIDENCE,
    EXCLUDED,
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
# tuple.__new__ builds a NamedTuple from a complete tuple without the generated __new__'s
# argument handling: about twice as fast, and the engine makes one Line per criterion.
_new = tuple.__new__


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
    scores and the weighted score, then the band.
    """
    disease = _value(facts, "disease")
    subtype = _value(facts, "disease_subtype") if disease == "ms" else None
    gates = _Gates()
    indication, pathway = _gate_indication(facts, plan, disease, gates)
    applied = _apply_criteria(facts, plan.criteria, gates)
    lines = applied.lines
    domain_scores = _domain_scores(applied.met_points, applied.possible)
    if pathway in SAA_TRANSPLANT_PATHWAYS and indication is not None:
        # BSH 2024: on a transplant pathway, no further failed treatment is asked for.
        domain_scores["failed_treatments"] = 1.0
        lines.append(_pathway_line(indication, pathway))
    spec = ruleset.spec
    score = _weighted_score(domain_scores, spec.domain_weights)
    applicable = len(plan.criteria)
    return Result(
        band=_band(gates, score, spec.band_thresholds),
        score=score,
        reasons=tuple(gates.reasons),
        lines=tuple(lines),
        completeness=applied.evaluable / applicable if applicable else 1.0,
        to_collect=_to_collect(applied.wanted, applied.required),
        review_marks=tuple(applied.review),
        domain_scores=domain_scores,
        indication=None if indication is None else _indication(indication),
        ruleset_name=spec.name,
        ruleset_version=spec.version,
        as_of=as_of,
        disease=disease,
        disease_subtype=subtype,
        facts=facts,
    )


class _Gates:
    """The bands that gates and criteria force, each with the first reason for it."""

    __slots__ = ("first", "reasons")

    def __init__(self) -> None:
        self.first: dict[str, Reason] = {}  # band -> first reason for it
        self.reasons: list[Reason] = []

    def add(self, band: str, reason: Reason) -> None:
        self.first.setdefault(band, reason)
        self.reasons.append(reason)


# --- Step 1: the indication gate ----------------------------------------------------------------


def _gate_indication(
    facts: dict[str, FactValue], plan: Plan, disease: str | None, gates: _Gates
) -> tuple[IndicationSpec | None, str | None]:
    """The indication row that applies and, for aplastic anaemia, the BSH pathway.

    Gates the band when there is no indication (or it is GNR / D), and records the category
    (or the pathway) in ``facts`` as ``ebmt_category``.
    """
    paediatric = _value(facts, "paediatric") is True
    rows = plan.paediatric_indications if paediatric else plan.adult_indications
    if disease is None:
        gates.add(INCOMPLETE, Reason("no_disease"))
        return None, None
    if not rows:
        gates.add(NOT_INDICATED, Reason("paediatric" if paediatric else "no_indication"))
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
    facts: dict[str, FactValue], rows: tuple[IndicationSpec, ...], gates: _Gates
) -> tuple[IndicationSpec | None, str | None]:
    """Aplastic anaemia: the row for the patient's BSH pathway, if the rule set has one."""
    indication: IndicationSpec | None = None
    pathway: str | None = None
    fv = facts.get("saa_pathway", _NO_FACT)
    if fv.status != OK:
        gates.add(INCOMPLETE, Reason("pathway_unknown"))
    else:
        pathway = chosen = fv.value
        indication = next((r for r in rows if r.category == chosen), None)
        if indication is None:
            code = chosen if chosen not in SAA_TRANSPLANT_PATHWAYS else "no_indication"
            gates.add(UNLIKELY, Reason(code))
    facts["ebmt_category"] = FactValue("pathway", None, OK, note=pathway or "")
    return indication, pathway


# --- Step 2: the criteria -----------------------------------------------------------------------


class _Applied(NamedTuple):
    """What applying the criteria gave: a line each, and the tallies the later steps need."""

    lines: list[Line]
    met_points: dict[str, float]  # domain -> points met
    possible: dict[str, float]  # domain -> points of the evaluable criteria
    review: list[str]  # keys of review criteria met
    wanted: dict[tuple[str, str], list[str]]  # (input, missing/stale) -> criterion keys
    required: set[tuple[str, str]]  # the inputs a required criterion wants
    evaluable: int


def _apply_criteria(
    facts: Mapping[str, FactValue], criteria: tuple[Compiled, ...], gates: _Gates
) -> _Applied:
    """Apply each criterion to its fact: a line each; exclusions and unmet indications gate."""
    lines: list[Line] = []
    met_points = {"severity": 0.0, "failed_treatments": 0.0, "overall_health": 0.0}
    possible = dict(met_points)
    review: list[str] = []
    wanted: dict[tuple[str, str], list[str]] = {}
    required: set[tuple[str, str]] = set()
    evaluable = 0
    append = lines.append
    for comp in criteria:  # the hot path: kept flat, with the common case inlined
        s = comp.spec
        fv = facts.get(s.fact, _NO_FACT)
        status = fv.status
        if status == OK:  # noqa: SIM108
            outcome = MET if comp.test(fv.value) else NOT_MET
        else:
            outcome = outcome_of(comp, fv)
        points = points_possible = 0.0
        if outcome == NOT_EVALUABLE:
            missing = fv.missing or ((s.fact,) if status == MISSING else ())
            for reason, items in (("missing", missing), ("stale", fv.stale)):
                for item in items:
                    keys = wanted.get((item, reason))
                    if keys is None:
                        keys = wanted[(item, reason)] = []
                    keys.append(s.key)
                    if s.required:
                        required.add((item, reason))
            if s.required:
                gates.add(INCOMPLETE, Reason("required_missing", s.key, s.label))
        else:
            evaluable += 1
            kind = s.kind
            if kind == "points":
                points_possible = s.points
                possible[s.domain] += points_possible
                if outcome == MET:
                    points = points_possible
                    met_points[s.domain] += points
            elif kind == "exclusion":
                if outcome == MET:
                    gates.add(EXCLUDED, Reason("excluded", s.key, s.label))
            elif kind == "indication":
                if outcome == NOT_MET:
                    gates.add(NOT_INDICATED, Reason("indication_not_met", s.key, s.label))
            elif outcome == MET:  # review
                review.append(s.key)
        append(_new(Line, (s, fv.value, fv.on, status, outcome, points, points_possible, fv.note)))
    return _new(_Applied, (lines, met_points, possible, review, wanted, required, evaluable))


def _to_collect(
    wanted: Mapping[tuple[str, str], list[str]], required: set[tuple[str, str]]
) -> tuple[ToCollect, ...]:
    """The data to collect: required first, then by name (a stable order to store and show)."""
    if not wanted:
        return ()
    return tuple(
        sorted(
            [
                ToCollect(item, reason, (item, reason) in required, tuple(keys))
                for (item, reason), keys in wanted.items()
            ],
            key=lambda t: (not t.required, t.item, t.reason),
        )
    )


# --- Step 3: the domain scores and the weighted score -------------------------------------------


def _domain_scores(
    met_points: Mapping[str, float], possible: Mapping[str, float]
) -> dict[str, float | None]:
    """Each domain's fraction of its evaluable points; None when it has nothing to score."""
    scores: dict[str, float | None] = {}
    for d in DOMAINS:
        scores[d] = met_points[d] / possible[d] if possible[d] else None
    return scores


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


def _weighted_score(domain_scores: Mapping[str, float | None], weights: Mapping[str, float]) -> int:
    """0-100: the domains' fractions weighted by the rule set, rounded half up."""
    weighted = total_weight = 0.0
    for d, fraction in domain_scores.items():
        if fraction is not None:  # a domain with nothing to score is left out, not zero
            weighted += weights[d] * fraction
            total_weight += weights[d]
    return int(floor(weighted / total_weight * 100 + 0.5)) if total_weight else 0


# --- Step 4: the band ---------------------------------------------------------------------------


def _band(gates: _Gates, score: int, thresholds: Mapping[str, float]) -> str:
    """The gated band of highest precedence if any gate applies, else the band by score."""
    if gates.first:
        return next(b for b in BANDS if b in gates.first)
    if score >= thresholds["strong"]:
        return STRONG
    return POSSIBLE if score >= thresholds["possible"] else UNLIKELY


def _indication(spec: IndicationSpec) -> Indication:
    return Indication(
        spec.disease, spec.transplant_type, spec.category, spec.citation, spec.evidence
    )
