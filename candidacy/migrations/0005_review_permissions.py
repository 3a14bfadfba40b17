from django.db import migrations

from candidacy.reviews.permissions import grant_review_permissions


def grant(apps, schema_editor):
    grant_review_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("candidacy", "0004_rescreen_chunks"),
        ("patients", "0003_review_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
