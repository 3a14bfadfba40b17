from django.db import migrations

from candidacy.seed import grant_review_permissions


def grant(apps, schema_editor):
    grant_review_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0002_reference_data_and_groups"),
        ("candidacy", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
