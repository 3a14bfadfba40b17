"""What each role may do with rule sets (granted by rules' data migration)."""

from patients.permissions import CLINICIAN, COORDINATOR, CRITERIA_ADMIN, grant_group_permissions

_RULES_MODELS = ("ruleset", "diseaseindication", "criterion")
GROUP_PERMISSIONS = {
    CRITERIA_ADMIN: [
        f"{action}_{model}"
        for model in _RULES_MODELS
        for action in ("view", "add", "change", "delete")
    ],
    CLINICIAN: ["view_ruleset"],
    COORDINATOR: ["view_ruleset"],
}


def grant_rules_permissions(apps) -> None:
    grant_group_permissions(apps, GROUP_PERMISSIONS, app_label="rules")
