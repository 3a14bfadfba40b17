from django.db import migrations

from rules import seed
from rules.permissions import grant_rules_permissions


def forwards(apps, schema_editor):
    grant_rules_permissions(apps)
    seed.seed_default_ruleset(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0001_initial"),
        ("patients", "0002_reference_data_and_groups"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
