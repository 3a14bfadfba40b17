"""A preview's counts: each chunk tallies its patients, the preview adds the chunks up.

The summary stored on ``RuleSetPreview.summary`` (JSON) holds:

- ``total``: patients screened; ``moved``: how many changed band;
- ``matrix``: ``{band before: {band after: patients}}``, non-zero cells only, bands as
  their words (``BAND_ORDER`` gives the order to show them in);
- ``attrition``: a list, in order (``rules.previews.attrition``), of
  ``{"step", "step_label", "id", "label", "draft", "baseline"}``: how many patients each
  gate, criterion or cap keeps off Strong under the draft and under the active version;
- ``strong``: ``{"draft": n, "baseline": n}``, the strong candidates left;
- ``scores``: ``{"bins": [labels], "before": [counts], "after": [counts],
  "gated_before": n, "gated_after": n}``: scores in bins of ten; the gated bands have no
  score and are counted apart.

Pure: no Django.
"""

from __future__ import annotations

from typing import Any

from ..result import Result
from ..specs import (
    EXCLUDED,
    INCOMPLETE,
    NOT_INDICATED,
    POSSIBLE,
    STRONG,
    TRIAL_ONLY,
    UNLIKELY,
)
from .attrition import STEP_INDEX, STEPS, Limit

# Candidates first, as the worklist ranks them (candidacy.screening.models.WORKLIST_BAND_ORDER;
# rules cannot import candidacy, and a test checks the two agree).
BAND_ORDER = (STRONG, POSSIBLE, INCOMPLETE, TRIAL_ONLY, UNLIKELY, EXCLUDED, NOT_INDICATED)
BAND_RANK = {band: rank for rank, band in enumerate(BAND_ORDER)}
BINS = 10
BIN_LABELS = [f"{10 * n}–{10 * n + 9}" for n in range(BINS - 1)] + ["90–100"]


def move_key(before: str, after: str) -> int:
    """ "From band, then to band" as one ascending number, for the movers' keyset order."""
    return BAND_RANK[before] * 10 + BAND_RANK[after]


def score_bin(score: int) -> int:
    return min(score // 10, BINS - 1)


def empty() -> dict[str, Any]:
    """A tally with nothing counted yet (the shape of a chunk's ``partial``)."""
    return {
        "total": 0,
        "moved": 0,
        "matrix": {},
        "attrition": {"draft": {}, "baseline": {}},
        "limits": {},
        "strong": {"draft": 0, "baseline": 0},
        "scores": {"before": [0] * BINS, "after": [0] * BINS, "gated_before": 0, "gated_after": 0},
    }


def _limit_id(limit: Limit) -> str:
    return f"{limit.step}:{limit.id}"


def tally_add(
    tally: dict[str, Any],
    before: Result,
    after: Result,
    limit_before: Limit | None,
    limit_after: Limit | None,
) -> None:
    """Count one patient: their move, what limits them under each version, their scores."""
    tally["total"] += 1
    if before.band != after.band:
        tally["moved"] += 1
    row = tally["matrix"].setdefault(before.band, {})
    row[after.band] = row.get(after.band, 0) + 1
    for side, limit in (("draft", limit_after), ("baseline", limit_before)):
        if limit is None:
            tally["strong"][side] += 1
            continue
        key = _limit_id(limit)
        counts = tally["attrition"][side]
        counts[key] = counts.get(key, 0) + 1
        tally["limits"].setdefault(key, limit.label)
    scores = tally["scores"]
    for side, result in (("before", before), ("after", after)):
        if result.score is None:
            scores[f"gated_{side}"] += 1
        else:
            scores[side][score_bin(result.score)] += 1


def tally_merge(total: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """Add one chunk's tally into ``total`` (and return it)."""
    total["total"] += part["total"]
    total["moved"] += part["moved"]
    for before, row in part["matrix"].items():
        into = total["matrix"].setdefault(before, {})
        for after, n in row.items():
            into[after] = into.get(after, 0) + n
    for side in ("draft", "baseline"):
        into = total["attrition"][side]
        for key, n in part["attrition"][side].items():
            into[key] = into.get(key, 0) + n
        total["strong"][side] += part["strong"][side]
    for key, label in part["limits"].items():
        total["limits"].setdefault(key, label)
    for side in ("before", "after"):
        total["scores"][side] = [
            a + b for a, b in zip(total["scores"][side], part["scores"][side], strict=True)
        ]
        total["scores"][f"gated_{side}"] += part["scores"][f"gated_{side}"]
    return total


def summarise(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The preview's summary from its chunks' tallies (see the module's docstring)."""
    total = empty()
    for part in parts:
        if part:
            tally_merge(total, part)
    attrition = []
    for key, label in total["limits"].items():
        step, _, limit_id = key.partition(":")
        attrition.append(
            {
                "step": step,
                "step_label": STEPS[STEP_INDEX[step]].label,
                "id": limit_id,
                "label": label,
                "draft": total["attrition"]["draft"].get(key, 0),
                "baseline": total["attrition"]["baseline"].get(key, 0),
            }
        )
    attrition.sort(key=lambda a: (STEP_INDEX[a["step"]], -a["draft"], -a["baseline"], a["label"]))
    return {
        "total": total["total"],
        "moved": total["moved"],
        "bands": list(BAND_ORDER),
        "matrix": total["matrix"],
        "attrition": attrition,
        "strong": total["strong"],
        "scores": {"bins": BIN_LABELS, **total["scores"]},
    }
