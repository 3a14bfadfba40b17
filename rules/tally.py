"""Applying a disease's criteria to a patient's facts: a line each, and what they add up to.

Part of the pure engine (no Django, no clock). For each criterion, its outcome (met, not met,
not evaluable, or not applicable when its fact does not apply to this patient), then by kind:
points and core criteria add their points to their domain's tally (a criterion that cannot
be evaluated counts as not met, and also towards the best score reachable once the data are
collected); exclusions, unmet indications and unmet core criteria with a trial-only band gate
the band; met reviews and unmet core criteria cap it; required or core criteria that cannot
be evaluated make it Incomplete; work-up items are listed to collect while missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from math import floor
from typing import NamedTuple

from .compiler import Compiled, outcome_of
from .facts import AT_LEAST, MISSING, OK, FactValue
from .result import Line, Reason, ToCollect
from .specs import (
    CANDIDATE_LADDER,
    CORE,
    DOMAINS,
    EXCLUDED,
    EXCLUSION,
    GATED_BANDS,
    INCOMPLETE,
    INDICATION,
    MET,
    NOT_APPLICABLE,
    NOT_EVALUABLE,
    NOT_INDICATED,
    NOT_MET,
    POINTS,
    REVIEW,
    SCORED_KINDS,
    TRIAL_ONLY,
    UNLIKELY,
    WORKUP,
)

_NO_FACT = FactValue()
# tuple.__new__ builds a NamedTuple from a complete tuple without the generated __new__'s
# argument handling: about twice as fast, and the engine makes one Line per criterion.
_new = tuple.__new__


class Gates:
    """The bands that gates force and the caps that limit, each with its reason.

    ``first`` holds the gated bands (Not indicated, Trial only, Excluded, Incomplete) with the
    first reason for each; ``caps`` the best band a cap allows. Every reason, in the order
    found, is in ``reasons``: the result shows them all.
    """

    __slots__ = ("first", "caps", "reasons")

    def __init__(self) -> None:
        self.first: dict[str, Reason] = {}
        self.caps: list[str] = []
        self.reasons: list[Reason] = []

    def add(self, band: str, reason: Reason) -> None:
        self.first.setdefault(band, reason)
        self.reasons.append(reason)

    def cap(self, band: str, reason: Reason) -> None:
        self.caps.append(band)
        self.reasons.append(reason)

    def gated(self) -> bool:
        """Whether a gate other than Incomplete applies (no score is shown then)."""
        return any(band in GATED_BANDS for band in self.first)

    def best_allowed(self) -> str:
        """The best candidate band the caps allow (Strong when there are none)."""
        return max(self.caps, key=CANDIDATE_LADDER.index, default=CANDIDATE_LADDER[0])


class Tally:
    """Points per domain: met, applicable (every scored criterion that applies) and unknown."""

    __slots__ = ("met", "applicable", "unknown")

    def __init__(self) -> None:
        self.met = dict.fromkeys(DOMAINS, 0.0)
        self.applicable = dict.fromkeys(DOMAINS, 0.0)
        self.unknown = dict.fromkeys(DOMAINS, 0.0)

    def fractions(self) -> tuple[dict[str, float | None], dict[str, float | None]]:
        """Each domain's share of its points met, and the share reachable once collected.

        None for a domain with no scored criterion: it counts as zero in the score (an empty
        domain cannot give full marks) and shows as "no criteria".
        """
        now: dict[str, float | None] = {}
        best: dict[str, float | None] = {}
        for d in DOMAINS:
            total = self.applicable[d]
            now[d] = self.met[d] / total if total else None
            best[d] = (self.met[d] + self.unknown[d]) / total if total else None
        return now, best


def weighted_score(fractions: Mapping[str, float | None], weights: Mapping[str, float]) -> int:
    """0-100 over every domain's weight, rounded half up; a domain without points counts 0."""
    total = sum(weights[d] for d in DOMAINS)
    if not total:
        return 0
    weighted = sum(weights[d] * (fractions.get(d) or 0.0) for d in DOMAINS)
    return int(floor(weighted / total * 100 + 0.5))


class Applied(NamedTuple):
    """What applying the criteria gave: a line each, and the tallies the later steps need."""

    lines: list[Line]
    tally: Tally
    review: list[str]  # keys of review criteria met
    wanted: dict[tuple[str, str], list[str]]  # (input, missing/stale) -> criterion keys
    required: set[tuple[str, str]]  # the inputs a required or core criterion wants
    evaluable: int
    applicable: int  # criteria whose fact applies to this patient


def apply_criteria(
    facts: Mapping[str, FactValue], criteria: tuple[Compiled, ...], gates: Gates
) -> Applied:
    """Apply each criterion to its fact: a line each, with the gates, caps and tallies."""
    lines: list[Line] = []
    tally = Tally()
    review: list[str] = []
    wanted: dict[tuple[str, str], list[str]] = {}
    required: set[tuple[str, str]] = set()
    evaluable = applicable = 0
    met, applies, unknown = tally.met, tally.applicable, tally.unknown
    append = lines.append
    for comp in criteria:  # the hot path: kept flat, with the common case inlined
        s = comp.spec
        kind = s.kind
        fv = facts.get(s.fact, _NO_FACT)
        status = fv.status
        if kind == WORKUP:
            outcome = MET if status in (OK, AT_LEAST) else outcome_of(comp, fv)
        elif status == OK:
            outcome = MET if comp.test(fv.value) else NOT_MET
        else:
            outcome = outcome_of(comp, fv)
        if outcome == NOT_APPLICABLE:
            append(_new(Line, (s, fv.value, fv.on, status, outcome, 0.0, 0.0, fv.note)))
            continue
        applicable += 1
        possible = s.points if kind in SCORED_KINDS else 0.0
        points = 0.0
        if possible:
            applies[s.domain] += possible
        if outcome == NOT_EVALUABLE:
            _want(fv, s.key, s.fact, s.required or kind == CORE, wanted, required)
            if possible:
                unknown[s.domain] += possible
            if kind == CORE:
                gates.add(INCOMPLETE, Reason("core_unknown", s.key, s.label))
            elif s.required:
                gates.add(INCOMPLETE, Reason("required_missing", s.key, s.label))
        else:
            evaluable += 1
            if outcome == MET and possible:
                points = possible
                met[s.domain] += points
            if kind != POINTS:  # points criteria never gate or cap
                _gate(kind, outcome, comp, gates, review)
        append(_new(Line, (s, fv.value, fv.on, status, outcome, points, possible, fv.note)))
    return Applied(lines, tally, review, wanted, required, evaluable, applicable)


def _gate(kind: str, outcome: str, comp: Compiled, gates: Gates, review: list[str]) -> None:
    """What an evaluable criterion's outcome does to the band."""
    s = comp.spec
    if kind == EXCLUSION and outcome == MET:
        gates.add(EXCLUDED, Reason("excluded", s.key, s.label))
    elif kind == INDICATION and outcome == NOT_MET:
        gates.add(NOT_INDICATED, Reason("indication_not_met", s.key, s.label))
    elif kind == REVIEW and outcome == MET:
        review.append(s.key)
        gates.cap(s.cap, Reason("review_cap", s.key, s.label, s.cap))
    elif kind == CORE and outcome == NOT_MET:
        if (s.not_met_band or UNLIKELY) == TRIAL_ONLY:
            gates.add(TRIAL_ONLY, Reason("core_not_met_trial", s.key, s.label, TRIAL_ONLY))
        else:
            gates.cap(UNLIKELY, Reason("core_not_met", s.key, s.label, UNLIKELY))


def _want(
    fv: FactValue,
    key: str,
    fact: str,
    required: bool,
    wanted: dict[tuple[str, str], list[str]],
    required_inputs: set[tuple[str, str]],
) -> None:
    """Note the inputs a criterion lacks (missing, or too old) under the criterion's key."""
    missing = fv.missing or ((fact,) if fv.status == MISSING else ())
    for reason, items in (("missing", missing), ("stale", fv.stale)):
        for item in items:
            wanted.setdefault((item, reason), []).append(key)
            if required:
                required_inputs.add((item, reason))


def want_for_strong(
    facts: Mapping[str, FactValue], wanted: dict[tuple[str, str], list[str]], key: str
) -> list[str]:
    """What Strong needs that is not known, as labels; its inputs are added to ``wanted``.

    Strong needs a complete comorbidity assessment and known infection, malignancy and (where
    it applies) pregnancy status (scoring-model.md, "Result").
    """
    gaps: list[str] = []
    comorbidity = facts.get("hct_ci_items_unknown", _NO_FACT)
    if comorbidity.status != OK or comorbidity.value:
        gaps.append(STRONG_NEEDS["hct_ci_items_unknown"])
        _want(comorbidity, key, "hct_ci_items_unknown", False, wanted, set())
    for name in ("active_infection", "malignancy", "pregnant"):
        fv = facts.get(name, _NO_FACT)
        if not fv.known:
            gaps.append(STRONG_NEEDS[name])
            _want(fv, key, name, False, wanted, set())
    return gaps


STRONG_NEEDS = {
    "hct_ci_items_unknown": "every HCT-CI comorbidity assessed",
    "active_infection": "infection status",
    "malignancy": "malignancy status",
    "pregnant": "pregnancy status",
}
STRONG_REQUIREMENTS_KEY = "strong_candidate"  # the "criterion" that wants them, in to_collect


def to_collect(
    wanted: Mapping[tuple[str, str], list[str]], required: set[tuple[str, str]]
) -> tuple[ToCollect, ...]:
    """The data to collect: required first, then by name (a stable order to store and show)."""
    if not wanted:
        return ()
    return tuple(
        sorted(
            [
                ToCollect(item, reason, (item, reason) in required, tuple(dict.fromkeys(keys)))
                for (item, reason), keys in wanted.items()
            ],
            key=lambda t: (not t.required, t.item, t.reason),
        )
    )
