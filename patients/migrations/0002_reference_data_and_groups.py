from django.contrib.auth.management import create_permissions
from django.db import migrations

from patients.reference_data import DISEASES, GROUP_PERMISSIONS, THERAPIES


def seed(apps, schema_editor):
    Disease = apps.get_model("patients", "Disease")
    Therapy = apps.get_model("patients", "Therapy")
    for key, name, group, subtype, snomed, icd10 in DISEASES:
        Disease.objects.update_or_create(
            key=key,
            defaults={"name": name, "group": group, "subtype": subtype, "snomed_codes": snomed, "icd10_codes": icd10},
        )
    for key, name, therapy_class, rxnorm in THERAPIES:
        Therapy.objects.update_or_create(
            key=key, defaults={"name": name, "therapy_class": therapy_class, "rxnorm_codes": rxnorm}
        )

    # Permissions are normally created after all migrations; groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
