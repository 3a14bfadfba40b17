"""Is a stored screening still the record's? Said wherever a screening is shown.

A screening is stale when the record changed after it was computed (the patient's
``record_version`` is past the one the screening stored) or when its rule set is no longer
the active one. Either way a re-screen is on its way (queued after the change, or found by
the reconciler within minutes); until it lands, pages say so instead of presenting the old
result as current, and a coordinator confirms before deciding on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from rules.models import RuleSet

RECORD_CHANGED = "Record changed {when} after this screening: a re-screen is queued."
RULESET_RETIRED = (
    "Rule set version {version} is no longer active: a re-screen with the active version is queued."
)
RECORD_CHANGED_SHORT = "record changed {when}, re-screen queued"
RULESET_RETIRED_SHORT = "rule set v{version} no longer active"
CONFIRM_STALE = (
    "I have seen that this screening is out of date ({reasons}) and decide on it nonetheless."
)
MUST_CONFIRM_STALE = "The screening is out of date: tick the box to confirm you decide on it."


@dataclass(frozen=True)
class Staleness:
    record_changed_at: datetime | None  # the record's last change, when it is newer
    record_changed: bool
    retired_version: str | None  # the screening's rule set, when it is no longer active

    def _when(self) -> str:
        if self.record_changed_at is None:
            return "since"
        return timezone.localtime(self.record_changed_at).strftime("%d %b %H:%M")

    @property
    def messages(self) -> list[str]:
        said = []
        if self.record_changed:
            said.append(RECORD_CHANGED.format(when=self._when()))
        if self.retired_version is not None:
            said.append(RULESET_RETIRED.format(version=self.retired_version))
        return said

    @property
    def short(self) -> str:
        said = []
        if self.record_changed:
            said.append(RECORD_CHANGED_SHORT.format(when=self._when()))
        if self.retired_version is not None:
            said.append(RULESET_RETIRED_SHORT.format(version=self.retired_version))
        return "; ".join(said)

    def __str__(self) -> str:
        return " ".join(self.messages)


def active_ruleset() -> RuleSet | None:
    return RuleSet.objects.active()


def _retired(screening, active: RuleSet | None) -> bool:
    """Is the screening's rule set no longer the active one? Asks the database only when
    neither the screening's rule set (``select_related``) nor the active one was loaded."""
    if active is not None:
        return screening.ruleset_id != active.pk
    if _ruleset_loaded(screening):
        return screening.ruleset.status != RuleSet.Status.PUBLISHED
    active = active_ruleset()
    return active is not None and screening.ruleset_id != active.pk


def _ruleset_loaded(screening) -> bool:
    return type(screening).ruleset.is_cached(screening)


def staleness_of(screening, patient=None, active: RuleSet | None = None) -> Staleness | None:
    """Why ``screening`` is out of date, or None when it is the record's under the active version.

    ``patient`` defaults to the screening's; pass ``active`` (the active rule set) when
    checking many rows, to read it once.
    """
    if screening is None:
        return None
    patient = patient or screening.patient
    stored = getattr(screening, "record_version", None)
    current = getattr(patient, "record_version", None)
    record_changed = stored is not None and current is not None and current > stored
    retired = _retired(screening, active)
    if not (record_changed or retired):
        return None
    return Staleness(
        record_changed_at=getattr(patient, "updated_at", None) if record_changed else None,
        record_changed=record_changed,
        retired_version=screening.ruleset_version if retired else None,
    )
