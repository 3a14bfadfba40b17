"""Referral permissions for the role groups (the data migration and the tests call this).

- Clinicians refer their centre's patients and withdraw those referrals (``add_referral``),
  and see the referrals of their centres.
- Coordinators of the receiving centre take the steps, from work-up to decision
  (``change_referral``).
Both sides see a referral; the services check which side the user is on.
"""

from patients.permissions import CLINICIAN, COORDINATOR, grant_group_permissions

REFERRAL_GROUP_PERMISSIONS = {
    CLINICIAN: ["view_referral", "add_referral"],
    COORDINATOR: ["view_referral", "change_referral"],
}


def grant_referral_permissions(apps) -> None:
    """Add the referral permissions to the groups (idempotent)."""
    grant_group_permissions(apps, REFERRAL_GROUP_PERMISSIONS, app_label="candidacy")
