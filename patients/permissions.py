"""The roles, and what each may do with the patient record.

Roles are Django groups, created by a data migration; each app grants its own permissions
to them (rules/permissions.py, candidacy/reviews/permissions.py), in its own migrations.
"""

CLINICIAN = "Clinician"
COORDINATOR = "Coordinator"
CRITERIA_ADMIN = "Criteria admin"
# Reads the access log (patients/audit), and nothing of the record itself.
AUDITOR = "Auditor"
_RECORD_MODELS = ["patient", "assessment", "assessmentvalue", "priortreatment", "relapse"]
GROUP_PERMISSIONS = {
    CLINICIAN: [
        f"patients.{action}_{model}"
        for model in _RECORD_MODELS
        for action in ("view", "add", "change")
    ]
    + ["patients.delete_priortreatment", "patients.delete_relapse"],
    COORDINATOR: [f"patients.view_{model}" for model in _RECORD_MODELS],
    CRITERIA_ADMIN: [],
}


def grant_record_permissions(apps) -> None:
    """Create the role groups and give them their record permissions (idempotent).

    Only for the models ``apps`` has: a data migration that runs before a model exists grants
    the others, and the migration that adds the model runs this again.
    """
    models = {model._meta.model_name for model in apps.get_app_config("patients").get_models()}
    grant_group_permissions(
        apps,
        {
            group: [name for name in names if name.rpartition("_")[2] in models]
            for group, names in GROUP_PERMISSIONS.items()
        },
    )


def create_all_permissions(apps) -> None:
    """Create the permissions of every app now, as post_migrate would later."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        had_models = getattr(app_config, "models_module", None)
        app_config.models_module = had_models or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = had_models


def grant_group_permissions(
    apps, permissions: dict[str, list[str]], app_label: str | None = None
) -> None:
    """Give each group its permissions, creating both as needed (idempotent).

    ``permissions`` maps a group name to codenames, either "app_label.codename" or, with
    ``app_label`` given, bare codenames of that app. Permissions are normally created after
    all migrations; data migrations need them now, so they are created first.
    """
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in permissions.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for dotted in codenames:
            label, _, codename = dotted.rpartition(".")
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=label or app_label, codename=codename
                )
            )
