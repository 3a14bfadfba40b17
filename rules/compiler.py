"""Compile a validated rule set into per-disease plans with precompiled operators.

Compiling once per published version keeps :func:`rules.engine.evaluate` cheap: it looks up
the plan for the patient's disease, computes only the facts that plan reads, and calls
ready-made predicates.
"""

from __future__ import annotations

import operator as op
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from common.vocabulary import DISEASE_GROUPS, MS_SUBTYPES

from .facts import AT_LEAST, FACTS, LIST, NOT_APPLICABLE, OK, FactValue
from .facts_treatment import SAA_PATHWAYS
from .specs import (
    ALL_DISEASES,
    MET,
    NOT_EVALUABLE,
    NOT_MET,
    CriterionSpec,
    IndicationSpec,
    Problem,
    RuleSetError,
    RuleSetSpec,
)
from .validation import validate

# --- Compiled form ----------------------------------------------------------------------------

# How a criterion reads a lower-bound value ("HCT-CI at least 2"): see Compiled.at_least.
UP, DOWN, RANGE, NO_BOUND = "up", "down", "range", ""


class Compiled(NamedTuple):
    """A criterion with its operator turned into a function."""

    spec: CriterionSpec
    test: Callable[[Any], bool]
    # With a lower bound L of the true value: UP (> / >=) is met once test(L) holds;
    # DOWN (< / <=) is not met once test(L) fails; RANGE (between) is not met once L is above
    # the range; otherwise the criterion is not evaluable.
    at_least: str
    high: float  # the upper end of a range, for RANGE


class Plan(NamedTuple):
    """What to do for one disease (and subtype): criteria, facts to compute, indications."""

    criteria: tuple[Compiled, ...]
    facts: tuple[str, ...]
    adult_indications: tuple[IndicationSpec, ...]
    paediatric_indications: tuple[IndicationSpec, ...]


@dataclass(frozen=True, slots=True)
class CompiledRuleSet:
    """A validated rule set, ready for :func:`rules.engine.evaluate`."""

    spec: RuleSetSpec
    plans: Mapping[tuple[str | None, str | None], Plan] = field(repr=False)
    freshness: tuple[tuple[str, int], ...] = ()  # the windows as a sorted tuple, for speed

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def version(self) -> str:
        return self.spec.version

    def plan(self, disease: str | None, subtype: str | None) -> Plan:
        """The plan for a disease and subtype (subtype ignored when it has none of its own)."""
        found = self.plans.get((disease, subtype))
        if found is None:
            found = self.plans.get((disease, None)) or self.plans[(None, None)]
        return found


def outcome_of(comp: Compiled, fv: FactValue) -> str:
    """Met, not met or not evaluable: ``comp`` applied to a fact that may be missing, stale
    or a lower bound (the engine inlines the common case, a fact that is ok)."""
    if fv.status == OK:
        return MET if comp.test(fv.value) else NOT_MET
    if fv.status == NOT_APPLICABLE:  # the fact's state and the line's outcome share the word
        return NOT_APPLICABLE
    if fv.status == AT_LEAST:
        # The true value is at least fv.value: decide only when that is enough.
        passes = comp.test(fv.value)
        if comp.at_least == UP and passes:
            return MET
        if comp.at_least == DOWN and not passes:
            return NOT_MET
        if comp.at_least == RANGE and fv.value > comp.high:
            return NOT_MET
    return NOT_EVALUABLE


_COMPARE = {"<": op.lt, "<=": op.le, ">": op.gt, ">=": op.ge}
ALWAYS_FACTS = ("deceased", "age_years", "paediatric", "disease", "disease_subtype")
# What Strong needs besides its score (scoring-model.md, "Result"): a complete comorbidity
# assessment and known infection, malignancy and pregnancy status. Computed for every patient.
STRONG_PREREQUISITE_FACTS = ("hct_ci_items_unknown", "active_infection", "malignancy", "pregnant")


def _number(spec: CriterionSpec, threshold: float | int | str) -> float:
    """A numeric threshold (``validate`` has already refused any other)."""
    if isinstance(threshold, str):
        where = f"criterion {spec.key!r}"
        raise RuleSetError([Problem(where, "thresholds", f"{threshold!r} is not a number")])
    return threshold


def _compile_test(spec: CriterionSpec, fact_type: str) -> Compiled:
    o, t = spec.operator, spec.thresholds
    if o in _COMPARE:
        cmp, limit = _COMPARE[o], _number(spec, t[0])
        mode = UP if o in (">", ">=") else DOWN
        return Compiled(spec, lambda v: cmp(v, limit), mode, 0.0)
    if o == "between":
        lo, hi = _number(spec, t[0]), _number(spec, t[1])
        return Compiled(spec, lambda v: lo <= v <= hi, RANGE, hi)
    if o == "in":
        allowed = frozenset(t)
        if fact_type == LIST:
            return Compiled(spec, lambda v: not allowed.isdisjoint(v), NO_BOUND, 0.0)
        return Compiled(spec, lambda v: v in allowed, NO_BOUND, 0.0)
    wanted = o == "is true"
    return Compiled(spec, lambda v: v is wanted, NO_BOUND, 0.0)


def compile_ruleset(spec: RuleSetSpec) -> CompiledRuleSet:
    """Validate ``spec`` and precompile it; raise :class:`RuleSetError` listing every problem."""
    problems = validate(spec)
    if problems:
        raise RuleSetError(problems)
    compiled = [_compile_test(c, FACTS[c.fact].type) for c in spec.criteria if c.enabled]
    plans: dict[tuple[str | None, str | None], Plan] = {}
    keys: list[tuple[str | None, str | None]] = [(None, None)]
    for group in DISEASE_GROUPS:
        keys.append((group, None))
        if group == "ms":
            keys.extend(("ms", s) for s in MS_SUBTYPES)
    for disease, subtype in keys:
        tokens = {ALL_DISEASES}
        if disease:
            tokens.add(disease)
        if disease and subtype:
            tokens.add(f"{disease}:{subtype}")
        crits = tuple(c for c in compiled if tokens.intersection(c.spec.diseases))
        adult = _indications(spec, disease, subtype, paediatric=False)
        child = _indications(spec, disease, subtype, paediatric=True)
        facts = [*ALWAYS_FACTS, *STRONG_PREREQUISITE_FACTS] + [c.spec.fact for c in crits]
        if any(i.category in SAA_PATHWAYS for i in adult + child):
            facts.append("saa_pathway")
        plans[(disease, subtype)] = Plan(crits, tuple(dict.fromkeys(facts)), adult, child)
    return CompiledRuleSet(spec, plans, tuple(sorted(spec.freshness_days.items())))


def _indications(
    spec: RuleSetSpec, disease: str | None, subtype: str | None, *, paediatric: bool
) -> tuple[IndicationSpec, ...]:
    """Screened rows for a disease; rows for the subtype replace the disease's own rows."""
    rows = [i for i in spec.indications if i.screened and i.paediatric == paediatric]
    if disease and subtype:
        specific = tuple(i for i in rows if i.disease == f"{disease}:{subtype}")
        if specific:
            return specific
    return tuple(i for i in rows if i.disease == disease)
