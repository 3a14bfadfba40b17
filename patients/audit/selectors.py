"""Who looked at a patient: for the clinicians of the patient's centre, on the patient page."""

from __future__ import annotations

from .models import AccessEvent

RECENT_VIEWERS = 10


def recent_access(patient, *, limit: int = RECENT_VIEWERS) -> list[AccessEvent]:
    """The latest accesses to this patient's data (refusals included), newest first.

    One index range scan (patient, -id): the cost does not grow with the log.
    """
    return list(AccessEvent.objects.filter(patient_id=patient.pk).order_by("-id")[:limit])
