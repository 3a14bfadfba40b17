"""`make backup` and `make restore`: a dump restored into a new database holds every row and
needs no migration. Runs the Makefile's own targets against the test database."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from candidacy.screening.models import Screening
from patients.models import Assessment, Patient

from .factories import AssessmentFactory, PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent


def url_of(database: str) -> str:
    s = connection.settings_dict
    port = s.get("PORT") or 5432
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{port}/{database}"


def row_counts(cursor) -> dict[str, int]:
    """Rows per table of every model, as the database holds them."""
    counts = {}
    for model in apps.get_models():
        table = model._meta.db_table
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - a model's own table
        counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def restored_database():
    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        pytest.skip("backup and restore need PostgreSQL and its client tools: set DATABASE_URL")
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make(target, database, tmp_path, **variables):
    env = {**os.environ, "DATABASE_URL": url_of(database)}
    args = [f"{k}={v}" for k, v in {"BACKUP_DIR": tmp_path, **variables}.items()]
    return subprocess.run(  # noqa: S603 - the project's own Makefile
        ["make", "-s", target, *args],  # noqa: S607 - make from PATH, as a person runs it
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_backup_restored_into_a_new_database_has_every_row_and_needs_no_migration(
    migration_data, restored_database, tmp_path, centre
):
    from candidacy.screening.services import screening_record

    for n in range(3):
        patient = PatientFactory(centre=centre, mrn=f"B-{n}")
        AssessmentFactory(patient=patient, values={"lvef": 55 + n})
        screening_record(patient=patient)
    backup = make("backup", connection.settings_dict["NAME"], tmp_path)
    assert backup.returncode == 0, backup.stderr
    (dump,) = tmp_path.glob("candidacy-*.dump")

    restore = make("restore", restored_database, tmp_path, DUMP=dump)
    assert restore.returncode == 0, restore.stderr

    with connection.cursor() as cursor:
        before = row_counts(cursor)
    with _connected_to(restored_database) as cursor:
        after = row_counts(cursor)
    assert after == before
    assert before["patients_patient"] == Patient.objects.count() == 3
    assert before["candidacy_screening"] == Screening.objects.count() == 3
    assert before["patients_assessment"] == Assessment.objects.count() == 3

    check = subprocess.run(  # noqa: S603 - the project's own manage.py
        [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--check"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url_of(restored_database), "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_restore_refuses_without_a_dump(restored_database, tmp_path):
    answer = make("restore", restored_database, tmp_path, DUMP=tmp_path / "missing.dump")
    assert answer.returncode != 0 and "Name the dump" in answer.stdout


class _connected_to:
    """A cursor on another database of the same server (its own connection, closed after)."""

    def __init__(self, database: str):
        self.database = database

    def __enter__(self):
        import psycopg

        s = connection.settings_dict
        self.conn = psycopg.connect(
            host=s["HOST"] or "127.0.0.1",
            port=s.get("PORT") or 5432,
            user=s["USER"],
            dbname=self.database,
        )
        return self.conn.cursor()

    def __exit__(self, *exc):
        self.conn.close()
