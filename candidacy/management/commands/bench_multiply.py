"""``manage.py bench_multiply --patients N``: grow a benchmark database to N patients in SQL.

Screening a million patients through the engine takes an hour on this machine; the query
plans only need the tables as large as that. This copies the patients already there (seeded
and screened, e.g. by ``bench_worklist``), with their current screenings and reviews, in a
few INSERT … SELECT … generate_series statements: each copy gets new ids, a new public id,
a new MRN and a given name marked with its copy number, and its screening and reviews point
at it. Then ANALYZE, as autovacuum would on a live database. For benchmark databases only:
it refuses to run with DEBUG off unless told ``--yes-this-is-a-bench-database``.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from candidacy.reviews.models import Review
from candidacy.screening.models import Screening
from patients.models import Patient

# Per table: the column expressions that differ in a copy (``g`` is the copy number, ``o``
# the id offset of the table, ``p`` the patients' and ``s`` the screenings' offsets).
OVERRIDES = {
    Patient: {
        "id": "t.id + g * {o}",
        "public_id": "gen_random_uuid()",
        "mrn": "t.mrn || '-' || g",
        "given_name": "t.given_name || ' ' || g",
    },
    Screening: {
        "id": "t.id + g * {o}",
        "patient_id": "t.patient_id + g * {p}",
        "sort_name": "left(t.sort_name || ' ' || g, 210)",
    },
    Review: {
        "id": "t.id + g * {o}",
        "patient_id": "t.patient_id + g * {p}",
        "flag_screening_id": "t.flag_screening_id + g * {s}",
        "decision_screening_id": "t.decision_screening_id + g * {s}",
    },
}
# Which rows are copied: every patient; the screenings and reviews that refer to rows copied.
WHERE = {
    Patient: "TRUE",
    Screening: "t.is_current",
    Review: "t.flag_screening_id IN (SELECT id FROM candidacy_screening WHERE is_current) "
    "AND (t.decision_screening_id IS NULL OR t.decision_screening_id IN "
    "(SELECT id FROM candidacy_screening WHERE is_current))",
}


def max_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")  # noqa: S608
        return cursor.fetchone()[0]


def copy_sql(model, copies: int, offsets: dict) -> str:
    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields]
    overrides = OVERRIDES[model]
    values = [
        overrides[c].format(o=offsets[model], p=offsets[Patient], s=offsets[Screening])
        if c in overrides
        else f"t.{c}"
        for c in columns
    ]
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names from the models
        f"SELECT {', '.join(values)} FROM {table} t "
        f"CROSS JOIN generate_series(1, {copies}) AS g WHERE {WHERE[model]} AND t.id <= {offsets[model]}"
    )


class Command(BaseCommand):
    help = "Copy the patients, current screenings and reviews in SQL until there are N patients."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=1_000_000, metavar="N")
        parser.add_argument("--yes-this-is-a-bench-database", action="store_true", dest="sure")

    def handle(self, *args, patients, sure, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_multiply writes PostgreSQL SQL: point DATABASE_URL at one.")
        if not settings.DEBUG and not sure:
            raise CommandError(
                "This fills the database with copies: add --yes-this-is-a-bench-database."
            )
        have = Patient.objects.count()
        if not have:
            raise CommandError("No patients to copy: run bench_worklist (or seed_demo) first.")
        copies = -(-patients // have) - 1  # ceil(patients / have) - 1 copies beside the originals
        if copies < 1:
            self.stdout.write(f"{have:,} patients already; nothing to do.")
            return
        offsets = {model: max_id(model) for model in (Patient, Screening, Review)}
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for model in (Patient, Screening, Review):
                step = time.perf_counter()
                cursor.execute(copy_sql(model, copies, offsets))
                self.stdout.write(
                    f"{model._meta.db_table}: {cursor.rowcount:,} rows in "
                    f"{time.perf_counter() - step:,.1f} s"
                )
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE patients_patient, candidacy_screening, candidacy_review")
        self.stdout.write(
            f"{Patient.objects.count():,} patients, "
            f"{Screening.objects.current().count():,} current screenings, in "
            f"{time.perf_counter() - started:,.0f} s (ANALYZE done)"
        )
