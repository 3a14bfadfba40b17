"""``manage.py explain_worklist [--user NAME] [--plans]``: the worklist's query plans.

On PostgreSQL, for the first page, a page ~90% deep (from a keyset cursor, as a user
reaches it) of every sort the page offers, and for each filter, runs EXPLAIN (ANALYZE,
BUFFERS) on the page's main query and on the bare query beside it: the same filters,
order, cursor and columns scoped by literal centre ids on the screening alone (``literal``),
and the ids alone (``ids``: the least the database can do for that page; the difference is
mostly reading the list of data to collect out of the stored result). Prints a verdict per case: an index
scan that stops at the page (``ok``), or what it does instead (reads and throws away rows,
sorts, scans the table). ``--plans`` prints each plan in full.
"""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import F, QuerySet

from candidacy.screening.models import Screening
from candidacy.worklist.forms import WorklistForm
from candidacy.worklist.keyset import SORTS, WORKLIST, Cursor, sort_key
from candidacy.worklist.selectors import PAGE_SIZE, filtered, worklist_queryset
from patients.access import centre_ids
from rules.specs import STRONG, UNLIKELY

SCREENING = "candidacy_screening"
DEEP = 0.9
# A page reads its 51 rows; a few more where a filter skips rows is still "stops at the page".
STOPS_WITHIN = 4 * (PAGE_SIZE + 1)


def form_for(user, params: dict) -> WorklistForm:
    form = WorklistForm(params, user=user)
    if not form.is_valid():
        raise CommandError(f"{params}: {form.errors.as_text()}")
    return form


def deep_cursor(user, params: dict, sort: str) -> str | None:
    """The cursor of the page ~90% down this sort (the OFFSET is setup only: pages never count)."""
    form = form_for(user, {**params, "sort": sort})
    ordered = worklist_queryset(user, form).order_by(*WORKLIST.ordering(sort, False))
    total = ordered.count()
    if total < 2 * PAGE_SIZE:
        return None
    row = ordered[int(total * DEEP)]
    return Cursor(sort, False, sort_key(row, sort)).encode()


def page_sql(user, form: WorklistForm, kind: str) -> tuple[str, list]:
    """The SQL of the page (``page``); the same with the scope as literal centre ids on the
    screening alone, no join to check the patient's centre (``literal``); or the same order,
    filters and cursor selecting only the screening's id (``ids``: the least work there is)."""
    sort, cursor = form.cleaned_data["sort"], form.cleaned_data["cursor"]
    qs: QuerySet = worklist_queryset(user, form)
    if kind != "page":
        scoped = Screening.objects.current().filter(centre_id__in=centre_ids(user))
        qs = filtered(scoped, user, form)
        if kind == "literal":
            qs = qs.select_related("patient").defer("result")
            qs = qs.annotate(to_collect=F("result__to_collect"))
        else:
            qs = qs.values_list("pk", flat=True)
    sql, params = WORKLIST.page_query(qs, sort, cursor, PAGE_SIZE).query.sql_with_params()
    return sql, list(params)


def nodes(plan: dict, *, subplans: bool = True):
    yield plan
    for child in plan.get("Plans", ()):
        if subplans or child.get("Parent Relationship") not in ("SubPlan", "InitPlan"):
            yield from nodes(child, subplans=subplans)


def verdict(plan: dict) -> tuple[str, int]:
    """What the plan does to find the page, and how many screening rows it read for it."""
    kinds = [(n["Node Type"], n.get("Relation Name", "")) for n in nodes(plan)]
    read = sum(
        (n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0)) * n.get("Actual Loops", 1)
        for n in nodes(plan)
        if n.get("Relation Name") == SCREENING
    )
    if ("Seq Scan", SCREENING) in kinds:
        return "SEQ SCAN", read
    # A sort inside a subquery (a patient's latest review, of one or two rows) is not the page's.
    if any(n["Node Type"] == "Sort" for n in nodes(plan, subplans=False)):
        search = any(kind == "Bitmap Heap Scan" for kind, _r in kinds)
        # A search reads its matches through the trigram index and sorts only those.
        return ("search: index, sorts the matches" if search else "SORTS"), read
    if read > STOPS_WITHIN:
        return "index, reads past the page", read
    return "ok: index, stops at the page", read


class Command(BaseCommand):
    help = "EXPLAIN (ANALYZE, BUFFERS) of the worklist's page query, per sort, depth and filter."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="clinician-ntc", help="Whose worklist (a username).")
        parser.add_argument("--plans", action="store_true", help="Print every plan in full.")
        parser.add_argument("--repeat", type=int, default=5, help="Runs per query (median shown).")

    def handle(self, *args, user, plans, repeat, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "Query plans are PostgreSQL's: set DATABASE_URL to a PostgreSQL database."
            )
        person = get_user_model().objects.filter(username=user).first()
        if person is None:
            raise CommandError(f"No user {user!r} (seed_demo makes clinician-ntc).")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {SCREENING} WHERE is_current")  # noqa: S608
            (current,) = cursor.fetchone()
        self.stdout.write(
            f"database {connection.settings_dict['NAME']}: {current:,} current screenings; "
            f"user {user}, centres {centre_ids(person)}"
        )
        header = ("case", "plan", "rows read", "page ms", "literal ms", "ratio", "ids ms")
        table = [header]
        for label, params in self.cases(person):
            table.append(self.explain(person, label, params, plans, repeat))
        self.print_table(table)

    def cases(self, user) -> list[tuple[str, dict]]:
        cases: list[tuple[str, dict]] = []
        for sort in SORTS:
            cases.append((f"sort {sort}: first page", {"sort": sort}))
            cursor = deep_cursor(user, {}, sort)
            if cursor:
                cases.append((f"sort {sort}: deep page (~90%)", {"sort": sort, "cursor": cursor}))
        sample = worklist_queryset(user, form_for(user, {})).order_by("patient_id").first()
        name = sample.sort_name.split(",")[0] if sample else "smith"
        filters: list[tuple[str, dict]] = [
            ("disease ms", {"disease": "ms"}),
            ("band Strong", {"band": STRONG}),
            ("band Unlikely", {"band": UNLIKELY}),
            (f"search name {name!r}", {"q": name}),
            ("search name nobody has", {"q": "zzqxv"}),
            ("search MRN", {"q": sample.patient.mrn if sample else "X"}),
            ("review flagged", {"review": "flagged"}),
            ("review none", {"review": "none"}),
            ("completeness missing", {"completeness": "missing"}),
            ("age 30 to 50", {"age_min": 30, "age_max": 50}),
        ]
        for label, params in filters:
            cases.append((f"filter {label}", params))
        cursor = deep_cursor(user, {"disease": "ms"}, "rank")
        if cursor:
            cases.append(("filter disease ms: deep page", {"disease": "ms", "cursor": cursor}))
        for sort in ("name", "score", "screened"):
            cases.append((f"filter disease ms, sort {sort}", {"disease": "ms", "sort": sort}))
        for state in ("flagged", "none"):
            cursor = deep_cursor(user, {"review": state}, "rank")
            if cursor:
                cases.append(
                    (f"filter review {state}: deep page", {"review": state, "cursor": cursor})
                )
            for sort in ("name", "score", "screened"):
                cases.append(
                    (f"filter review {state}, sort {sort}", {"review": state, "sort": sort})
                )
        return cases

    def explain(self, user, label: str, params: dict, plans: bool, repeat: int) -> tuple:
        form = form_for(user, params)
        timings, verdicts = [], []
        for kind in ("page", "literal", "ids"):
            sql, sql_params = page_sql(user, form, kind)
            runs = []
            with connection.cursor() as cursor:
                cursor.execute(sql, sql_params)  # warm: the timed runs read cached pages
                for _ in range(repeat):  # the median run: the machine is shared
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", sql_params)
                    (document,) = cursor.fetchone()
                    runs.append(
                        document[0] if isinstance(document, list) else json.loads(document)[0]
                    )
                if plans and kind == "page":
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", sql_params)
                    text = "\n".join(f"    {line}" for (line,) in cursor.fetchall())
                    self.stdout.write(f"\n== {label}\n{text}")
            result = sorted(runs, key=lambda r: r["Execution Time"])[len(runs) // 2]
            timings.append(result["Execution Time"])
            verdicts.append(verdict(result["Plan"]))
        what, read = verdicts[0]
        page, literal, ids = timings
        ratio = page / literal if literal else float("nan")
        return (
            label,
            what,
            f"{read:,}",
            f"{page:.2f}",
            f"{literal:.2f}",
            f"{ratio:.1f}x",
            f"{ids:.2f}",
        )

    def print_table(self, table: list[tuple]) -> None:
        widths = [max(len(str(row[i])) for row in table) for i in range(len(table[0]))]
        self.stdout.write("")
        for i, row in enumerate(table):
            cells = [
                str(c).ljust(w) if j < 2 else str(c).rjust(w)
                for j, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells))
            if i == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
