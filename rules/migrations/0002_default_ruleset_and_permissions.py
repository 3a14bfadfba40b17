from django.db import migrations

from rules import seed


def forwards(apps, schema_editor):
    seed.grant_permissions(apps)
    seed.seed_default_ruleset(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0001_initial"),
        ("patients", "0002_reference_data_and_groups"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
