"""A trigram index for the worklist's name search, on PostgreSQL.

The search asks ``sort_name LIKE '%word%'``, which no B-tree serves: at a million patients
PostgreSQL read every current screening. A GIN index of trigrams answers it from the index.
PostgreSQL only (pg_trgm): on SQLite, in development, both operations do nothing and the
search scans, as it always did there.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "worklist_name_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON candidacy_screening "
            "USING gin (sort_name gin_trgm_ops) WHERE is_current"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("candidacy", "0006_screening_score_upper_and_gated_without_score"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
