""" "Why this rank": which band put the patient where they are, and what would move them.

The worklist ranks by band (in WORKLIST_BAND_ORDER), then by score within the candidate
bands, then by name. The explanation table says what each criterion did; these sentences say
what that means for the patient's place in the list.
"""

from __future__ import annotations

from collections.abc import Mapping

from common.labels import capfirst, join_words
from rules.result import Result, reason_text
from rules.specs import (
    EXCLUDED,
    INCOMPLETE,
    NOT_INDICATED,
    POSSIBLE,
    STRONG,
    TRIAL_ONLY,
    UNLIKELY,
)

from ..screening.models import WORKLIST_BAND_ORDER
from ..screening.wording import input_label

GATED = (EXCLUDED, NOT_INDICATED, TRIAL_ONLY)
# The reasons that hold a band down whatever the score (review caps, the checklist, what a
# Strong candidate still needs); the presenters show them as "What limits the band".
HOLDING = ("review_cap", "core_not_met", "core_not_met_trial", "strong_needs")
COLLECT_SHOWN = 4


def _collect(result: Result) -> str:
    names = list(dict.fromkeys(input_label(t.item) for t in result.to_collect))
    more = len(names) - COLLECT_SHOWN
    return join_words(names[:COLLECT_SHOWN]) + (f" and {more} more" if more > 0 else "")


def _upper(result: Result) -> str:
    if result.score is None or not result.score_upper or result.score_upper <= result.score:
        return ""
    return (
        f"Collecting the data still missing ({_collect(result)}) could raise the score "
        f"to {result.score_upper}."
    )


def rank_sentences(result: Result, thresholds: Mapping[str, float]) -> list[str]:
    """Where the band puts the patient, then what would move them up (or down)."""
    band, score = result.band, result.score
    place = WORKLIST_BAND_ORDER.index(band) + 1 if band in WORKLIST_BAND_ORDER else 0
    out = [
        f"{band} puts the patient in group {place} of {len(WORKLIST_BAND_ORDER)}: "
        f"{', '.join(WORKLIST_BAND_ORDER)}."
    ]
    if score is not None:
        out.append(f"Within {band}, patients rank by score ({score} here), then by name.")
    else:
        out.append(f"{band} has no score: within it, patients rank by name.")
    holding = [capfirst(reason_text(r)) for r in result.reasons if r.code in HOLDING]
    strong, possible = thresholds.get("strong"), thresholds.get("possible")
    if band in GATED:
        found = "; ".join(capfirst(reason_text(r)) for r in result.reasons) or band
        out.append(f"Only a change in what decided the band would move the patient: {found}.")
    elif band == INCOMPLETE:
        out.append(
            f"The band is decided once the data are in: {_collect(result) or 'see the reasons'}."
        )
    elif holding:
        out.append(f"Held at {band} whatever the score by: {'; '.join(holding)}.")
    elif band == POSSIBLE and strong is not None and score is not None:
        out.append(
            f"{strong - score:g} more points (a score of {strong:g}) would make a Strong candidate."
        )
    elif band == UNLIKELY and possible is not None and score is not None:
        out.append(
            f"{possible - score:g} more points (a score of {possible:g}) would make a "
            "Possible candidate."
        )
    elif band == STRONG and strong is not None:
        out.append(f"Below a score of {strong:g} the patient would be a Possible candidate.")
    upper = _upper(result)
    return out + ([upper] if upper and band not in (*GATED, INCOMPLETE) else [])
