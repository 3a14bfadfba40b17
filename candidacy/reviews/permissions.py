"""Review permissions for the role groups (the data migration and the browser tests call this).

Who may do what with reviews:
- Coordinators work the queue of their centres: view reviews, assign, start, decide
  (``candidacy.change_review``) and write notes (``candidacy.add_reviewnote``).
- Clinicians see reviews read-only (the queue and the review page, notes and audit
  included): the clinician who follows the patient should know that the team is looking
  at them and what was decided, but the decision is the coordinators' step.
- Criteria admins get nothing here; they are usually also a clinician or a coordinator.
"""

from patients.permissions import CLINICIAN, COORDINATOR, grant_group_permissions

REVIEW_GROUP_PERMISSIONS = {
    COORDINATOR: ["view_review", "change_review", "view_reviewnote", "add_reviewnote"],
    CLINICIAN: ["view_review", "view_reviewnote"],
}


def grant_review_permissions(apps) -> None:
    """Add the review permissions to the groups (idempotent)."""
    grant_group_permissions(apps, REVIEW_GROUP_PERMISSIONS, app_label="candidacy")
