"""Rule sets as data: the vocabularies, the frozen specs, and the error they raise.

The specs are what the Django loader builds from admin rows (and what ``rules.defaults``
seeds). ``rules.validation`` checks a spec against these vocabularies and
``rules.compiler.compile_ruleset`` turns a valid one into what the engine runs.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

from common.vocabulary import DISEASE_GROUPS, MS_SUBTYPES

from .facts import BOOL, CHOICE, LIST, NUMBER
from .facts_treatment import SAA_PATHWAYS

# --- Vocabularies (offered as choices in the admin) -----------------------------------------

OPERATORS = ("<", "<=", ">", ">=", "between", "in", "is true", "is false")
DOMAINS = ("severity", "failed_treatments", "overall_health")
# What a criterion does (scoring-model.md, "Rule set"):
# - indication: not met gives Not indicated;
# - exclusion: met gives Excluded;
# - points: adds its points to its domain when met;
# - review: met marks the case for team review and caps the band (``cap``);
# - core: the guideline's own checklist item; not met gives ``not_met_band`` (Unlikely, or
#   Trial only where the source allows the treatment only within a study), not evaluable
#   gives Incomplete; its points, if any, count in its domain like a points criterion's;
# - workup: an investigation the decision needs (e.g. a PNH clone); shown, listed to collect
#   while missing, never changing the band or the score.
INDICATION, EXCLUSION, POINTS, REVIEW, CORE, WORKUP = (
    "indication",
    "exclusion",
    "points",
    "review",
    "core",
    "workup",
)
KINDS = (INDICATION, EXCLUSION, POINTS, REVIEW, CORE, WORKUP)
SCORED_KINDS = (POINTS, CORE)
# In order of precedence: the first that applies is the band.
NOT_INDICATED = "Not indicated"
TRIAL_ONLY = "Trial only"
EXCLUDED = "Excluded"
INCOMPLETE = "Incomplete"
STRONG = "Strong candidate"
POSSIBLE = "Possible candidate"
UNLIKELY = "Unlikely"
BANDS = (NOT_INDICATED, TRIAL_ONLY, EXCLUDED, INCOMPLETE, STRONG, POSSIBLE, UNLIKELY)
# The bands that show no score: a number beside them would read as favourable.
GATED_BANDS = (NOT_INDICATED, TRIAL_ONLY, EXCLUDED)
# The candidate bands, best first; a cap is the best of these a patient can reach.
CANDIDATE_LADDER = (STRONG, POSSIBLE, UNLIKELY)
REVIEW_CAPS = (POSSIBLE, UNLIKELY)  # a review criterion's cap
CORE_BANDS = (UNLIKELY, TRIAL_ONLY)  # what an unmet core criterion gives
# What a criterion made of a patient's data (Line.outcome).
MET = "met"
NOT_MET = "not_met"
NOT_EVALUABLE = "not_evaluable"
NOT_APPLICABLE = "not_applicable"  # the fact does not apply to this patient (e.g. another pathway)
OUTCOMES = (MET, NOT_MET, NOT_EVALUABLE, NOT_APPLICABLE)
LOCAL_POLICY = "local policy"
EVIDENCE = ("V", "V2", "UNVERIFIED", LOCAL_POLICY)
EBMT_CATEGORIES = ("S", "CO", "D", "GNR")
CATEGORIES = EBMT_CATEGORIES + SAA_PATHWAYS  # pathways only for aplastic anaemia
PATHWAY_DISEASE = "aa"
TRANSPLANT_TYPES = ("autologous", "allo_sibling", "allo_unrelated")
ALL_DISEASES = "all"
# A criterion or indication may name a disease group or an MS subtype as "ms:rr".
DISEASES = DISEASE_GROUPS + tuple(f"ms:{s}" for s in MS_SUBTYPES)
BAND_THRESHOLD_KEYS = ("strong", "possible")
TEMPLATE_FIELDS = ("label", "value", "unit", "date", "operator", "threshold")
# Which operators make sense on which fact type.
OPERATORS_BY_TYPE: Mapping[str, tuple[str, ...]] = {
    NUMBER: ("<", "<=", ">", ">=", "between", "in"),
    BOOL: ("is true", "is false"),
    CHOICE: ("in",),
    LIST: ("in",),
}


# --- Specs ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicationSpec:
    """A disease and transplant type mapped to a category, with its source.

    ``screened`` rows gate screening (one per disease, or one per pathway for aa); the
    others are shown as alternatives (e.g. later EBMT categories marked UNVERIFIED).
    """

    disease: str
    transplant_type: str
    category: str
    citation: str
    evidence: str
    screened: bool = True
    paediatric: bool = False


@dataclass(frozen=True, slots=True)
class CriterionSpec:
    """One criterion. Thresholds are plain JSON values (numbers or strings)."""

    key: str
    domain: str
    diseases: tuple[str, ...]
    fact: str
    operator: str
    thresholds: tuple[float | int | str, ...]
    kind: str
    required: bool = False
    points: float = 0
    label: str = ""
    explanation: str = ""
    citation: str = ""
    evidence: str = "UNVERIFIED"
    enabled: bool = True
    cap: str = ""  # review: the best band the patient can reach while it is met
    not_met_band: str = ""  # core: the band it gives when not met (Unlikely by default)


@dataclass(frozen=True, slots=True)
class RuleSetSpec:
    """A whole rule set as data. Weights, bands and windows are local policy."""

    name: str
    version: str
    domain_weights: Mapping[str, float]
    band_thresholds: Mapping[str, float]
    freshness_days: Mapping[str, int]
    indications: tuple[IndicationSpec, ...] = ()
    criteria: tuple[CriterionSpec, ...] = ()

    @classmethod
    def from_dicts(
        cls,
        ruleset: Mapping[str, Any],
        indications: Sequence[Mapping[str, Any]],
        criteria: Sequence[Mapping[str, Any]],
    ) -> RuleSetSpec:
        """Build a spec from plain dicts (a JSON field, a fixture, ``rules.defaults``).

        Unknown keys raise :class:`RuleSetError`; list values become tuples.
        """
        problems: list[Problem] = []
        ind = [
            _from_dict(IndicationSpec, d, f"indication #{n}", problems)
            for n, d in enumerate(indications, 1)
        ]
        crit = [
            _from_dict(CriterionSpec, d, _criterion_where(d, n), problems)
            for n, d in enumerate(criteria, 1)
        ]
        if problems:
            raise RuleSetError(problems)
        return cls(
            name=ruleset.get("name", ""),
            version=ruleset.get("version", ""),
            domain_weights=dict(ruleset.get("domain_weights", {})),
            band_thresholds=dict(ruleset.get("band_thresholds", {})),
            freshness_days=dict(ruleset.get("freshness_days", {})),
            indications=tuple(i for i in ind if i is not None),
            criteria=tuple(c for c in crit if c is not None),
        )


def _criterion_where(d: Mapping[str, Any], n: int) -> str:
    return f"criterion '{d['key']}'" if d.get("key") else f"criterion #{n}"


def _from_dict(cls: type, d: Mapping[str, Any], where: str, problems: list[Problem]) -> Any:
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(d) - names)
    for name in unknown:
        problems.append(Problem(where, name, "unknown field"))
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k in names}
    try:
        return cls(**values)
    except TypeError as exc:  # a required field is absent
        problems.append(Problem(where, "-", str(exc)))
        return None


# --- Errors -----------------------------------------------------------------------------------


class Problem(NamedTuple):
    """One thing wrong with a rule set: where (the criterion key), which field, and why."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"


class RuleSetError(ValueError):
    """A rule set that cannot be used; ``problems`` lists every fault found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"- {p}" for p in self.problems)
        super().__init__(f"The rule set has {len(self.problems)} problem(s):\n{lines}")


def template_fields(template: str) -> list[str]:
    """Placeholder names in an explanation template; raises ValueError if malformed."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
