"""Coordinator reviews: when a screening raises a flag, and the steps from flag to decision.

The flag rule lives in candidacy/reviews/flags.py. The review steps are services (``review_assign``, ``review_start``, ``review_decide``,
``review_add_note``): keyword-only, each in a transaction on a locked review row, each
writing a ReviewEvent (who, when, from, to). A step the review cannot take raises
ReviewError with a message for the user.

States: flagged -> in review -> referred | deferred | declined. A decided review stays
decided; a patient flagged again gets a new Review, so each Review is one flag-to-decision
cycle and its decision_* fields keep what that decision was made on.

Permissions (candidacy/reviews/permissions.py): coordinators act on reviews of their centres only;
clinicians see reviews read-only.
"""

from __future__ import annotations

import logging
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from common.users import display_name
from patients.access import centre_ids
from patients.models import Patient
from patients.permissions import COORDINATOR
from rules.specs import STRONG

from ..screening.models import CANDIDATE_BANDS, Screening
from .models import Review, ReviewEvent, ReviewNote

logger = logging.getLogger(__name__)
State = Review.State

# User-facing messages (tests assert on these).
ASSIGNED = "The review was assigned to {name}."
STARTED = "The review was started."
DECIDED = "The decision was recorded: {state}."
NOTE_ADDED = "The note was added."
ILLEGAL_TRANSITION = "A review that is {current} cannot be {action}."
CANNOT_ASSIGN_CLOSED = "A decided review cannot be reassigned."
ASSIGNEE_NOT_COORDINATOR = "Reviews can only be assigned to a coordinator of the patient's centre."
UNKNOWN_DECISION = "Choose Refer, Defer or Decline."
DECLINE_REASON_REQUIRED = "Give the reason for declining."
DEPARTURE_REASON_REQUIRED = "The score says {band}: give the reason for this decision."
DEFER_DATE_REQUIRED = "Give the date on which to review the patient again."
DEFER_DATE_NOT_FUTURE = "The re-review date must be in the future."
DECEASED_CANNOT_BE_REFERRED = "A deceased patient cannot be referred."
NOTE_EMPTY = "Write the note first."
NOTE_PARENT_INVALID = "The note you reply to belongs to another review."
REVIEW_CHANGED = "The review changed since you opened the page; check it and try again."
NOT_ALLOWED = "You cannot act on reviews of this centre."
REOPENED = "The decision was reopened: the review is in review again."
REOPEN_REASON_REQUIRED = "Give the reason for reopening the decision."
REOPEN_NOT_DECIDED = "Only a decided review can be reopened."
REOPEN_OPEN_EXISTS = "The patient has an open review already: work on that one."
REOPEN_NOT_LATEST = "Only the patient's latest review can be reopened."

DECISIONS = (State.REFERRED, State.DEFERRED, State.DECLINED)
# For ILLEGAL_TRANSITION: "A review that is Flagged cannot be referred." Keyed by str: the
# decision arrives as one (State members are strs too).
ACTIONS: dict[str, str] = {
    State.IN_REVIEW: "started",
    State.REFERRED: "referred",
    State.DEFERRED: "deferred",
    State.DECLINED: "declined",
}


class ReviewError(Exception):
    """A step the review cannot take. ``message`` is for the user; ``field`` names the form field at fault."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class IllegalTransition(ReviewError):
    """The review's state does not allow this step."""


class DecisionIncomplete(ReviewError):
    """A decision lacks a reason or a date; ``errors`` maps each field at fault to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


# --- Review steps -----------------------------------------------------------------------


def _locked(review: Review) -> Review:
    """The review, locked, after its patient: the lock and the order the screening service takes.

    A re-screen reads the patient's review state to store on the new screening; holding the
    patient, a step and a re-screen wait for each other, so neither stores a state the other
    is about to change. Patient first, then review: the re-screen's order, so no deadlock.
    """
    list(Patient.objects.select_for_update(of=("self",)).filter(pk=review.patient_id).values("pk"))
    return Review.objects.select_for_update().get(pk=review.pk)


def _check_actor(review: Review, user, permission: str = "candidacy.change_review") -> None:
    """Views check first; the service checks again, as tasks and the shell call it too."""
    in_scope = {review.centre_id, review.patient.centre_id} <= set(centre_ids(user))
    if not in_scope or not user.has_perm(permission):
        raise PermissionDenied(NOT_ALLOWED)


def _audit(review: Review, *, by, from_state: str, detail: str = "") -> ReviewEvent:
    return ReviewEvent.objects.create(
        review=review, actor=by, from_state=from_state, to_state=review.state, detail=detail[:500]
    )


def _copy_state(review: Review) -> None:
    """The patient's current screening carries their latest review's state, for the worklist's
    filter; the review a step changes is open, and an open review is the patient's latest."""
    Screening.objects.current().filter(patient_id=review.patient_id).update(
        review_state=review.state
    )


def _illegal(review: Review, to_state: str) -> IllegalTransition:
    return IllegalTransition(
        ILLEGAL_TRANSITION.format(
            current=review.get_state_display().lower(), action=ACTIONS[to_state]
        )
    )


def coordinators_of(centre_id: int):
    """The active coordinators of a centre, by name."""
    return (
        get_user_model()
        .objects.filter(is_active=True, centres__id=centre_id, groups__name=COORDINATOR)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def assignable_coordinators(review: Review):
    return coordinators_of(review.centre_id)


@transaction.atomic
def review_assign(*, review: Review, assignee, by) -> Review:
    """Give an open review to a coordinator of its centre (oneself or a colleague)."""
    _check_actor(review, by)
    review = _locked(review)
    if review.state not in Review.OPEN_STATES:
        raise IllegalTransition(CANNOT_ASSIGN_CLOSED)
    if not assignable_coordinators(review).filter(pk=assignee.pk).exists():
        raise ReviewError(ASSIGNEE_NOT_COORDINATOR, field="assignee")
    if review.assignee_id == assignee.pk:
        return review
    before = display_name(review.assignee) if review.assignee else "unassigned"
    review.assignee = assignee
    review.save(update_fields=["assignee"])
    _audit(
        review,
        by=by,
        from_state=review.state,
        detail=f"Assigned to {display_name(assignee)} (was {before})",
    )
    return review


@transaction.atomic
def review_start(*, review: Review, by) -> Review:
    """flagged -> in review; an unassigned review becomes the starter's."""
    _check_actor(review, by)
    review = _locked(review)
    if review.state != State.FLAGGED:
        raise _illegal(review, State.IN_REVIEW)
    fields = ["state"]
    detail = ""
    if review.assignee_id is None:
        review.assignee = by
        fields.append("assignee")
        detail = f"Assigned to {display_name(by)}"
    review.state = State.IN_REVIEW
    review.save(update_fields=fields)
    _copy_state(review)
    _audit(review, by=by, from_state=State.FLAGGED, detail=detail)
    return review


def departs_from_band(decision: str, band: str) -> bool:
    """Referring a patient the score did not call a candidate, or declining or deferring a Strong one."""
    if decision == State.REFERRED:
        return band not in CANDIDATE_BANDS
    return band == STRONG


def reason_required(decision: str, band: str) -> bool:
    return decision == State.DECLINED or departs_from_band(decision, band)


def _decision_errors(
    decision: str, band: str, reason: str, re_review_on: date | None, today: date
) -> dict[str, str]:
    """What the decision still lacks, by form field: a future date to defer to, a reason."""
    errors = {}
    if decision == State.DEFERRED:
        if re_review_on is None:
            errors["re_review_on"] = DEFER_DATE_REQUIRED
        elif re_review_on <= today:
            errors["re_review_on"] = DEFER_DATE_NOT_FUTURE
    if not reason and decision == State.DECLINED and not departs_from_band(decision, band):
        errors["reason"] = DECLINE_REASON_REQUIRED
    elif not reason and departs_from_band(decision, band):
        errors["reason"] = DEPARTURE_REASON_REQUIRED.format(
            band=band or "nothing (no current screening)"
        )
    return errors


def _decision_detail(review: Review, screening: Screening | None) -> str:
    """The audit line of a decision: what it was made on, and the re-review date if any."""
    detail = (
        f"On {review.decision_band}, score {review.decision_score}, rule set v{review.decision_ruleset_version}"
        if screening
        else "No current screening"
    )
    if review.re_review_on:
        detail += f"; re-review on {date_format(review.re_review_on, 'j M Y')}"
    return detail


@transaction.atomic
def review_decide(
    *,
    review: Review,
    decision: str,
    by,
    reason: str = "",
    re_review_on: date | None = None,
    today: date | None = None,
) -> Review:
    """in review -> referred, deferred (until a future date) or declined, on the patient's current screening.

    Declining needs a reason, and so does any decision that departs from the band.
    """
    _check_actor(review, by)
    review = _locked(review)
    if decision not in DECISIONS:
        raise ReviewError(UNKNOWN_DECISION)
    if review.state != State.IN_REVIEW:
        raise _illegal(review, decision)
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    screening = Screening.objects.of_patient(review.patient_id)
    band = screening.band if screening else ""
    if decision == State.REFERRED and Patient.objects.get(pk=review.patient_id).is_deceased:
        raise ReviewError(DECEASED_CANNOT_BE_REFERRED)
    errors = _decision_errors(decision, band, reason, re_review_on, today)
    if errors:
        raise DecisionIncomplete(errors)

    review.state = decision
    review.decision_screening = screening
    review.decision_band = band
    review.decision_score = screening.score if screening else None
    review.decision_ruleset_version = screening.ruleset_version if screening else ""
    review.decision_reason = reason
    review.decided_at = timezone.now()
    review.decided_by = by
    review.re_review_on = re_review_on if decision == State.DEFERRED else None
    review.save(
        update_fields=[
            "state",
            "decision_screening",
            "decision_band",
            "decision_score",
            "decision_ruleset_version",
            "decision_reason",
            "decided_at",
            "decided_by",
            "re_review_on",
        ]
    )
    _copy_state(review)
    _audit(review, by=by, from_state=State.IN_REVIEW, detail=_decision_detail(review, screening))
    return review


@transaction.atomic
def review_add_note(
    *, review: Review, text: str, by, parent: ReviewNote | None = None
) -> ReviewNote:
    """A timestamped note on the review, or a reply to one of its notes. Allowed in any state."""
    _check_actor(review, by, "candidacy.add_reviewnote")
    text = (text or "").strip()
    if not text:
        raise ReviewError(NOTE_EMPTY, field="text")
    if parent is not None and parent.review_id != review.pk:
        raise ReviewError(NOTE_PARENT_INVALID)
    review = _locked(review)
    note = ReviewNote.objects.create(review=review, parent=parent, author=by, text=text)
    _audit(
        review,
        by=by,
        from_state=review.state,
        detail="Replied to a note" if parent else "Added a note",
    )
    return note


@transaction.atomic
def review_reopen(*, review: Review, by, reason: str) -> Review:
    """referred | deferred | declined -> in review, with the reason, in the audit trail.

    The decision is cleared from the review (the concordance report counts decisions that
    stand) and kept in the audit event, with who decided it and when, so nothing is lost.
    """
    _check_actor(review, by)
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(REOPEN_REASON_REQUIRED, field="reason")
    review = _locked(review)
    if review.state not in DECISIONS:
        raise IllegalTransition(REOPEN_NOT_DECIDED)
    if Review.objects.open().filter(patient_id=review.patient_id).exists():
        raise IllegalTransition(REOPEN_OPEN_EXISTS)
    later = Review.objects.filter(patient_id=review.patient_id, flagged_at__gt=review.flagged_at)
    if later.exists():
        raise IllegalTransition(REOPEN_NOT_LATEST)
    was = review.get_state_display()
    decided = (
        date_format(timezone.localtime(review.decided_at), "j M Y") if review.decided_at else ""
    )
    by_whom = display_name(review.decided_by) if review.decided_by else "unknown"
    from_state = review.state
    review.state = State.IN_REVIEW
    for field in ("decision_band", "decision_ruleset_version", "decision_reason"):
        setattr(review, field, "")
    review.decision_screening = review.decided_by = review.decision_score = None
    review.decided_at = review.re_review_on = None
    review.save(
        update_fields=[
            "state",
            "decision_screening",
            "decision_band",
            "decision_score",
            "decision_ruleset_version",
            "decision_reason",
            "decided_at",
            "decided_by",
            "re_review_on",
        ]
    )
    detail = f"Reopened: {reason} (the decision was {was}, {decided} by {by_whom})"
    _audit(review, by=by, from_state=from_state, detail=detail)
    # A reopened review is the patient's latest (no other is open): the worklist's copy follows.
    _copy_state(review)
    return review
