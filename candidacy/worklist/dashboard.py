"""Dashboard aggregates over the current screenings of the user's centres.

Counts are computed by the database (values().annotate(Count)). The exclusion funnel
reads the stored result lines: on PostgreSQL with one JSON query, elsewhere (SQLite in
development) by streaming the results in chunks; both give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F

from patients.models import Disease
from rules import loader
from rules.models import RuleSet
from rules.stored import is_slim

from ..screening.models import WORKLIST_BAND_ORDER, Screening
from ..screening.presenters import band_css

BIN_WIDTH = 10
# Scores run 0-100; 100 joins the top bin so there are ten bins of ten.
BINS = [(low, low + BIN_WIDTH - 1 if low < 90 else 100) for low in range(0, 100, BIN_WIDTH)]
EXCLUSION = "exclusion"
MET, NOT_EVALUABLE = "met", "not_evaluable"
FUNNEL_CHUNK = 2000


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    applies: int  # current screenings whose result has this criterion
    evaluated: int  # ... on which it could be decided (not missing or stale)
    excluded: int  # ... on which it was met: the contraindication is present

    @property
    def passed(self) -> int:
        return self.evaluated - self.excluded

    @property
    def excluded_percent(self) -> int:
        return round(100 * self.excluded / self.evaluated) if self.evaluated else 0


def scoped(user):
    return Screening.objects.current().visible_to(user)


def by_band(user) -> list[dict]:
    counts = dict(scoped(user).order_by().values_list("band").annotate(n=Count("id")))
    return [{"band": b, "count": counts.get(b, 0), "css": band_css(b)} for b in WORKLIST_BAND_ORDER]


def by_disease(user) -> list[dict]:
    names = dict(Disease.objects.values_list("key", "name"))
    rows = (
        scoped(user)
        .order_by()
        .values("disease_key")
        .annotate(n=Count("id"))
        .order_by("-n", "disease_key")
    )
    return [
        {
            "disease": names.get(r["disease_key"], r["disease_key"] or "Not recorded"),
            "count": r["n"],
        }
        for r in rows
    ]


def score_histogram(user) -> list[dict]:
    # Integer division in the database: score / 10 is the bin (100 is folded into 90-100).
    counts: dict[int, int] = {}
    # Gated bands store no score and are left out: a score beside them would mislead.
    rows = (
        scoped(user)
        .filter(score__isnull=False)
        .order_by()
        .annotate(bin=F("score") / BIN_WIDTH)
        .values("bin")
        .annotate(n=Count("id"))
    )
    for row in rows:
        index = min(int(row["bin"]), len(BINS) - 1)
        counts[index] = counts.get(index, 0) + row["n"]
    return [
        {"bin": f"{low}–{high}", "count": counts.get(i, 0)} for i, (low, high) in enumerate(BINS)
    ]


# Grouped by rule set as well as key: a slim stored line names its criterion by key only
# (``[key, outcome, …]``), and the criterion's kind and label come from its rule set version.
# Lines stored in full (``{"key": …, "kind": …}``) still count.
_FUNNEL_SQL = """
SELECT s.ruleset_id, COALESCE(line ->> 'key', line ->> 0), MAX(line ->> 'kind'),
       MAX(line ->> 'label'), COUNT(*),
       COUNT(*) FILTER (WHERE COALESCE(line ->> 'outcome', line ->> 1) <> %s),
       COUNT(*) FILTER (WHERE COALESCE(line ->> 'outcome', line ->> 1) = %s)
FROM candidacy_screening s
CROSS JOIN LATERAL jsonb_array_elements(s.result -> 'lines') AS line
WHERE s.id IN ({scoped}) AND COALESCE(line ->> 'kind', %s) = %s
GROUP BY 1, 2
"""


def _criterion(ruleset_id: int, key: str, kind: str | None, label: str | None):
    """(kind, label) of a line's criterion: stored on a full line, else from its rule set."""
    if kind is not None:
        return kind, label
    criterion = loader.criteria_by_key(ruleset_id, lambda: RuleSet.objects.get(pk=ruleset_id))
    spec = criterion.get(key)
    return (spec.kind, spec.label) if spec is not None else ("", key)


def _funnel_steps(rows) -> list[FunnelStep]:
    """Rows of (rule set id, key, kind, label, applies, evaluated, excluded), merged by key."""
    counts: dict[str, list] = {}
    for ruleset_id, key, kind, label, applies, evaluated, excluded in rows:
        kind, label = _criterion(ruleset_id, key, kind, label)
        if kind != EXCLUSION:
            continue
        entry = counts.setdefault(key, [label or key, 0, 0, 0])
        entry[1] += applies
        entry[2] += evaluated
        entry[3] += excluded
    return [
        FunnelStep(key, label, applies, evaluated, excluded)
        for key, (label, applies, evaluated, excluded) in counts.items()
    ]


def _funnel_postgres(user) -> list[FunnelStep]:
    scoped_sql, scoped_params = scoped(user).order_by().values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            _FUNNEL_SQL.format(scoped=scoped_sql),
            [NOT_EVALUABLE, MET, *scoped_params, EXCLUSION, EXCLUSION],
        )
        return _funnel_steps(cursor.fetchall())


def _funnel_python(user) -> list[FunnelStep]:
    rows = (
        scoped(user)
        .order_by()
        .values_list("ruleset_id", "result")
        .iterator(chunk_size=FUNNEL_CHUNK)
    )
    counts: dict[tuple, list] = {}
    for ruleset_id, result in rows:
        slim = is_slim(result)
        for line in result.get("lines", ()):
            key, outcome = (line[0], line[1]) if slim else (line["key"], line.get("outcome"))
            kind, label = (None, None) if slim else (line.get("kind"), line.get("label"))
            entry = counts.setdefault((ruleset_id, key, kind, label), [0, 0, 0])
            entry[0] += 1
            entry[1] += outcome != NOT_EVALUABLE
            entry[2] += outcome == MET
    return _funnel_steps((*group, *n) for group, n in counts.items())


def exclusion_funnel(user) -> list[FunnelStep]:
    """Per exclusion criterion: on how many current screenings it was evaluated, and how many it excluded.

    Ordered by how many it excluded (most first), then by label, as a funnel reads.
    """
    steps = _funnel_postgres(user) if connection.vendor == "postgresql" else _funnel_python(user)
    return sorted(steps, key=lambda s: (-s.excluded, s.label))


def dashboard_context(user) -> dict:
    bands = by_band(user)
    return {
        "total": sum(b["count"] for b in bands),
        "bands": bands,
        "diseases": by_disease(user),
        "histogram": score_histogram(user),
        "funnel": exclusion_funnel(user),
    }
