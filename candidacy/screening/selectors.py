"""Reads the pages share about screenings."""

from __future__ import annotations

from dataclasses import dataclass

from rules import loader
from rules.models import RuleSet
from rules.result import OUTCOME_PHRASES, Result
from rules.stored import from_stored

from .models import Screening, ScreeningInputs


def previous_screening(current: Screening) -> Screening | None:
    return (
        Screening.objects.filter(patient_id=current.patient_id, created_at__lt=current.created_at)
        .exclude(pk=current.pk)
        .order_by("-created_at")
        .first()
    )


@dataclass(frozen=True)
class OutcomeChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ScreeningChanges:
    band_before: str
    band_after: str
    score_before: int | None
    score_after: int | None
    version_before: str
    version_after: str
    when_before: object
    criteria: tuple[OutcomeChange, ...]


def screening_changes(current: Screening, previous: Screening | None) -> ScreeningChanges | None:
    """What changed since the previous screening: band, score, and criteria whose outcome moved."""
    if previous is None:
        return None
    before = {line.key: line for line in result_of(previous).lines}
    after = {line.key: line for line in result_of(current).lines}
    changed = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        old_outcome = OUTCOME_PHRASES[old.outcome] if old else "not applied"
        new_outcome = OUTCOME_PHRASES[new.outcome] if new else "not applied"
        if old_outcome != new_outcome:
            label = (new or before[key]).label or key  # the key is in one of them
            changed.append(OutcomeChange(label, old_outcome, new_outcome))
    return ScreeningChanges(
        band_before=previous.band,
        band_after=current.band,
        score_before=previous.score,
        score_after=current.score,
        version_before=previous.ruleset_version,
        version_after=current.ruleset_version,
        when_before=previous.created_at,
        criteria=tuple(changed),
    )


def result_of(screening: Screening) -> Result:
    """The full result of a stored screening, whichever form it was stored in.

    A slim one takes its criteria from its rule set version (read once per process) and
    its input facts, from which its lines take their values, from their own row (one query).
    """
    criteria = loader.criteria_by_key(
        screening.ruleset_id, lambda: RuleSet.objects.get(pk=screening.ruleset_id)
    )
    facts = None
    if screening.inputs_id is not None:
        facts = (
            ScreeningInputs.objects.filter(pk=screening.inputs_id)
            .values_list("facts", flat=True)
            .first()
        )
    return from_stored(screening.result, criteria=criteria, facts=facts)
