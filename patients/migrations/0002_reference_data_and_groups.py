from django.db import migrations

from patients import reference_data
from patients.permissions import grant_record_permissions


def seed(apps, schema_editor):
    reference_data.seed(apps)
    grant_record_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
