"""The referral's part of the patient page: a Refer button, and the patient's referrals."""

from __future__ import annotations

from patients.access import is_own_patient

from .models import Referral
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
