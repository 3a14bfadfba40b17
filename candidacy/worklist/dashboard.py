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


_FUNNEL_SQL = """
SELECT line ->> 'key', MAX(line ->> 'label'), COUNT(*),
       COUNT(*) FILTER (WHERE line ->> 'outcome' <> %s),
       COUNT(*) FILTER (WHERE line ->> 'outcome' = %s)
FROM candidacy_screening s
CROSS JOIN LATERAL jsonb_array_elements(s.result -> 'lines') AS line
WHERE s.id IN ({scoped}) AND line ->> 'kind' = %s
GROUP BY line ->> 'key'
"""


def _funnel_postgres(user) -> list[FunnelStep]:
    scoped_sql, scoped_params = scoped(user).order_by().values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            _FUNNEL_SQL.format(scoped=scoped_sql), [NOT_EVALUABLE, MET, *scoped_params, EXCLUSION]
        )
        return [
            FunnelStep(key, label or key, applies, evaluated, excluded)
            for key, label, applies, evaluated, excluded in cursor.fetchall()
        ]


def _funnel_python(user) -> list[FunnelStep]:
    counts: dict[str, list] = {}
    results = (
        scoped(user).order_by().values_list("result", flat=True).iterator(chunk_size=FUNNEL_CHUNK)
    )
    for result in results:
        for line in result.get("lines", ()):
            if line.get("kind") != EXCLUSION:
                continue
            entry = counts.setdefault(line["key"], [line.get("label") or line["key"], 0, 0, 0])
            entry[1] += 1
            entry[2] += line.get("outcome") != NOT_EVALUABLE
            entry[3] += line.get("outcome") == MET
    return [
        FunnelStep(key, label, applies, evaluated, excluded)
        for key, (label, applies, evaluated, excluded) in counts.items()
    ]


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
