from django.db import migrations

from patients.permissions import grant_record_permissions


def grant(apps, schema_editor):
    # Clinicians record relapse dates (view, add, change, delete); coordinators read them.
    grant_record_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0007_relapse"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
