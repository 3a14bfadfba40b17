"""The demo centres and users: the constants the README and the tests read, and creating them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..permissions import CLINICIAN, COORDINATOR, CRITERIA_ADMIN

DEMO_PASSWORD = "candidacy-demo"  # noqa: S105 - demo only; set only when a demo user is created
TRANSPLANT_CENTRE = "ntc"
REFERRING_CENTRE = "srh"


@dataclass(frozen=True)
class DemoCentre:
    code: str
    name: str
    kind: str  # Centre.Kind value


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    group: str  # a group name from patients/permissions.py
    centre: str  # centre code
    is_staff: bool = False


CENTRES = (
    DemoCentre(TRANSPLANT_CENTRE, "North Transplant Centre", "transplant"),
    DemoCentre(REFERRING_CENTRE, "Southside Referring Hospital", "referring"),
)
USERS = (
    DemoUser("clinician-ntc", "Nadia", "Okafor", CLINICIAN, TRANSPLANT_CENTRE),
    DemoUser("clinician-srh", "Samuel", "Reyes", CLINICIAN, REFERRING_CENTRE),
    DemoUser("coordinator-ntc", "Tom", "Hughes", COORDINATOR, TRANSPLANT_CENTRE),
    DemoUser("coordinator-srh", "Priya", "Shah", COORDINATOR, REFERRING_CENTRE),
    DemoUser("criteria-admin", "Alex", "Morgan", CRITERIA_ADMIN, TRANSPLANT_CENTRE, is_staff=True),
)
# Assessments are recorded by the clinician of the patient's centre.
RECORDED_BY = {TRANSPLANT_CENTRE: "clinician-ntc", REFERRING_CENTRE: "clinician-srh"}

if TYPE_CHECKING:  # Django is imported late at run time: see ensure_centres_and_users
    from django.contrib.auth.models import User

    from ..models import Centre


def centre_for(index: int) -> str:
    """Two patients in three at the transplant centre, one at the referring hospital."""
    return REFERRING_CENTRE if index % 3 == 0 else TRANSPLANT_CENTRE


def ensure_centres_and_users() -> tuple[dict[str, Centre], list[User]]:
    """The demo centres and users, created if missing; memberships made good on every run.

    Returns the centres by code and the users that were created now.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from ..models import Centre

    centres: dict[str, Centre] = {}
    for centre_spec in CENTRES:
        centre, _ = Centre.objects.get_or_create(
            code=centre_spec.code, defaults={"name": centre_spec.name, "kind": centre_spec.kind}
        )
        centres[centre_spec.code] = centre
    groups = {
        group.name: group for group in Group.objects.filter(name__in={u.group for u in USERS})
    }
    missing = {u.group for u in USERS} - set(groups)
    if missing:
        raise LookupError(f"Missing groups {sorted(missing)}: run `manage.py migrate` first.")
    created: list[User] = []
    User = get_user_model()
    for user_spec in USERS:
        user, is_new = User.objects.get_or_create(
            username=user_spec.username,
            defaults={
                "first_name": user_spec.first_name,
                "last_name": user_spec.last_name,
                "is_staff": user_spec.is_staff,
            },
        )
        if is_new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created.append(user)
        user.groups.add(groups[user_spec.group])
        centres[user_spec.centre].members.add(user)
    return centres, created
