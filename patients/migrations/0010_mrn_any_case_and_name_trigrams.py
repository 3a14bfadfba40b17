"""Indexes for the searches by MRN and by name.

An MRN is searched in any case (``UPPER(mrn) = UPPER(...)``): an expression index serves it
on every database. Names are searched by part (``UPPER(family_name) LIKE '%WORD%'``), which
only a trigram index serves: on PostgreSQL (pg_trgm) a GIN index per name; elsewhere (SQLite,
in development) nothing, and the search scans as it always did there.
"""

import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "patient_family_name_trgm": "family_name",
    "patient_given_name_trgm": "given_name",
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in TRIGRAM_INDEXES.items():
        # The expression of the icontains lookup, so that the planner matches it.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON patients_patient "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0009_nmosd_therapies"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                django.db.models.functions.text.Upper("mrn"), name="patient_mrn_any_case"
            ),
        ),
        TrigramExtension(),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
