"""The rule set as the criteria page shows it: rows in words, grouped by disease, searchable.

Pure Python over a :class:`~rules.specs.RuleSetSpec`: every code is turned into words here
(:mod:`common.labels`, :mod:`rules.describe`), so the template prints text and never a key,
a code or an operator.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from common import labels
from common.vocabulary import DISEASE_GROUPS

from . import describe
from .specs import (
    ALL_DISEASES,
    CORE,
    EXCLUSION,
    INDICATION,
    POINTS,
    REVIEW,
    WORKUP,
    CriterionSpec,
    IndicationSpec,
    RuleSetSpec,
)

# Within a disease, the criteria that decide the band first, the points last.
KIND_ORDER = (INDICATION, EXCLUSION, CORE, REVIEW, POINTS, WORKUP)


@dataclass(frozen=True, slots=True)
class Evidence:
    """An evidence mark with its words: "V", "read in the source", and what that means."""

    mark: str
    words: str
    meaning: str


def evidence(mark: str) -> Evidence:
    return Evidence(
        mark,
        labels.EVIDENCE_LABELS.get(mark, mark),
        labels.EVIDENCE_MEANINGS.get(mark, "No meaning is recorded for this mark."),
    )


def evidence_legend() -> list[Evidence]:
    return [evidence(mark) for mark in labels.EVIDENCE_LABELS]


@dataclass(frozen=True, slots=True)
class CriterionRow:
    label: str
    rule: str  # "LVEF below 45%"
    kind: str  # "Team review"
    effect: str  # "Marks the case for team review, Possible candidate at best while met"
    diseases: str  # "Multiple sclerosis"
    required: bool
    points: str  # "2" for a scored criterion, "" otherwise
    source: str
    evidence: Evidence
    enabled: bool

    @property
    def text(self) -> str:
        """What the search box looks in: label, rule, diseases, what it does and its source."""
        return " ".join((self.label, self.rule, self.diseases, self.kind, self.effect, self.source))


@dataclass(frozen=True, slots=True)
class CriterionGroup:
    heading: str  # "Every disease", "Multiple sclerosis"
    rows: tuple[CriterionRow, ...]


def criterion_row(c: CriterionSpec) -> CriterionRow:
    rule = describe.describe_rule(c.fact, c.operator, c.thresholds)
    scored = c.kind in (POINTS, CORE) and c.points
    return CriterionRow(
        label=labels.plain(c.label) or rule,
        rule=rule,
        kind=labels.capfirst(labels.KIND_LABELS.get(c.kind, labels.label(c.kind))),
        effect=labels.capfirst(
            describe.effect(
                c.kind, points=c.points, domain=c.domain, cap=c.cap, not_met_band=c.not_met_band
            )
        ),
        diseases=labels.capfirst(labels.diseases_text(c.diseases)),
        required=c.required,
        points=describe.format_number(c.points) if scored else "",
        source=labels.plain(c.citation),
        evidence=evidence(c.evidence),
        enabled=c.enabled,
    )


def _group_order(diseases: tuple[str, ...]) -> tuple[int, int, str]:
    """Every disease first, then nearly every disease, then by the first disease named."""
    if ALL_DISEASES in diseases:
        return (0, 0, "")
    groups = [d.split(":")[0] for d in diseases]
    if len(set(groups)) >= len(DISEASE_GROUPS) - 2:
        return (1, 0, "")
    first = min(DISEASE_GROUPS.index(g) if g in DISEASE_GROUPS else 99 for g in groups)
    return (2, first, ",".join(diseases))


def matches(row: CriterionRow, query: str) -> bool:
    """Every word of the query appears in the row's text (case aside)."""
    text = row.text.lower()
    return all(word in text for word in query.lower().split())


def criterion_groups(criteria: Iterable[CriterionSpec], query: str = "") -> list[CriterionGroup]:
    """The criteria that match ``query``, grouped by the diseases they apply to."""
    by_diseases: dict[tuple[str, ...], list[tuple[CriterionSpec, CriterionRow]]] = {}
    for c in criteria:
        row = criterion_row(c)
        if matches(row, query):
            by_diseases.setdefault(tuple(c.diseases), []).append((c, row))
    groups = []
    for diseases in sorted(by_diseases, key=_group_order):
        members = sorted(by_diseases[diseases], key=_within_group)
        heading = labels.capfirst(labels.diseases_text(diseases))
        groups.append(CriterionGroup(heading, tuple(row for _, row in members)))
    return groups


def _within_group(item: tuple[CriterionSpec, CriterionRow]) -> tuple[int, str]:
    c, row = item
    kind = KIND_ORDER.index(c.kind) if c.kind in KIND_ORDER else len(KIND_ORDER)
    return (kind, row.label.lower())


@dataclass(frozen=True, slots=True)
class IndicationRow:
    disease: str
    transplant: str
    category: str
    screened: bool
    paediatric: bool
    source: str
    evidence: Evidence


def _indication_order(i: IndicationSpec) -> tuple[int, str, bool, str]:
    group = i.disease.split(":")[0]
    position = DISEASE_GROUPS.index(group) if group in DISEASE_GROUPS else len(DISEASE_GROUPS)
    return (position, i.disease, not i.screened, i.transplant_type)


def indication_rows(indications: Sequence[IndicationSpec]) -> list[IndicationRow]:
    """Indications by disease (in the vocabulary's order), the row that gates screening first."""
    return [
        IndicationRow(
            disease=labels.capfirst(labels.disease_label(i.disease)),
            transplant=labels.capfirst(
                labels.TRANSPLANT_TYPE_LABELS.get(
                    i.transplant_type, labels.label(i.transplant_type)
                )
            ),
            category=labels.capfirst(
                labels.CATEGORY_LABELS.get(i.category, labels.label(i.category))
            ),
            screened=i.screened,
            paediatric=i.paediatric,
            source=labels.plain(i.citation),
            evidence=evidence(i.evidence),
        )
        for i in sorted(indications, key=_indication_order)
    ]


@dataclass(frozen=True, slots=True)
class Settings:
    """The rule set's local policy in sentences."""

    weights: list[str]
    bands: list[str]
    freshness: list[str]


def settings(spec: RuleSetSpec) -> Settings:
    return Settings(
        weights=describe.weight_sentences(spec.domain_weights),
        bands=describe.band_sentences(spec.band_thresholds),
        freshness=[describe.freshness_sentence(w, d) for w, d in spec.freshness_days.items()],
    )
