"""Reads the referral pages share: the queue, "my referrals", and who read a referred record."""

from __future__ import annotations

from patients.audit.log import REFERRAL
from patients.audit.models import AccessEvent

from .models import Referral

READERS_SHOWN = 50


def with_people(referrals):
    return referrals.select_related("patient__disease", "from_centre", "to_centre", "referred_by")


def referral_readers(referral: Referral) -> list[AccessEvent]:
    """Reads of the patient's data by the receiving centre since the referral, newest first:
    what the referring centre is shown. Shown to both sides; the log itself is the Auditor's."""
    members = referral.to_centre.members.values_list("pk", flat=True)
    return list(
        AccessEvent.objects.filter(
            patient_id=referral.patient_id,
            reason=REFERRAL,
            at__gte=referral.created_at,
            user_id__in=list(members),
            action=AccessEvent.Action.VIEW,  # reads; the centre's own steps are on the page
        )[:READERS_SHOWN]
    )
