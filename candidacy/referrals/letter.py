"""The letter to the referring doctor: where the referral stands, in words a neurologist or a
rheumatologist acts on, without the 0-100 score (a transplant centre's internal ranking, easy
to misread as a probability outside it).

It reuses the screening's checklist and "what to collect" presenters, so the letter and the
patient page never disagree about the guideline.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.dateformat import format as date_format

from common.users import display_name

from ..screening.models import CANDIDATE_BANDS, Screening
from ..screening.presenters import checklist_rows, collect_rows, explanation_rows
from ..screening.selectors import result_of
from .models import Referral

Status = Referral.Status

# Where things stand, one sentence per status, filled from the referral.
STANDING = {
    Status.RECEIVED: "We received your referral on {created}. It has not yet been reviewed.",
    Status.WORKUP: "We accepted {patient} for transplant work-up on {since}. We will write again "
    "after our committee has discussed them.",
    Status.COMMITTEE: "Our transplant committee discussed {patient} on {committee}: {outcome} "
    "A decision will follow.",
    Status.ACCEPTED: "Our transplant committee accepted {patient} for autologous haematopoietic "
    "stem-cell transplantation. Our team will contact the patient to plan it.",
    Status.DECLINED: "We are not offering {patient} a transplant. Our reason: {reason}",
    Status.DEFERRED: "We have deferred our decision until {deferred}. {reason}",
    Status.WITHDRAWN: "The referral was withdrawn on {since}.",
}

# Standard care still open to a patient who is not (or not yet) a transplant candidate, by
# disease group; plain and general on purpose: the referring specialist chooses.
STANDARD_OPTIONS = {
    "ms": [
        "A high-efficacy disease-modifying therapy not yet tried (for example an anti-CD20 "
        "antibody, natalizumab, alemtuzumab or cladribine).",
        "Rehabilitation and symptom management.",
        "A clinical trial, where one is open to the patient.",
    ],
    "ssc": [
        "Mycophenolate, cyclophosphamide or rituximab, where not yet tried.",
        "Nintedanib for progressive lung fibrosis.",
        "Screening for pulmonary hypertension and renal crisis as usual.",
    ],
}
GENERAL_OPTIONS = [
    "The conventional and biologic treatments for the disease not yet tried.",
    "A clinical trial, where one is open to the patient.",
]
SCREENING_NOT_AVAILABLE = "No screening is recorded for this patient yet."


@dataclass(frozen=True)
class Letter:
    referral: Referral
    to: str
    standing: str
    checklist: list
    missing: list[str]
    options: list[str]
    screening_as_of: object
    stale: list[str]


def stale_labels(result) -> list[str]:
    """The values too old for the guideline in a screening result: the decision should not
    rest on them (named on the referral page, the letter, and in the coordinators' reminder)."""
    return [row.label for row in explanation_rows(result) if row.stale]


def _standing(referral: Referral) -> str:
    def day(value):
        return date_format(value, "j F Y") if value else ""

    return (
        STANDING[Status(referral.status)]
        .format(
            patient=referral.patient.name,
            created=day(referral.created_at),
            since=day(referral.status_since),
            committee=day(referral.committee_on),
            outcome=referral.committee_outcome.rstrip(".") + ".",
            reason=referral.decline_reason,
            deferred=day(referral.deferred_until),
        )
        .strip()
    )


def build_letter(referral: Referral) -> Letter:
    """The letter as it stands now: the decision or the current step, and the patient's current
    screening (the one the decision will rest on), in words."""
    patient = referral.patient
    screening = Screening.objects.of_patient(patient.pk)
    result = result_of(screening) if screening else None
    not_candidate = referral.status in (Status.DECLINED, Status.DEFERRED) or (
        result is not None and result.band not in CANDIDATE_BANDS
    )
    group = patient.disease.group if patient.disease else ""
    return Letter(
        referral=referral,
        to=display_name(referral.referred_by),
        standing=_standing(referral),
        checklist=checklist_rows(result) if result else [],
        missing=[f"{row.label} ({row.reason})" for row in collect_rows(result, patient)]
        if result
        else [],
        options=STANDARD_OPTIONS.get(group, GENERAL_OPTIONS)
        if not_candidate and referral.status != Status.ACCEPTED
        else [],
        screening_as_of=screening.as_of if screening else None,
        stale=stale_labels(result) if result else [],
    )
