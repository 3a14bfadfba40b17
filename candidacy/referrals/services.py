"""The referral workflow: refer, take a step, withdraw. Each a transaction on a locked row.

Each step writes a ReferralStep (who, when, from, to, the words) and keeps the access grant
(patients/grants.py) in line: the receiving centre may read the patient's record from the
referral on, and for CANDIDACY_REFERRAL_ACCESS_DAYS after it closes. A step the referral cannot
take, or a user who may not take it, raises ReferralError with a message for the user.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from patients.access import centre_ids, forget_centre_ids, is_own_patient
from patients.grants import PatientAccessGrant
from patients.models import Centre, Patient

from ..screening.models import Screening
from .models import Referral, ReferralStep
from .notify import email_letter_link

Status = Referral.Status

# User-facing messages (tests assert on these).
REFERRED = "{patient} was referred to {centre}."
STEP_TAKEN = "The referral is now: {status}."
WITHDRAWN = "The referral was withdrawn."
MESSAGE_REQUIRED = "Write a message for the transplant centre: why you refer this patient."
NOT_A_TRANSPLANT_CENTRE = "Choose a transplant centre."
OWN_CENTRE = "The patient is already at this centre."
ALREADY_OPEN = "This patient already has an open referral to {centre}."
DECEASED = "A deceased patient cannot be referred."
NOT_YOUR_PATIENT = "You can refer only patients of your own centre."
NOT_RECEIVING = "Only a coordinator of {centre} can take this step."
NOT_REFERRING = "Only a clinician of the referring centre can withdraw the referral."
ILLEGAL_STEP = "A referral that is {current} cannot become {target}."
COMMITTEE_DATE_REQUIRED = "Give the date of the committee meeting."
COMMITTEE_DATE_FUTURE = "The committee date cannot be in the future."
COMMITTEE_OUTCOME_REQUIRED = "Write what the committee concluded."
DECLINE_REASON_REQUIRED = "Give the reason for declining."
DEFER_DATE_REQUIRED = "Give the date until which the decision is deferred."
DEFER_DATE_NOT_FUTURE = "The deferral date must be in the future."
WITHDRAW_REASON_REQUIRED = "Say why the referral is withdrawn."
NOT_A_SIDE = (
    "Only the referring clinicians and the transplant centre's coordinators can attach files."
)
CLOSED_NO_ATTACHMENT = "The referral is closed: attach nothing more to it."
REFERRAL_CHANGED = "The referral changed since you opened the page; check it and try again."

# Which step may follow which. A centre may decline at any open step (a referral it cannot
# take should not wait for a committee); accepting or deferring is the committee's decision.
NEXT_STEPS: dict[str, tuple[str, ...]] = {
    Status.RECEIVED: (Status.WORKUP, Status.DECLINED),
    Status.WORKUP: (Status.COMMITTEE, Status.DECLINED),
    Status.COMMITTEE: (Status.ACCEPTED, Status.DECLINED, Status.DEFERRED),
}


class ReferralError(Exception):
    """A step the referral cannot take; the message is for the user."""


def referral_source(referral: Referral) -> str:
    return f"referral:{referral.public_id}"


def referral_create(*, patient: Patient, to_centre: Centre, message: str, by) -> Referral:
    """Refer ``patient`` to ``to_centre`` with the patient's current screening, and let that
    centre read the record from now on."""
    if not by.has_perm("candidacy.add_referral") or not is_own_patient(by, patient):
        raise ReferralError(NOT_YOUR_PATIENT)
    if to_centre.kind != Centre.Kind.TRANSPLANT:
        raise ReferralError(NOT_A_TRANSPLANT_CENTRE)
    if to_centre.pk == patient.centre_id:
        raise ReferralError(OWN_CENTRE)
    if patient.is_deceased:
        raise ReferralError(DECEASED)
    if not (message := message.strip()):
        raise ReferralError(MESSAGE_REQUIRED)
    now = timezone.now()
    with transaction.atomic():
        Patient.objects.select_for_update().get(pk=patient.pk)  # one open referral per centre
        if Referral.objects.open().filter(patient=patient, to_centre=to_centre).exists():
            raise ReferralError(ALREADY_OPEN.format(centre=to_centre.name))
        screening = Screening.objects.of_patient(patient.pk)
        referral = Referral.objects.create(
            patient=patient,
            from_centre_id=patient.centre_id,
            to_centre=to_centre,
            referred_by=by,
            message=message,
            screening=screening,
            screening_band=screening.band if screening else "",
            status_since=now,
        )
        ReferralStep.objects.create(
            referral=referral, actor=by, to_status=Status.RECEIVED, detail=message[:500], at=now
        )
        PatientAccessGrant.objects.create(
            patient=patient,
            centre=to_centre,
            reason=f"Referred to {to_centre.name}",
            source=referral_source(referral),
            starts_at=now,
        )
    return referral


def _locked(referral: Referral, seen_status: str | None) -> Referral:
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if seen_status is not None and locked.status != seen_status:
        raise ReferralError(REFERRAL_CHANGED)
    return locked


def _record(referral: Referral, *, to_status: str, by, detail: str, fields: list[str]) -> None:
    """Move the referral to ``to_status``, write its step, and date the grant's end on closing."""
    now = timezone.now()
    from_status = referral.status
    referral.status, referral.status_since = to_status, now
    fields = [*fields, "status", "status_since"]
    if to_status not in Referral.OPEN_STATUSES:
        referral.closed_at = now
        fields.append("closed_at")
        days = settings.CANDIDACY_REFERRAL_ACCESS_DAYS
        PatientAccessGrant.objects.filter(source=referral_source(referral)).update(
            ends_at=now + timedelta(days=days)
        )
        forget_centre_ids(by)  # the grants cached on this user no longer hold
    referral.save(update_fields=fields)
    ReferralStep.objects.create(
        referral=referral,
        actor=by,
        from_status=from_status,
        to_status=to_status,
        detail=detail[:500],
        at=now,
    )


def _check_step(referral: Referral, to_status: str, **facts) -> str:
    """The words the step records, or ReferralError when its facts are missing or wrong."""
    today = timezone.localdate()
    if to_status == Status.COMMITTEE:
        if facts["committee_on"] is None:
            raise ReferralError(COMMITTEE_DATE_REQUIRED)
        if facts["committee_on"] > today:
            raise ReferralError(COMMITTEE_DATE_FUTURE)
        if not facts["outcome"]:
            raise ReferralError(COMMITTEE_OUTCOME_REQUIRED)
        return f"Committee of {facts['committee_on']:%d %b %Y}: {facts['outcome']}"
    if to_status == Status.DECLINED:
        if not facts["reason"]:
            raise ReferralError(DECLINE_REASON_REQUIRED)
        return facts["reason"]
    if to_status == Status.DEFERRED:
        if facts["deferred_until"] is None:
            raise ReferralError(DEFER_DATE_REQUIRED)
        if facts["deferred_until"] <= today:
            raise ReferralError(DEFER_DATE_NOT_FUTURE)
        return f"Deferred until {facts['deferred_until']:%d %b %Y}. {facts['reason']}".strip()
    return facts["reason"]


def referral_step(
    *,
    referral: Referral,
    to_status: str,
    by,
    seen_status: str | None = None,
    committee_on: date | None = None,
    outcome: str = "",
    reason: str = "",
    deferred_until: date | None = None,
) -> Referral:
    """Take the receiving centre's next step: work-up, committee, or a decision."""
    if referral.to_centre_id not in centre_ids(by) or not by.has_perm("candidacy.change_referral"):
        raise ReferralError(NOT_RECEIVING.format(centre=referral.to_centre.name))
    with transaction.atomic():
        referral = _locked(referral, seen_status)
        if to_status not in NEXT_STEPS.get(referral.status, ()):
            raise ReferralError(
                ILLEGAL_STEP.format(
                    current=referral.get_status_display().lower(),
                    target=Status(to_status).label.lower() if to_status in Status else to_status,
                )
            )
        outcome, reason = outcome.strip(), reason.strip()
        detail = _check_step(
            referral,
            to_status,
            committee_on=committee_on,
            outcome=outcome,
            reason=reason,
            deferred_until=deferred_until,
        )
        changes: dict[str, dict[str, object]] = {
            Status.COMMITTEE: {"committee_on": committee_on, "committee_outcome": outcome},
            Status.DECLINED: {"decline_reason": reason},
            Status.DEFERRED: {"deferred_until": deferred_until, "decline_reason": reason},
        }
        fields = changes.get(to_status, {})
        for name, value in fields.items():
            setattr(referral, name, value)
        _record(referral, to_status=to_status, by=by, detail=detail, fields=list(fields))
        # Each step of the transplant centre changes the letter: the referring doctor hears.
        transaction.on_commit(partial(email_letter_link, referral.pk))
    return referral


def referral_withdraw(
    *, referral: Referral, by, reason: str, seen_status: str | None = None
) -> Referral:
    """The referring side takes the referral back; the receiving centre's access runs out."""
    if referral.from_centre_id not in centre_ids(by) or not by.has_perm("candidacy.add_referral"):
        raise ReferralError(NOT_REFERRING)
    if not (reason := reason.strip()):
        raise ReferralError(WITHDRAW_REASON_REQUIRED)
    with transaction.atomic():
        referral = _locked(referral, seen_status)
        if not referral.is_open:
            raise ReferralError(
                ILLEGAL_STEP.format(
                    current=referral.get_status_display().lower(),
                    target=Status.WITHDRAWN.label.lower(),
                )
            )
        _record(referral, to_status=Status.WITHDRAWN, by=by, detail=reason, fields=[])
    return referral


def referral_attach(*, referral: Referral, kind: str, upload, content_type: str, by):
    """Store an upload (already checked: attachments.check_upload) on an open referral; either
    side may add what the other asks for."""
    from .attachments import ATTACHED, ReferralAttachment

    centres = centre_ids(by)
    sides = (
        referral.from_centre_id in centres and by.has_perm("candidacy.add_referral"),
        referral.to_centre_id in centres and by.has_perm("candidacy.change_referral"),
    )
    if not any(sides):
        raise ReferralError(NOT_A_SIDE)
    if not referral.is_open:
        raise ReferralError(CLOSED_NO_ATTACHMENT)
    attachment = ReferralAttachment(
        referral=referral,
        kind=kind,
        name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    with transaction.atomic():
        attachment.file.save(upload.name, upload, save=False)
        # The file is written before the row: if the row fails, a stray file is left, never a
        # row that points at nothing.
        attachment.save()
    return attachment, ATTACHED.format(name=attachment.name)
