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

from .compiler import Compiled, CompiledRuleSet, Plan, compile_ruleset
from .facts import AT_LEAST, FACTS, MISSING, OK, FactValue, compute_facts
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


def _value(facts: Mapping[str, FactValue], key: str):
    fv = facts.get(key, _NO_FACT)
    return fv.value if fv.status == OK else None


def _outcome(comp: Compiled, fv: FactValue) -> str:
    if fv.status == OK:
        return MET if comp.test(fv.value) else NOT_MET
    if fv.status == AT_LEAST:
        # The true value is at least fv.value: decide only when that is enough.
        passes = comp.test(fv.value)
        if comp.at_least == "up" and passes:
            return MET
        if comp.at_least == "down" and not passes:
            return NOT_MET
        if comp.at_least == "range" and fv.value > comp.high:
            return NOT_MET
    return NOT_EVALUABLE


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
    """The engine proper; ``facts`` is a dict of its own, which it completes and keeps."""
    disease = _value(facts, "disease")
    subtype = _value(facts, "disease_subtype") if disease == "ms" else None
    paediatric = _value(facts, "paediatric") is True
    rows = plan.paediatric_indications if paediatric else plan.adult_indications

    gates: dict[str, Reason] = {}  # band -> first reason for it
    reasons: list[Reason] = []

    def gate(band: str, reason: Reason) -> None:
        gates.setdefault(band, reason)
        reasons.append(reason)

    indication: IndicationSpec | None = None
    pathway: str | None = None
    if disease is None:
        gate(INCOMPLETE, Reason("no_disease"))
    elif not rows:
        gate(NOT_INDICATED, Reason("paediatric" if paediatric else "no_indication"))
    elif rows[0].category in SAA_PATHWAYS:
        fv = facts.get("saa_pathway", _NO_FACT)
        if fv.status != OK:
            gate(INCOMPLETE, Reason("pathway_unknown"))
        else:
            pathway = fv.value
            indication = next((r for r in rows if r.category == pathway), None)
            if indication is None:
                code = pathway if pathway not in SAA_TRANSPLANT_PATHWAYS else "no_indication"
                gate(UNLIKELY, Reason(code))
        facts["ebmt_category"] = FactValue("pathway", None, OK, note=pathway or "")
    else:
        indication = rows[0]
        if indication.category == "GNR":
            gate(NOT_INDICATED, Reason("category_gnr"))
        elif indication.category == "D":
            gate(TRIAL_ONLY, Reason("category_d"))
        facts["ebmt_category"] = FactValue(indication.category, None, OK)

    lines: list[Line] = []
    met_points = {"severity": 0.0, "failed_treatments": 0.0, "overall_health": 0.0}
    possible = dict(met_points)
    review: list[str] = []
    collect: dict[tuple[str, str], list] = {}  # (item, reason) -> [required, criterion keys]
    evaluable = 0
    append = lines.append
    for comp in plan.criteria:
        s = comp.spec
        fv = facts.get(s.fact, _NO_FACT)
        status = fv.status
        if status == OK:  # noqa: SIM108  (the common case, inlined: this loop is the hot path)
            outcome = MET if comp.test(fv.value) else NOT_MET
        else:
            outcome = _outcome(comp, fv)
        points = points_possible = 0.0
        if outcome == NOT_EVALUABLE:
            missing = fv.missing or ((s.fact,) if status == MISSING else ())
            for reason, items in (("missing", missing), ("stale", fv.stale)):
                for item in items:
                    entry = collect.get((item, reason))
                    if entry is None:
                        entry = collect[(item, reason)] = [False, []]
                    entry[1].append(s.key)
                    if s.required:
                        entry[0] = True
            if s.required:
                gate(INCOMPLETE, Reason("required_missing", s.key, s.label))
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
                    gate(EXCLUDED, Reason("excluded", s.key, s.label))
            elif kind == "indication":
                if outcome == NOT_MET:
                    gate(NOT_INDICATED, Reason("indication_not_met", s.key, s.label))
            elif outcome == MET:  # review
                review.append(s.key)
        append(_new(Line, (s, fv.value, fv.on, status, outcome, points, points_possible, fv.note)))

    domain_scores: dict[str, float | None] = {}
    for d in DOMAINS:
        domain_scores[d] = met_points[d] / possible[d] if possible[d] else None
    if pathway in SAA_TRANSPLANT_PATHWAYS and indication is not None:
        # BSH 2024: on a transplant pathway, no further failed treatment is asked for.
        domain_scores["failed_treatments"] = 1.0
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
        lines.append(Line(pathway_criterion, pathway, None, OK, MET, 0.0, 0.0))

    weights = ruleset.spec.domain_weights
    weighted = total_weight = 0.0
    for d, fraction in domain_scores.items():
        if fraction is not None:  # a domain with nothing to score is left out, not zero
            weighted += weights[d] * fraction
            total_weight += weights[d]
    score = int(floor(weighted / total_weight * 100 + 0.5)) if total_weight else 0

    band = None
    if gates:
        band = next(b for b in BANDS if b in gates)
    else:
        bands = ruleset.spec.band_thresholds
        band = (
            STRONG
            if score >= bands["strong"]
            else POSSIBLE
            if score >= bands["possible"]
            else UNLIKELY
        )

    applicable = len(plan.criteria)
    to_collect = ()
    if collect:  # required first, then by name: a stable order for storage and display
        to_collect = tuple(
            sorted(
                [
                    ToCollect(item, reason, req, tuple(keys))
                    for (item, reason), (req, keys) in collect.items()
                ],
                key=lambda t: (not t.required, t.item, t.reason),
            )
        )
    return Result(
        band=band,
        score=score,
        reasons=tuple(reasons),
        lines=tuple(lines),
        completeness=evaluable / applicable if applicable else 1.0,
        to_collect=to_collect,
        review_marks=tuple(review),
        domain_scores=domain_scores,
        indication=None
        if indication is None
        else Indication(
            indication.disease,
            indication.transplant_type,
            indication.category,
            indication.citation,
            indication.evidence,
        ),
        ruleset_name=ruleset.spec.name,
        ruleset_version=ruleset.spec.version,
        as_of=as_of,
        disease=disease,
        disease_subtype=subtype,
        facts=facts,
    )
