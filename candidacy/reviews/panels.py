"""The review's part of the patient page (registered with patients.panels): the current
review's state and the history of decisions, so a clinician sees where the patient stands
without opening the queue."""

from __future__ import annotations

from .models import Review


def reviews_panel(request, patient) -> dict:
    # The patient page has already checked the user may see this patient; reviews are kept
    # to the patient's own centre, as the queue keeps them.
    reviews = list(
        Review.objects.filter(patient=patient, centre_id=patient.centre_id)
        .select_related("assignee", "decided_by")
        .newest_first()
    )
    can_view = request.user.has_perm("candidacy.view_review")
    return {
        "patient": patient,
        "current": reviews[0] if reviews else None,
        "earlier": reviews[1:],
        "can_view": can_view,
    }
