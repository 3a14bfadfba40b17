"""The referral's parts of other pages: on the patient page a Refer button and the patient's
referrals; on the dashboard the median wait per step."""

from __future__ import annotations

from patients.access import centre_ids, is_own_patient
from patients.models import Centre

from .models import Referral
from .reminders import received_waits
from .selectors import with_people


def refer_button(request, patient) -> dict:
    user = request.user
    return {
        "patient": patient,
        "can_refer": user.has_perm("candidacy.add_referral")
        and is_own_patient(user, patient)
        and not patient.is_deceased,
    }


def referrals_panel(request, patient) -> dict:
    """The patient's referrals that the user's centres are a side of."""
    referrals = with_people(Referral.objects.visible_to(request.user).filter(patient=patient))
    return {"referrals": list(referrals[:20])}


def dashboard_waits(user) -> list[dict] | None:
    """The median wait per step for the dashboard of a transplant centre's coordinator; None
    for anyone else (a referring hospital receives no referrals)."""
    if not user.has_perm("candidacy.change_referral"):
        return None
    transplant = Centre.objects.filter(pk__in=centre_ids(user), kind=Centre.Kind.TRANSPLANT)
    if not transplant.exists():
        return None
    return received_waits(user)
