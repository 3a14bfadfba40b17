"""The Auditor role: reads the access log, and nothing else."""

from django.db import migrations

from patients.permissions import AUDITOR, grant_group_permissions


def create_auditor(apps, schema_editor):
    grant_group_permissions(apps, {AUDITOR: ["audit.view_accessevent"]})


def remove_auditor(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=AUDITOR).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_access_log_and_chain"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_auditor, remove_auditor)]
