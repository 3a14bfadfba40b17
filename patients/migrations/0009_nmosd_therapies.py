from django.db import migrations

from patients import reference_data


def seed(apps, schema_editor):
    # The reference seed is idempotent: databases made before get the NMOSD targeted therapies
    # (eculizumab, ravulizumab, inebilizumab, satralizumab); nothing else changes.
    reference_data.seed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0008_relapse_permissions"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
