"""What changed between two versions of a rule set, as sentences a clinician reads.

Criteria are matched by key: a criterion whose key changed reads as one removed and one
added. Each change is a sentence ("LVEF 50% or less: cap changed from — to Possible
candidate"), grouped as the page shows them: criteria added, removed and changed (field by
field), indications, and the rule set's settings (weights, band cut-offs, freshness windows).
Pure Python, no Django: it compares two :class:`~rules.specs.RuleSetSpec`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from common import labels

from . import describe
from .specs import CriterionSpec, IndicationSpec, RuleSetSpec

ARROW = "→"


@dataclass(frozen=True, slots=True)
class CriterionChange:
    """One criterion found in both versions, with what changed in it (never empty)."""

    label: str
    changes: tuple[str, ...]

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(f"{self.label}: {change}" for change in self.changes)


@dataclass(frozen=True, slots=True)
class RuleSetDiff:
    """Every change from ``old`` to ``new``, each group in the rule sets' own order."""

    old: str  # "EBMT-aligned autoimmune HSCT screen v1, version 1"
    new: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[CriterionChange, ...] = ()
    indications: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.indications or self.settings)

    def sentences(self) -> list[str]:
        """Every change as one list of sentences (for tests, logs and plain text)."""
        out = [*self.added, *self.removed]
        for change in self.changed:
            out.extend(change.sentences)
        return [*out, *self.indications, *self.settings]


def diff_rulesets(old: RuleSetSpec, new: RuleSetSpec) -> RuleSetDiff:
    """The changes that turn ``old`` into ``new``."""
    before = {c.key: c for c in old.criteria}
    after = {c.key: c for c in new.criteria}
    changed = []
    for key, criterion in after.items():
        if key in before:
            changes = criterion_changes(before[key], criterion)
            if changes:
                changed.append(CriterionChange(_label(criterion), tuple(changes)))
    return RuleSetDiff(
        old=_title(old),
        new=_title(new),
        added=tuple(_added(c) for k, c in after.items() if k not in before),
        removed=tuple(_removed(c) for k, c in before.items() if k not in after),
        changed=tuple(changed),
        indications=tuple(indication_changes(old.indications, new.indications)),
        settings=tuple(settings_changes(old, new)),
    )


def _title(spec: RuleSetSpec) -> str:
    return f"{spec.name}, version {spec.version}"


def _label(c: CriterionSpec) -> str:
    return labels.plain(c.label) or describe.describe_rule(c.fact, c.operator, c.thresholds)


def _effect(c: CriterionSpec) -> str:
    return describe.effect(
        c.kind, points=c.points, domain=c.domain, cap=c.cap, not_met_band=c.not_met_band
    )


def _added(c: CriterionSpec) -> str:
    off = " It is switched off." if not c.enabled else ""
    return f"{_label(c)} (new): {_effect(c)}, for {labels.diseases_text(c.diseases)}.{off}"


def _removed(c: CriterionSpec) -> str:
    return f"{_label(c)} (removed): no longer {_effect(c)}, for {labels.diseases_text(c.diseases)}."


# --- One criterion, field by field -------------------------------------------------------------


def _quoted(text: str) -> str:
    return f"“{text}”"


def _band(value: str) -> str:
    return value or describe.NO_BAND


def _evidence(mark: str) -> str:
    meaning = labels.EVIDENCE_LABELS.get(mark)
    return f"{mark} ({meaning})" if meaning and mark != labels.LOCAL_POLICY else mark


def _role_changes(a: CriterionSpec, b: CriterionSpec) -> list[str]:
    """Kind, cap, band when not met and switched on or off: one sentence when the kind
    changed ("was an exclusion (switched off), now a review capped at Unlikely")."""
    if a.kind != b.kind:
        was = describe.role(a.kind, cap=a.cap, not_met_band=a.not_met_band, enabled=a.enabled)
        now = describe.role(b.kind, cap=b.cap, not_met_band=b.not_met_band, enabled=b.enabled)
        return [f"was {was}, now {now}"]
    out = []
    if a.cap != b.cap:
        out.append(f"cap changed from {_band(a.cap)} to {_band(b.cap)}")
    if a.not_met_band != b.not_met_band:
        out.append(
            f"band when not met changed from {_band(a.not_met_band)} to {_band(b.not_met_band)}"
        )
    if a.enabled != b.enabled:
        out.append("switched on" if b.enabled else "switched off")
    return out


def _rule_change(a: CriterionSpec, b: CriterionSpec) -> list[str]:
    was = describe.describe_rule(a.fact, a.operator, a.thresholds)
    now = describe.describe_rule(b.fact, b.operator, b.thresholds)
    return [] if was == now else [f"rule changed from {_quoted(was)} to {_quoted(now)}"]


def criterion_changes(a: CriterionSpec, b: CriterionSpec) -> list[str]:
    """What changed in one criterion, each as a phrase that follows its label."""
    out = []
    if labels.plain(a.label) != labels.plain(b.label):
        out.append(f"renamed from {_quoted(_label(a))}")
    out += _role_changes(a, b)
    out += _rule_change(a, b)
    if a.points != b.points:
        out.append(
            f"points changed from {describe.format_number(a.points)} to "
            f"{describe.format_number(b.points)} (local policy)"
        )
    if a.required != b.required:
        out.append(
            "now required: without it the band is Incomplete"
            if b.required
            else "no longer required"
        )
    if a.domain != b.domain:
        out.append(f"moved from {_domain(a.domain)} to {_domain(b.domain)}")
    if a.diseases != b.diseases:
        old, new = labels.diseases_text(a.diseases), labels.diseases_text(b.diseases)
        out.append(f"applies to {new}, was {old}")
    if labels.plain(a.citation) != labels.plain(b.citation):
        out.append(
            f"source changed from {_quoted(labels.plain(a.citation) or describe.NO_BAND)} "
            f"to {_quoted(labels.plain(b.citation) or describe.NO_BAND)}"
        )
    if a.evidence != b.evidence:
        out.append(f"evidence mark changed from {_evidence(a.evidence)} to {_evidence(b.evidence)}")
    if a.explanation != b.explanation:
        out.append("its explanation is worded differently")
    return out


def _domain(code: str) -> str:
    return labels.DOMAIN_LABELS.get(code, labels.label(code))


# --- Indications --------------------------------------------------------------------------------

IndicationKey = tuple[str, str, bool]


def _indication_key(i: IndicationSpec) -> IndicationKey:
    return (i.disease, i.transplant_type, i.screened)


def _indication_name(i: IndicationSpec, note: str = "") -> str:
    """ "Multiple sclerosis, autologous", with "(new, shown as an alternative)" as it applies."""
    disease = labels.capfirst(labels.disease_label(i.disease))
    transplant = labels.TRANSPLANT_TYPE_LABELS.get(i.transplant_type, i.transplant_type)
    notes = [n for n in (note, "" if i.screened else "shown as an alternative") if n]
    return f"{disease}, {transplant}" + (f" ({', '.join(notes)})" if notes else "")


def _category(code: str) -> str:
    return labels.CATEGORY_LABELS.get(code, labels.label(code))


def _indication_changes(a: IndicationSpec, b: IndicationSpec) -> list[str]:
    out = []
    if a.category != b.category:
        out.append(f"category changed from {_category(a.category)} to {_category(b.category)}")
    if a.paediatric != b.paediatric:
        out.append("now a paediatric row" if b.paediatric else "no longer a paediatric row")
    if labels.plain(a.citation) != labels.plain(b.citation):
        out.append(
            f"source changed from {_quoted(labels.plain(a.citation))} "
            f"to {_quoted(labels.plain(b.citation))}"
        )
    if a.evidence != b.evidence:
        out.append(f"evidence mark changed from {_evidence(a.evidence)} to {_evidence(b.evidence)}")
    return [f"{_indication_name(b)}: {change}" for change in out]


def _grouped(rows: Iterable[IndicationSpec]) -> dict[IndicationKey, list[IndicationSpec]]:
    groups: dict[IndicationKey, list[IndicationSpec]] = {}
    for row in rows:
        groups.setdefault(_indication_key(row), []).append(row)
    return groups


def indication_changes(old: Iterable[IndicationSpec], new: Iterable[IndicationSpec]) -> list[str]:
    """Indications matched by disease, transplant type and whether they gate screening; where
    one version has several rows for the same three, rows are matched whole."""
    before, after = _grouped(old), _grouped(new)
    out: list[str] = []
    for key in [*after, *(k for k in before if k not in after)]:
        was, now = before.get(key, []), after.get(key, [])
        if len(was) == 1 and len(now) == 1:
            out += _indication_changes(was[0], now[0])
            continue
        out += [
            f"{_indication_name(i, 'removed')}: {_category(i.category)}"
            for i in was
            if i not in now
        ]
        out += [
            f"{_indication_name(i, 'new')}: {_category(i.category)}" for i in now if i not in was
        ]
    return out


# --- Rule set settings --------------------------------------------------------------------------


def _number_changes(
    old: Mapping[str, float], new: Mapping[str, float], name: Callable[[str], str], unit: str = ""
) -> list[str]:
    out = []
    for key in [*new, *(k for k in old if k not in new)]:
        a, b = old.get(key), new.get(key)
        if a != b:
            was = describe.NO_BAND if a is None else describe.format_number(a)
            now = describe.NO_BAND if b is None else describe.format_number(b)
            out.append(f"{name(key)}: {was} {ARROW} {now}{unit}")
    return out


def settings_changes(old: RuleSetSpec, new: RuleSetSpec) -> list[str]:
    """Name, domain weights, band cut-offs and freshness windows (all local policy)."""
    out = []
    if old.name != new.name:
        out.append(f"Name: {old.name} {ARROW} {new.name}")
    out += _number_changes(
        old.domain_weights, new.domain_weights, lambda d: f"{labels.capfirst(_domain(d))} weight"
    )
    out += _number_changes(
        old.band_thresholds,
        new.band_thresholds,
        lambda k: f"{describe.BAND_THRESHOLD_NAMES.get(k, labels.label(k))} threshold",
    )
    out += _number_changes(
        old.freshness_days,
        new.freshness_days,
        lambda w: f"{labels.capfirst(labels.FRESHNESS_LABELS.get(w, labels.label(w)))} usable for",
        " days",
    )
    return out
