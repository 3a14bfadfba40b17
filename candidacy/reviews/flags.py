"""Flags: when a new screening opens a Review, and who hears about it.

The rule (scoring-model.md, "Flags and review") is a pure function, ``flag_verdict``;
``flags_decide`` feeds it a whole batch of new screenings with a fixed number of queries,
inside the screening transaction, and ``flags_open`` opens the reviews once the screenings
are stored; each new screening carries its patient's review state for the worklist.
``reviews_reflag_due`` re-flags deferred reviews on their date (the nightly task calls it).
Coordinators hear by email, after commit; the email carries MRNs and links only.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from common.links import absolute_url
from patients.models import Patient
from rules.specs import INCOMPLETE, POSSIBLE, STRONG

from ..screening.models import CANDIDATE_BANDS, Screening
from .models import Review, ReviewEvent
from .services import coordinators_of

logger = logging.getLogger(__name__)
State = Review.State

# Local policy: a patient back from Incomplete within this many days of their last
# candidate result is not flagged again (they were flagged, and dealt with, already).
FRESHNESS_WINDOW_DAYS = 90

# --- The flag rule (pure) -------------------------------------------------------------

FLAG_NEW_CANDIDATE = "flag: new candidate"
FLAG_BAND_ROSE = "flag: band rose since the decline"
FLAG_NEW_DATA = "flag: new data changed the result since the decline"
FLAG_RE_REVIEW_DUE = "flag: re-review date reached"
NO_FLAG_DECEASED = "no flag: deceased"
NO_FLAG_NOT_CANDIDATE = "no flag: not a candidate band"
NO_FLAG_OPEN_REVIEW = "no flag: a review is open"
NO_FLAG_REFERRED = "no flag: referred already"
NO_FLAG_DEFERRED = "no flag: deferred, re-review date not reached"
NO_FLAG_DECLINED = "no flag: declined, result unchanged"
NO_FLAG_ALREADY_CANDIDATE = "no flag: was a candidate already"
NO_FLAG_BACK_FROM_INCOMPLETE = "no flag: back from Incomplete within the window"
FLAG_VERDICTS = {FLAG_NEW_CANDIDATE, FLAG_BAND_ROSE, FLAG_NEW_DATA, FLAG_RE_REVIEW_DUE}


@dataclass(frozen=True)
class Earlier:
    """An earlier result of the patient: its band and as-of date."""

    band: str
    as_of: date


@dataclass(frozen=True)
class LastReview:
    """The patient's latest review, and what its decision (if any) was made on."""

    state: str
    decision_band: str = ""
    decision_score: int | None = None
    decision_digest: str = ""
    re_review_on: date | None = None


def _candidate_level(band: str) -> int:
    return {STRONG: 2, POSSIBLE: 1}.get(band, 0)


def flag_verdict(
    *,
    band: str,
    score: int | None,
    digest: str,
    as_of: date,
    earlier: Sequence[Earlier],
    last_review: LastReview | None,
    deceased: bool,
    window_days: int = FRESHNESS_WINDOW_DAYS,
) -> str:
    """Whether a new result flags the patient, and why: one of the FLAG_/NO_FLAG_ verdicts.

    ``earlier`` lists the patient's earlier results, newest first (the previous current
    one first); it need not go further back than ``window_days`` before ``as_of``.
    """
    if deceased:
        return NO_FLAG_DECEASED
    if band not in CANDIDATE_BANDS:
        return NO_FLAG_NOT_CANDIDATE
    if last_review is not None:
        state = last_review.state
        if state in Review.OPEN_STATES:
            return NO_FLAG_OPEN_REVIEW
        if state == State.REFERRED:
            return NO_FLAG_REFERRED
        if state == State.DEFERRED:
            # Normally reviews_reflag_due raises this flag overnight; a screening on or
            # after the date raises it too, and the nightly job then finds it done.
            if last_review.re_review_on is not None and last_review.re_review_on <= as_of:
                return FLAG_RE_REVIEW_DUE
            return NO_FLAG_DEFERRED
        if state == State.DECLINED:
            if _candidate_level(band) > _candidate_level(last_review.decision_band):
                return FLAG_BAND_ROSE
            # "New data changes the result": the inputs differ from those the decline was
            # made on, and so does the result. New inputs that lead to the same band and
            # score (a stale value re-measured, a trip through Incomplete) are not news.
            if digest != last_review.decision_digest and (band, score) != (
                last_review.decision_band,
                last_review.decision_score,
            ):
                return FLAG_NEW_DATA
            return NO_FLAG_DECLINED
    previous = earlier[0] if earlier else None
    if previous is not None and previous.band in CANDIDATE_BANDS:
        return NO_FLAG_ALREADY_CANDIDATE
    if previous is not None and previous.band == INCOMPLETE:
        before = next((e for e in earlier if e.band != INCOMPLETE), None)
        if (
            before is not None
            and before.band in CANDIDATE_BANDS
            and (as_of - before.as_of).days <= window_days
        ):
            return NO_FLAG_BACK_FROM_INCOMPLETE
    return FLAG_NEW_CANDIDATE


# --- Raising flags --------------------------------------------------------------------


def _latest_reviews(patient_ids) -> dict[int, LastReview]:
    """Each patient's latest review (one query).

    A patient's open review, if any, is always their latest: a flag opens a new review only
    when none is open, and a constraint allows one open review per patient.
    """
    rows = (
        Review.objects.filter(patient_id__in=patient_ids)
        .latest_per_patient()
        .values_list(
            "patient_id",
            "state",
            "decision_band",
            "decision_score",
            "decision_screening__inputs_digest",
            "re_review_on",
        )
    )
    return {
        patient_id: LastReview(state, band, score, digest or "", re_review_on)
        for patient_id, state, band, score, digest, re_review_on in rows
    }


# A flag to raise: the review to open, the state it follows, and the audit line.
_Flag = tuple[Review, str, str]


def _open_reviews(flags: list[_Flag]) -> list[Review]:
    """Create the flagged reviews and their first audit rows (two queries), notify after commit."""
    if not flags:
        return []
    reviews = Review.objects.bulk_create([review for review, _, _ in flags])
    ReviewEvent.objects.bulk_create(
        ReviewEvent(
            review=review,
            actor=None,
            from_state=from_state,
            to_state=State.FLAGGED,
            detail=detail[:500],
        )
        for (review, from_state, detail) in flags
    )
    review_ids = [review.pk for review in reviews]
    transaction.on_commit(lambda: notify_flagged(review_ids=review_ids))
    return reviews


def _deceased_ids(patient_ids: list[int]) -> set[int]:
    """The patients among these who are recorded as dead, by the flag or a date (one query)."""
    return {
        pk
        for pk, flag, death_date in Patient.objects.filter(pk__in=patient_ids).values_list(
            "pk", "deceased", "death_date"
        )
        if flag or death_date is not None
    }


def _earlier_results(
    pairs: list[tuple[Screening, Screening | None]], patient_ids: list[int]
) -> dict[int, list[tuple[int, Earlier]]]:
    """Each patient's retired results within the window, newest first, by screening pk (one query).

    The window reaches back far enough to see past a spell of Incomplete.
    """
    cutoff = min(new.as_of for new, _ in pairs) - timedelta(days=FRESHNESS_WINDOW_DAYS)
    history: dict[int, list[tuple[int, Earlier]]] = defaultdict(list)
    rows = (
        Screening.objects.filter(patient_id__in=patient_ids, is_current=False, as_of__gte=cutoff)
        .order_by("patient_id", "-created_at", "-pk")
        .values_list("pk", "patient_id", "band", "as_of")
    )
    for pk, patient_id, band, as_of in rows:
        history[patient_id].append((pk, Earlier(band, as_of)))
    return history


def flags_decide(pairs: list[tuple[Screening, Screening | None]]) -> list[_Flag]:
    """The flags these new screenings raise, each to open with ``flags_open``; sets their review state.

    ``pairs`` holds (the new current screening, the previous current one or None) for
    every patient whose result changed. Each new screening gets the worklist's copy of
    its patient's review state: the latest review's, or Flagged if it raises a flag. The
    screening service calls this before inserting the rows, so they are stored with it.
    Runs inside the caller's transaction, which has locked the patient rows (so no other
    flag for them can race this one), with three queries whatever the batch size.
    """
    if not pairs:
        return []
    patient_ids = [new.patient_id for new, _ in pairs]
    deceased = _deceased_ids(patient_ids)
    latest = _latest_reviews(patient_ids)
    history = _earlier_results(pairs, patient_ids)

    flags = []
    flagged_ids: set[int] = set()  # one flag per patient, even if a patient came twice
    for new, previous in pairs:
        earlier = [Earlier(previous.band, previous.as_of)] if previous is not None else []
        earlier += [e for pk, e in history[new.patient_id] if previous is None or pk != previous.pk]
        last = latest.get(new.patient_id)
        new.review_state = last.state if last is not None else ""
        verdict = flag_verdict(
            band=new.band,
            score=new.score,
            digest=new.inputs_digest,
            as_of=new.as_of,
            earlier=earlier,
            last_review=last,
            deceased=new.patient_id in deceased,
        )
        if verdict in FLAG_VERDICTS and new.patient_id not in flagged_ids:
            flagged_ids.add(new.patient_id)
            new.review_state = State.FLAGGED
            review = Review(
                patient_id=new.patient_id,
                centre_id=new.centre_id,
                state=State.FLAGGED,
                flag_screening=new,  # its id is read when the review is saved, after the insert
            )
            from_state = last.state if last is not None else ""
            flags.append(
                (
                    review,
                    from_state,
                    f"{verdict.removeprefix('flag: ').capitalize()}: {new.band}, score {new.score}",
                )
            )
    return flags


def flags_open(flags: list[_Flag]) -> list[Review]:
    """Open the reviews ``flags_decide`` found due, once their screenings are stored (two queries)."""
    return _open_reviews(flags)


def _mark_flagged(reviews: list[Review]) -> None:
    """The worklist's copy of the review state, on the screenings these reviews were raised on."""
    if reviews:
        ids = [review.flag_screening_id for review in reviews]
        Screening.objects.filter(pk__in=ids).update(review_state=State.FLAGGED)


def reviews_reflag_due(today: date | None = None) -> list[Review]:
    """Flag again every patient whose latest review was deferred to a date on or before today.

    Safe to run twice: once flagged, the deferred review is no longer the patient's
    latest, so it is not picked again. Deceased patients, and patients without a current
    screening, are left alone.
    """
    today = today or timezone.localdate()
    due_patient_ids = set(
        Review.objects.filter(state=State.DEFERRED, re_review_on__lte=today).values_list(
            "patient_id", flat=True
        )
    )
    if not due_patient_ids:
        return []
    with transaction.atomic():
        # The same locks, in the same order, as the screening service: a flag raised by
        # a screening and one raised here cannot both open a review for the patient.
        patients = list(
            Patient.objects.select_for_update()
            .filter(pk__in=due_patient_ids)
            .order_by("pk")
            .only("pk", "deceased", "death_date")
        )
        living_ids = [p.pk for p in patients if not p.is_deceased]
        latest = _latest_reviews(living_ids)
        current = {
            s.patient_id: s for s in Screening.objects.current().filter(patient_id__in=living_ids)
        }
        flags: list[_Flag] = []
        for patient_id in living_ids:
            last = latest.get(patient_id)
            screening = current.get(patient_id)
            if (
                screening is None
                or last is None
                or last.state != State.DEFERRED
                or last.re_review_on is None
                or last.re_review_on > today
            ):
                continue
            review = Review(
                patient_id=patient_id,
                centre_id=screening.centre_id,
                state=State.FLAGGED,
                flag_screening=screening,
            )
            detail = f"Re-review date {date_format(last.re_review_on, 'j M Y')} reached: {screening.band}, score {screening.score}"
            flags.append((review, State.DEFERRED, detail))
        reviews = _open_reviews(flags)
        _mark_flagged(reviews)
        return reviews


# --- Notifications ----------------------------------------------------------------------


def review_url(review: Review) -> str:
    return reverse("reviews:detail", args=[review.patient.public_id])


def notify_flagged(*, review_ids: list[int]) -> int:
    """Email the coordinators of each centre about its newly flagged patients; returns emails sent.

    Health data should not travel by email: the message names the patient by MRN only and
    links to the review, where the band, score and disease are shown to signed-in staff.
    One email per coordinator per batch, however many patients a re-screen flagged.
    """
    by_centre: dict[int, list[Review]] = defaultdict(list)
    for review in (
        Review.objects.filter(pk__in=review_ids).select_related("patient", "centre").order_by("pk")
    ):
        by_centre[review.centre_id].append(review)
    messages = []
    for reviews in by_centre.values():
        centre = reviews[0].centre
        count = len(reviews)
        lines = [
            f"- MRN {review.patient.mrn}: {absolute_url(review_url(review))}" for review in reviews
        ]
        body = (
            f"{count} patient{'s' if count != 1 else ''} at {centre.name} {'were' if count != 1 else 'was'} "
            "newly flagged for review in Candidacy.\n\n"
            + "\n".join(lines)
            + f"\n\nThe review queue: {absolute_url(reverse('reviews:queue'))}\n\n"
            "Sign in to see the details; this email deliberately carries none.\n"
        )
        subject = f"Candidacy: {count} patient{'s' if count != 1 else ''} flagged for review"
        messages += [
            EmailMessage(subject, body, to=[user.email])
            for user in coordinators_of(centre.pk).exclude(email="")
        ]
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:
        # The flags are committed and shown in the queue and the nav badge; a mail server
        # outage must not turn into an error for whoever saved the record.
        logger.exception("Could not email the coordinators about flags %s", review_ids)
        return 0
