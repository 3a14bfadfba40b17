"""What keeps a patient off Strong: the first reason in the band's precedence.

A screening lists every reason it found (``Result.reasons``, in the order the engine found
them). For attrition, each patient who is not a strong candidate is counted once, at the
first step that removes them, in the order the design gives the bands their precedence:
the gates first (not indicated, trial only, excluded), then incomplete data, then unmet
guideline (core) criteria, then the caps of team-review criteria, then what a strong
candidate needs recorded, then the score itself. Within a step, the strictest cap first
(Unlikely before Possible), else the reason found first.

Pure: no Django; it reads a :class:`rules.result.Result` only.
"""

from __future__ import annotations

from typing import NamedTuple

from ..result import Reason, Result, reason_text
from ..specs import (
    EXCLUDED,
    INCOMPLETE,
    NOT_INDICATED,
    STRONG,
    TRIAL_ONLY,
    UNLIKELY,
)


class Step(NamedTuple):
    key: str
    label: str
    codes: frozenset[str]


SCORE_BELOW_STRONG = "score_below_strong"
STEPS: tuple[Step, ...] = (
    Step(
        "not_indicated",
        NOT_INDICATED,
        frozenset(
            {
                "no_covered_disease",
                "paediatric",
                "no_indication",
                "no_disease",
                "category_gnr",
                "indication_not_met",
            }
        ),
    ),
    Step("trial_only", TRIAL_ONLY, frozenset({"category_d", "core_not_met_trial"})),
    Step("excluded", EXCLUDED, frozenset({"excluded"})),
    Step(
        "incomplete",
        INCOMPLETE,
        frozenset({"age_unknown", "pathway_unknown", "core_unknown", "required_missing"}),
    ),
    Step(
        "core",
        "Guideline criterion not met",
        frozenset({"core_not_met", "ist_first", "not_severe"}),
    ),
    Step("cap", "Capped for team review", frozenset({"review_cap"})),
    Step(
        "strong_needs", "Not yet known what a strong candidate needs", frozenset({"strong_needs"})
    ),
    Step("score", "Score", frozenset({"score_below_possible", SCORE_BELOW_STRONG})),
)
STEP_INDEX = {step.key: n for n, step in enumerate(STEPS)}

# Reasons that name no criterion: their label here (the others carry the criterion's label).
CODE_LABELS = {
    "strong_needs": "Comorbidities, infection, malignancy or pregnancy status not recorded",
    "score_below_possible": "Score below the possible-candidate threshold",
    SCORE_BELOW_STRONG: "Score below the strong-candidate threshold",
}


class Limit(NamedTuple):
    """What keeps one patient off Strong: the step, an id (criterion key or reason code), a label."""

    step: str
    id: str
    label: str


def _label(reason: Reason) -> str:
    if reason.key:
        return reason.label or reason.key
    if reason.code in CODE_LABELS:
        return CODE_LABELS[reason.code]
    text = reason_text(reason)
    return text[:1].upper() + text[1:]


def _first(reasons: tuple[Reason, ...], step: Step) -> Reason | None:
    found = [r for r in reasons if r.code in step.codes]
    if not found:
        return None
    strictest = [r for r in found if r.band == UNLIKELY]
    return (strictest or found)[0]


def limit_of(result: Result) -> Limit | None:
    """The first reason that keeps this result off Strong (None for a strong candidate)."""
    if result.band == STRONG:
        return None
    for step in STEPS:
        reason = _first(result.reasons, step)
        if reason is not None:
            return Limit(step.key, reason.key or reason.code, _label(reason))
    # No reason recorded: a score between the two thresholds, nothing else in the way.
    return Limit("score", SCORE_BELOW_STRONG, CODE_LABELS[SCORE_BELOW_STRONG])
