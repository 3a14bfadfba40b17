"""Turn a preview's summary and a patient's two results into what the pages show.

Everything here reads the stored summary or results in memory: no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from common import labels

from ..describe import describe_rule, with_unit
from ..facts import FACTS, MISSING
from ..result import (
    OUTCOME_PHRASES,
    Line,
    Result,
    display_value,
    reason_text,
    score_text,
)
from ..specs import EXCLUDED, INCOMPLETE, NOT_INDICATED, POSSIBLE, STRONG, TRIAL_ONLY, UNLIKELY
from .summary import BAND_ORDER

NOT_IN_VERSION = "not in this version"
# A band is a word and a colour (static/css/candidacy.css), as on every page; the same classes
# as candidacy.screening.presenters.BAND_CSS (rules cannot import it; a test checks they agree).
BAND_CSS = {
    NOT_INDICATED: "band-not-indicated",
    TRIAL_ONLY: "band-trial-only",
    EXCLUDED: "band-excluded",
    INCOMPLETE: "band-incomplete",
    STRONG: "band-strong",
    POSSIBLE: "band-possible",
    UNLIKELY: "band-unlikely",
}


# --- The summary ----------------------------------------------------------------------------


def matrix_rows(summary: dict[str, Any]) -> dict[str, Any]:
    """The movement matrix as a table: a row per band before, a column per band after."""
    matrix = summary.get("matrix", {})
    bands = list(summary.get("bands", BAND_ORDER))
    rows = []
    for before in bands:
        counts = matrix.get(before, {})
        cells = [
            {
                "band": after,
                "count": counts.get(after, 0),
                "moved": after != before,
                "query": urlencode({"moved_from": before, "moved_to": after}),
            }
            for after in bands
        ]
        rows.append({"band": before, "cells": cells, "total": sum(counts.values())})
    totals = [sum(matrix.get(b, {}).get(after, 0) for b in bands) for after in bands]
    return {"bands": bands, "rows": rows, "totals": totals, "total": sum(totals)}


def attrition_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The attrition table in order, each row with the patients left after it."""
    left_draft = left_baseline = summary.get("total", 0)
    rows, step = [], None
    for entry in summary.get("attrition", []):
        left_draft -= entry["draft"]
        left_baseline -= entry["baseline"]
        rows.append(
            {
                **entry,
                "first_of_step": entry["step"] != step,
                "left_draft": left_draft,
                "left_baseline": left_baseline,
                "difference": entry["draft"] - entry["baseline"],
            }
        )
        step = entry["step"]
    return rows


def score_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    scores = summary.get("scores") or {}
    rows = [
        {"label": label, "before": before, "after": after, "difference": after - before}
        for label, before, after in zip(
            scores.get("bins", []), scores.get("before", []), scores.get("after", []), strict=True
        )
    ]
    before, after = scores.get("gated_before", 0), scores.get("gated_after", 0)
    rows.append(
        {
            "label": "No score (not indicated, trial only or excluded)",
            "before": before,
            "after": after,
            "difference": after - before,
            "gated": True,
        }
    )
    return rows


def chart_data(summary: dict[str, Any], matrix: dict[str, Any]) -> dict[str, Any]:
    """What the page's two charts draw (each repeats a table on the page)."""
    scores = summary.get("scores") or {}
    return {
        "bands": {
            "labels": matrix["bands"],
            "before": [row["total"] for row in matrix["rows"]],
            "after": matrix["totals"],
        },
        "scores": {
            "labels": scores.get("bins", []),
            "before": scores.get("before", []),
            "after": scores.get("after", []),
        },
    }


def limit_labels(summary: dict[str, Any]) -> dict[str, str]:
    """What keeps a mover off Strong, by the id the row stores: its label, never the key."""
    return {entry["id"]: entry["label"] for entry in summary.get("attrition", [])}


# --- One patient under both versions --------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One criterion under one version: its rule in words, what it made of the patient."""

    rule: str
    outcome: str
    outcome_code: str
    points: str


@dataclass(frozen=True)
class CompareRow:
    label: str
    kind: str
    value: str
    value_on: date | None
    before: Side | None
    after: Side | None
    changed: bool

    @property
    def sides(self) -> tuple[Side | None, Side | None]:
        return self.before, self.after


def _side(line: Line) -> Side:
    if line.points_possible:
        points = f"{line.points:g} of {line.points_possible:g}"
    elif line.kind == "review" and line.criterion.cap:
        points = f"{line.criterion.cap} at best"
    else:
        points = ""
    rule = describe_rule(line.fact, line.operator, line.thresholds)
    return Side(rule, OUTCOME_PHRASES[line.outcome], line.outcome, points)


def _value(line: Line) -> str:
    if line.value_status == MISSING:
        return display_value(line)
    return with_unit(display_value(line), FACTS[line.fact].unit if line.fact in FACTS else "")


def compare_rows(before: Result, after: Result) -> list[CompareRow]:
    """Every criterion of either version, in the draft's order, the active version's own last."""
    old = {line.key: line for line in before.lines}
    new = {line.key: line for line in after.lines}
    keys = list(new) + [key for key in old if key not in new]
    rows = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        line = b or a
        if line is None:  # pragma: no cover - every key comes from one of the two
            continue
        left, right = (_side(a) if a else None), (_side(b) if b else None)
        rows.append(
            CompareRow(
                label=line.label or key,
                kind=labels.capfirst(labels.KIND_LABELS.get(line.kind, labels.label(line.kind))),
                value=_value(line),
                value_on=line.value_on,
                before=left,
                after=right,
                changed=left != right,
            )
        )
    return rows


def result_summary(result: Result) -> dict[str, Any]:
    return {
        "band": result.band,
        "score": None if result.score is None else score_text(result),
        "reasons": [reason_text(r)[:1].upper() + reason_text(r)[1:] for r in result.reasons],
        "completeness": round(result.completeness * 100),
        "version": result.ruleset_version,
    }
