"""Check a rule-set spec against the vocabularies; collect every problem, stop at none.

Admins see the whole list when publishing, so each check appends a :class:`Problem` naming
where (the criterion key or indication) and the field at fault, and carries on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from numbers import Real
from typing import Any, TypeAlias, TypeGuard

from .facts import FACTS, FRESHNESS_CLASSES, LIST, NUMBER, FactInfo
from .facts_treatment import SAA_PATHWAYS
from .specs import (
    ALL_DISEASES,
    BAND_THRESHOLD_KEYS,
    CATEGORIES,
    CORE,
    CORE_BANDS,
    DISEASES,
    DOMAINS,
    EBMT_CATEGORIES,
    EVIDENCE,
    KINDS,
    LOCAL_POLICY,
    OPERATORS,
    OPERATORS_BY_TYPE,
    PATHWAY_DISEASE,
    POINTS,
    REVIEW,
    REVIEW_CAPS,
    SCORED_KINDS,
    TEMPLATE_FIELDS,
    TRANSPLANT_TYPES,
    CriterionSpec,
    IndicationSpec,
    Problem,
    RuleSetSpec,
    template_fields,
)

RULESET = "rule set"
Add: TypeAlias = Callable[[Problem], None]  # each check reports through one of these


def _is_number(v: object) -> TypeGuard[float]:
    """A real number, not a bool (True is an int to Python, not a threshold to us)."""
    return isinstance(v, Real) and not isinstance(v, bool)


def validate(spec: RuleSetSpec) -> list[Problem]:
    """Every problem in ``spec``; an empty list means it can be compiled and published."""
    problems: list[Problem] = []
    add = problems.append
    for name in ("name", "version"):
        if not isinstance(getattr(spec, name), str) or not getattr(spec, name).strip():
            add(Problem(RULESET, name, "must not be empty"))
    _check_weights(spec, add)
    _check_bands(spec, add)
    _check_freshness(spec, add)
    _check_indications(spec.indications, add)
    counts = Counter(c.key for c in spec.criteria)
    for c in spec.criteria:
        _check_criterion(c, add, duplicate=counts[c.key] > 1)
    return problems


def publication_problems(spec: RuleSetSpec) -> list[Problem]:
    """Every problem that stops ``spec`` being published: :func:`validate`'s, and the
    clinical policy a live rule set must keep (each S or CO disease scored on its disease)."""
    problems = validate(spec)
    _check_every_indication_is_scored(spec, problems.append)
    return problems


def criterion_problems(criterion: CriterionSpec) -> list[Problem]:
    """The problems of one criterion on its own, as the admin form shows them beside each
    field (a key used twice in a rule set is the form's own check)."""
    problems: list[Problem] = []
    _check_criterion(criterion, problems.append, duplicate=False)
    return problems


def _check_weights(spec: RuleSetSpec, add: Add) -> None:
    weights = spec.domain_weights
    for key in sorted(set(weights) - set(DOMAINS)):
        add(
            Problem(
                RULESET,
                "domain_weights",
                f"unknown domain {key!r}; choose from {', '.join(DOMAINS)}",
            )
        )
    for key in DOMAINS:
        if key not in weights:
            add(Problem(RULESET, "domain_weights", f"no weight for domain {key!r}"))
        elif not _is_number(weights[key]) or weights[key] < 0:
            add(Problem(RULESET, "domain_weights", f"weight of {key!r} must be a number >= 0"))
    if all(_is_number(weights.get(k)) for k in DOMAINS) and sum(weights[k] for k in DOMAINS) <= 0:
        add(Problem(RULESET, "domain_weights", "weights must not all be zero"))


def _check_bands(spec: RuleSetSpec, add: Add) -> None:
    bands = spec.band_thresholds
    for key in sorted(set(bands) - set(BAND_THRESHOLD_KEYS)):
        add(Problem(RULESET, "band_thresholds", f"unknown band threshold {key!r}"))
    ok = True
    for key in BAND_THRESHOLD_KEYS:
        value = bands.get(key)
        if not _is_number(value) or not 0 <= value <= 100:
            add(Problem(RULESET, "band_thresholds", f"{key!r} must be a number from 0 to 100"))
            ok = False
    if ok and bands["possible"] > bands["strong"]:
        add(Problem(RULESET, "band_thresholds", "'possible' must not be above 'strong'"))


def _check_freshness(spec: RuleSetSpec, add: Add) -> None:
    days = spec.freshness_days
    for key in sorted(set(days) - set(FRESHNESS_CLASSES)):
        add(Problem(RULESET, "freshness_days", f"unknown freshness class {key!r}"))
    for key in FRESHNESS_CLASSES:
        value = days.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            add(Problem(RULESET, "freshness_days", f"{key!r} must be a whole number of days > 0"))


def _check_source(where: str, citation: Any, evidence: Any, add: Add) -> None:
    if evidence not in EVIDENCE:
        add(
            Problem(
                where,
                "evidence",
                f"unknown evidence mark {evidence!r}; choose from {', '.join(EVIDENCE)}",
            )
        )
    if evidence != LOCAL_POLICY and (not isinstance(citation, str) or not citation.strip()):
        add(
            Problem(
                where, "citation", "a clinical source needs a citation (or mark it local policy)"
            )
        )


def _check_indications(rows: tuple[IndicationSpec, ...], add: Add) -> None:
    gates: Counter[tuple[str, bool, str]] = Counter()
    for n, row in enumerate(rows, 1):
        where = f"indication #{n} ({row.disease}/{row.transplant_type})"
        base = str(row.disease).split(":")[0]
        if row.disease not in DISEASES:
            add(Problem(where, "disease", f"unknown disease {row.disease!r}"))
        if row.transplant_type not in TRANSPLANT_TYPES:
            add(
                Problem(
                    where, "transplant_type", f"unknown transplant type {row.transplant_type!r}"
                )
            )
        if row.category not in CATEGORIES:
            add(Problem(where, "category", f"unknown category {row.category!r}"))
        elif row.category in SAA_PATHWAYS and base != PATHWAY_DISEASE:
            add(Problem(where, "category", "a BSH pathway applies to aplastic anaemia only"))
        elif base == PATHWAY_DISEASE and row.screened and row.category in EBMT_CATEGORIES:
            add(Problem(where, "category", "aplastic anaemia is screened by BSH pathway rows"))
        _check_source(where, row.citation, row.evidence, add)
        if row.screened:
            # One gate per disease; for aa one row per transplant pathway.
            slot = row.category if row.category in SAA_PATHWAYS else "ebmt"
            gates[(row.disease, row.paediatric, slot)] += 1
    for (disease, paediatric, slot), count in sorted(gates.items(), key=str):
        if count > 1:
            who = "paediatric" if paediatric else "adult"
            add(
                Problem(
                    f"indication {disease}",
                    "screened",
                    f"{count} screened {who} rows for {slot}; keep one",
                )
            )


def _check_criterion(c: CriterionSpec, add: Add, *, duplicate: bool) -> None:
    where = f"criterion {c.key!r}"
    if not isinstance(c.key, str) or not c.key.strip():
        add(Problem(where, "key", "must not be empty"))
    if duplicate:
        add(Problem(where, "key", "duplicate key"))
    if c.domain not in DOMAINS:
        add(
            Problem(
                where, "domain", f"unknown domain {c.domain!r}; choose from {', '.join(DOMAINS)}"
            )
        )
    if c.kind not in KINDS:
        add(Problem(where, "kind", f"unknown kind {c.kind!r}; choose from {', '.join(KINDS)}"))
    _check_diseases(where, c.diseases, add)
    info = FACTS.get(c.fact)
    if info is None:
        add(Problem(where, "fact", f"unknown fact {c.fact!r}"))
    if c.operator not in OPERATORS:
        add(
            Problem(
                where,
                "operator",
                f"unknown operator {c.operator!r}; choose from {', '.join(OPERATORS)}",
            )
        )
    elif info is not None and c.operator not in OPERATORS_BY_TYPE[info.type]:
        allowed = ", ".join(OPERATORS_BY_TYPE[info.type])
        add(
            Problem(
                where,
                "operator",
                f"{c.operator!r} does not apply to {info.type} fact {c.fact!r}; use {allowed}",
            )
        )
    else:
        _check_thresholds(where, c, info, add)
    if not isinstance(c.required, bool):
        add(Problem(where, "required", "must be true or false"))
    if not isinstance(c.enabled, bool):
        add(Problem(where, "enabled", "must be true or false"))
    if not _is_number(c.points) or c.points < 0:
        add(Problem(where, "points", "must be a number >= 0"))
    elif c.kind == POINTS and c.points <= 0:
        add(Problem(where, "points", "a points criterion must carry points > 0"))
    elif c.kind in KINDS and c.kind not in SCORED_KINDS and c.points != 0:
        add(Problem(where, "points", f"only points and core criteria carry points, not {c.kind}"))
    _check_bands_of(where, c, add)
    _check_template(where, c.explanation, add)
    _check_source(where, c.citation, c.evidence, add)


def _check_diseases(where: str, diseases: Any, add: Add) -> None:
    if not isinstance(diseases, tuple) or not diseases:
        add(Problem(where, "diseases", f"choose at least one disease, or {ALL_DISEASES!r}"))
        return
    for d in diseases:
        if d != ALL_DISEASES and d not in DISEASES:
            add(Problem(where, "diseases", f"unknown disease {d!r}"))
    if ALL_DISEASES in diseases and len(diseases) > 1:
        add(Problem(where, "diseases", f"{ALL_DISEASES!r} must stand alone"))


def _check_thresholds(where: str, c: CriterionSpec, info: FactInfo | None, add: Add) -> None:
    t = c.thresholds
    if not isinstance(t, tuple):
        add(Problem(where, "thresholds", "must be a list"))
        return
    o = c.operator
    if o in ("<", "<=", ">", ">="):
        if len(t) != 1 or not _is_number(t[0]):
            add(Problem(where, "thresholds", f"{o!r} needs exactly one number, got {list(t)!r}"))
    elif o == "between":
        bounds = [v for v in t if _is_number(v)]
        if len(t) != 2 or len(bounds) != 2:
            add(
                Problem(
                    where, "thresholds", f"'between' needs two numbers [low, high], got {list(t)!r}"
                )
            )
        elif bounds[0] > bounds[1]:
            add(Problem(where, "thresholds", f"'between' low {t[0]} is above high {t[1]}"))
    elif o == "in":
        if not t:
            add(Problem(where, "thresholds", "'in' needs at least one value"))
        elif info is not None and info.type == NUMBER:
            if not all(_is_number(v) for v in t):
                add(
                    Problem(
                        where, "thresholds", f"'in' on a number fact needs numbers, got {list(t)!r}"
                    )
                )
        elif info is not None:
            bad = [v for v in t if v not in info.choices]
            if bad:
                kind = "values" if info.type == LIST else "choices"
                add(
                    Problem(
                        where,
                        "thresholds",
                        f"{bad!r} not among the {kind} of {c.fact!r}: {', '.join(info.choices)}",
                    )
                )
    elif t:
        add(Problem(where, "thresholds", f"{o!r} takes no threshold, got {list(t)!r}"))


def _check_template(where: str, template: Any, add: Add) -> None:
    if not isinstance(template, str) or not template.strip():
        add(Problem(where, "explanation", "needs a sentence a clinician can read"))
        return
    try:
        names = template_fields(template)
    except ValueError as exc:
        add(Problem(where, "explanation", f"malformed template: {exc}"))
        return
    unknown = [n for n in names if n not in TEMPLATE_FIELDS]
    for name in unknown:
        add(
            Problem(
                where,
                "explanation",
                f"unknown placeholder {{{name}}}; use {', '.join(TEMPLATE_FIELDS)}",
            )
        )
    if not unknown:
        try:  # placeholders are filled with text when shown: no format specs, no positions
            template.format(**dict.fromkeys(TEMPLATE_FIELDS, "x"))
        except (ValueError, IndexError, KeyError) as exc:
            add(Problem(where, "explanation", f"malformed template: {exc}"))


def _check_bands_of(where: str, c: CriterionSpec, add: Any) -> None:
    """A review names its cap; a core criterion may name its band when not met."""
    if c.kind == REVIEW and c.cap not in REVIEW_CAPS:
        add(
            Problem(
                where,
                "cap",
                f"a review criterion needs a cap: {' or '.join(REVIEW_CAPS)} (the best band "
                "the patient can reach while it is met)",
            )
        )
    elif c.kind != REVIEW and c.cap:
        add(Problem(where, "cap", f"only review criteria carry a cap, not {c.kind}"))
    if c.kind == CORE and c.not_met_band not in ("", *CORE_BANDS):
        add(Problem(where, "not_met_band", f"choose {' or '.join(CORE_BANDS)}"))
    elif c.kind != CORE and c.not_met_band:
        add(
            Problem(
                where, "not_met_band", f"only core criteria give a band when not met, not {c.kind}"
            )
        )


SCORED_DOMAINS = ("severity", "failed_treatments")


def _check_every_indication_is_scored(spec: RuleSetSpec, add: Any) -> None:
    """An S or CO disease needs enabled scored criteria in severity and in failed treatments.

    Otherwise its score would rest on fitness alone, and a fit patient with a mild, untreated
    disease would reach 100 (scoring-model.md, "Rule set").
    """
    indicated = sorted(
        {i.disease for i in spec.indications if i.screened and i.category in ("S", "CO")}
    )
    for disease in indicated:
        group = disease.split(":")[0]
        applies = {disease, group, ALL_DISEASES}
        for domain in SCORED_DOMAINS:
            scored = [
                c
                for c in spec.criteria
                if c.enabled
                and c.kind in SCORED_KINDS
                and c.domain == domain
                and _is_number(c.points)
                and c.points > 0
                and isinstance(c.diseases, tuple)
                and (applies.intersection(c.diseases) or _covers_subtypes(c.diseases, group))
            ]
            if not scored:
                add(
                    Problem(
                        f"indication {disease}",
                        "criteria",
                        f"an S or CO indication needs an enabled criterion with points in "
                        f"{domain.replace('_', ' ')}; otherwise the score rests on fitness alone",
                    )
                )


def _covers_subtypes(diseases: tuple[Any, ...], group: str) -> bool:
    """Criteria for every MS subtype cover MS as a whole."""
    subtypes = {
        d.split(":", 1)[1] for d in diseases if isinstance(d, str) and d.startswith(f"{group}:")
    }
    return group == "ms" and subtypes >= {"rr", "sp", "pp"}
