"""When a new result flags a patient for review (scoring-model.md, "Flags and review")."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidacy.reviews import flags
from candidacy.reviews.flags import (
    FLAG_BAND_ROSE,
    FLAG_NEW_CANDIDATE,
    FLAG_NEW_DATA,
    FLAG_RE_REVIEW_DUE,
    NO_FLAG_ALREADY_CANDIDATE,
    NO_FLAG_BACK_FROM_INCOMPLETE,
    NO_FLAG_DECEASED,
    NO_FLAG_DECLINED,
    NO_FLAG_DEFERRED,
    NO_FLAG_NOT_CANDIDATE,
    NO_FLAG_OPEN_REVIEW,
    NO_FLAG_REFERRED,
    Earlier,
    LastReview,
    flag_verdict,
    flags_decide,
    flags_open,
    reviews_reflag_due,
)
from candidacy.reviews.models import Review, ReviewEvent
from rules.specs import (
    EXCLUDED,
    INCOMPLETE,
    NOT_INDICATED,
    POSSIBLE,
    STRONG,
    TRIAL_ONLY,
    UNLIKELY,
)

from ..clock import TODAY
from ..factories import PatientFactory
from ..factories_candidacy import ReviewFactory, ScreeningFactory, rescreen


def flag_after_screenings(pairs):
    """The screening service's flag step, for screenings stored already (as rescreen stores them)."""
    return flags_open(flags_decide(pairs))


def ago(days):
    return TODAY - datetime.timedelta(days=days)


def declined(band, score=60, digest="d0"):
    return LastReview(
        Review.State.DECLINED, decision_band=band, decision_score=score, decision_digest=digest
    )


def deferred(until):
    return LastReview(
        Review.State.DEFERRED,
        decision_band=POSSIBLE,
        decision_score=60,
        decision_digest="d0",
        re_review_on=until,
    )


# (band, score, digest, earlier results newest first, latest review, deceased) -> verdict
CASES = [
    # A first result that is a candidate band flags the patient.
    ((STRONG, 80, "d1", [], None, False), FLAG_NEW_CANDIDATE),
    # Unlikely -> Possible: the previous result was neither candidate band.
    ((POSSIBLE, 60, "d1", [Earlier(UNLIKELY, ago(30))], None, False), FLAG_NEW_CANDIDATE),
    # Excluded, Not indicated and Trial only are not candidate bands either.
    ((STRONG, 80, "d1", [Earlier(EXCLUDED, ago(1))], None, False), FLAG_NEW_CANDIDATE),
    ((STRONG, 80, "d1", [Earlier(NOT_INDICATED, ago(1))], None, False), FLAG_NEW_CANDIDATE),
    ((POSSIBLE, 60, "d1", [Earlier(TRIAL_ONLY, ago(1))], None, False), FLAG_NEW_CANDIDATE),
    # A new result outside the candidate bands never flags.
    ((UNLIKELY, 30, "d1", [Earlier(STRONG, ago(1))], None, False), NO_FLAG_NOT_CANDIDATE),
    ((INCOMPLETE, 0, "d1", [], None, False), NO_FLAG_NOT_CANDIDATE),
    # Possible -> Strong without a review: the previous one was a candidate already.
    ((STRONG, 80, "d1", [Earlier(POSSIBLE, ago(5))], None, False), NO_FLAG_ALREADY_CANDIDATE),
    # Unless a review is already open (flagged or in review).
    (
        (STRONG, 80, "d1", [Earlier(UNLIKELY, ago(5))], LastReview(Review.State.FLAGGED), False),
        NO_FLAG_OPEN_REVIEW,
    ),
    (
        (STRONG, 80, "d1", [Earlier(UNLIKELY, ago(5))], LastReview(Review.State.IN_REVIEW), False),
        NO_FLAG_OPEN_REVIEW,
    ),
    # Deceased patients are never flagged.
    ((STRONG, 80, "d1", [], None, True), NO_FLAG_DECEASED),
    # A referred patient is not flagged again, whatever happens to the band.
    (
        (
            STRONG,
            90,
            "d1",
            [Earlier(UNLIKELY, ago(5))],
            LastReview(Review.State.REFERRED, POSSIBLE, 60, "d0"),
            False,
        ),
        NO_FLAG_REFERRED,
    ),
    # Declined at Possible, now Strong: the band rose.
    ((STRONG, 80, "d1", [Earlier(POSSIBLE, ago(5))], declined(POSSIBLE), False), FLAG_BAND_ROSE),
    # Declined at Possible 60, new data gives Possible 68: new data changed the result.
    (
        (POSSIBLE, 68, "d1", [Earlier(POSSIBLE, ago(5))], declined(POSSIBLE, 60, "d0"), False),
        FLAG_NEW_DATA,
    ),
    # Declined at Possible 60, back to Possible 60 after Unlikely: same result, no flag.
    (
        (POSSIBLE, 60, "d1", [Earlier(UNLIKELY, ago(5))], declined(POSSIBLE, 60, "d0"), False),
        NO_FLAG_DECLINED,
    ),
    # Declined on these very inputs (a rule-set re-run that changed nothing relevant): no flag.
    (
        (POSSIBLE, 62, "d0", [Earlier(POSSIBLE, ago(5))], declined(POSSIBLE, 60, "d0"), False),
        NO_FLAG_DECLINED,
    ),
    # Declined at Strong, now Possible: not a rise; new data changed the result, so flag.
    (
        (POSSIBLE, 60, "d1", [Earlier(STRONG, ago(5))], declined(STRONG, 85, "d0"), False),
        FLAG_NEW_DATA,
    ),
    # Deferred, re-review date still ahead: wait for it.
    (
        (
            STRONG,
            80,
            "d1",
            [Earlier(UNLIKELY, ago(5))],
            deferred(TODAY + datetime.timedelta(days=1)),
            False,
        ),
        NO_FLAG_DEFERRED,
    ),
    # Deferred, re-review date reached: flag (the nightly job would have done it too).
    ((STRONG, 80, "d1", [Earlier(POSSIBLE, ago(5))], deferred(TODAY), False), FLAG_RE_REVIEW_DUE),
    # Possible -> Incomplete -> Possible within the 90-day window (local policy): no re-flag.
    (
        (
            POSSIBLE,
            60,
            "d1",
            [Earlier(INCOMPLETE, ago(10)), Earlier(POSSIBLE, ago(40))],
            None,
            False,
        ),
        NO_FLAG_BACK_FROM_INCOMPLETE,
    ),
    # Strong -> Incomplete -> Incomplete -> Possible, last candidate result 90 days ago: still within.
    (
        (
            POSSIBLE,
            60,
            "d1",
            [Earlier(INCOMPLETE, ago(10)), Earlier(INCOMPLETE, ago(60)), Earlier(STRONG, ago(90))],
            None,
            False,
        ),
        NO_FLAG_BACK_FROM_INCOMPLETE,
    ),
    # The last candidate result was 91 days ago: outside the window, flag.
    (
        (POSSIBLE, 60, "d1", [Earlier(INCOMPLETE, ago(10)), Earlier(STRONG, ago(91))], None, False),
        FLAG_NEW_CANDIDATE,
    ),
    # Unlikely -> Incomplete -> Possible: before Incomplete the patient was not a candidate, flag.
    (
        (
            POSSIBLE,
            60,
            "d1",
            [Earlier(INCOMPLETE, ago(10)), Earlier(UNLIKELY, ago(20))],
            None,
            False,
        ),
        FLAG_NEW_CANDIDATE,
    ),
    # Incomplete since the first screening, now Strong: flag.
    ((STRONG, 80, "d1", [Earlier(INCOMPLETE, ago(10))], None, False), FLAG_NEW_CANDIDATE),
]


@pytest.mark.parametrize("case, expected", CASES)
def test_the_flag_rule(case, expected):
    band, score, digest, earlier, last_review, deceased = case
    verdict = flag_verdict(
        band=band,
        score=score,
        digest=digest,
        as_of=TODAY,
        earlier=earlier,
        last_review=last_review,
        deceased=deceased,
    )
    assert verdict == expected


# --- In the database ---------------------------------------------------------------------


@pytest.fixture
def centre_coordinator(coordinator):
    coordinator.email = "coord@example.org"
    coordinator.save(update_fields=["email"])
    return coordinator


def test_a_batch_flags_new_candidates_with_a_fixed_number_of_queries(
    centre, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    patients = PatientFactory.create_batch(30, centre=centre)
    pairs = []
    for i, patient in enumerate(patients):
        ScreeningFactory(patient=patient, band=UNLIKELY, score=30, as_of=ago(40))
        pairs.append(rescreen(patient, STRONG if i % 3 else UNLIKELY, as_of=TODAY))
    with django_capture_on_commit_callbacks(), django_assert_max_num_queries(5):
        flagged = flag_after_screenings(pairs)
    assert len(flagged) == 20
    assert Review.objects.filter(state=Review.State.FLAGGED).count() == 20
    assert ReviewEvent.objects.filter(to_state=Review.State.FLAGGED, actor=None).count() == 20


def test_the_query_count_does_not_grow_with_the_batch(centre):
    pairs = [
        rescreen(patient, POSSIBLE, as_of=TODAY)
        for patient in PatientFactory.create_batch(500, centre=centre)
    ]
    with CaptureQueriesContext(connection) as queries:
        assert len(flag_after_screenings(pairs)) == 500
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements.count("SELECT") == 3
    if connection.vendor == "postgresql":
        assert (
            statements == ["SELECT"] * 3 + ["INSERT"] * 2
        )  # one INSERT per table for the whole batch
    else:
        # SQLite caps the parameters of one statement, so Django splits the two INSERTs.
        assert set(statements[3:]) == {"INSERT"}


def test_an_open_review_stops_a_second_flag(centre):
    patient = PatientFactory(centre=centre)
    first = rescreen(patient, POSSIBLE)
    flag_after_screenings([first])
    assert flag_after_screenings([rescreen(patient, STRONG)]) == []
    assert Review.objects.filter(patient=patient).count() == 1


def test_a_trip_through_incomplete_is_not_flagged_again(centre):
    patient = PatientFactory(centre=centre)
    ScreeningFactory(patient=patient, band=POSSIBLE, as_of=ago(30), is_current=False)
    ScreeningFactory(patient=patient, band=INCOMPLETE, score=0, as_of=ago(10))
    assert flag_after_screenings([rescreen(patient, POSSIBLE)]) == []


def test_a_decline_is_compared_with_the_screening_it_was_made_on(centre):
    patient = PatientFactory(centre=centre)
    decided_on = ScreeningFactory(patient=patient, band=POSSIBLE, score=60)
    ReviewFactory(
        flag_screening=decided_on,
        state=Review.State.DECLINED,
        decision_screening=decided_on,
        decision_band=POSSIBLE,
        decision_score=60,
        decision_reason="patient declines",
    )
    same = rescreen(patient, UNLIKELY)
    assert flag_after_screenings([same]) == []
    back = rescreen(patient, POSSIBLE, score=60)
    assert flag_after_screenings([back]) == []  # the same result as declined
    rose = rescreen(patient, STRONG, score=81)
    [review] = flag_after_screenings([rose])
    assert review.flag_screening == rose[0]
    assert review.events.get().from_state == Review.State.DECLINED


def test_deceased_patients_are_never_flagged(centre):
    patient = PatientFactory(centre=centre, deceased=True)
    assert flag_after_screenings([rescreen(patient, STRONG)]) == []


def test_coordinators_of_the_centre_get_one_email_naming_only_the_mrn(
    centre, other_centre, centre_coordinator, other_coordinator, django_capture_on_commit_callbacks
):
    other_coordinator.email = "far@example.org"
    other_coordinator.save(update_fields=["email"])
    first, second = PatientFactory.create_batch(2, centre=centre)
    with django_capture_on_commit_callbacks(execute=True):
        flag_after_screenings(
            [rescreen(first, STRONG, score=88), rescreen(second, POSSIBLE, score=61)]
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["coord@example.org"]
    assert first.mrn in message.body and second.mrn in message.body
    assert f"/reviews/{first.public_id}/" in message.body
    # No clinical detail: no band, score, disease or name.
    for detail in (
        STRONG,
        POSSIBLE,
        "score",
        first.family_name,
        first.given_name,
        first.disease.name,
    ):
        assert (
            detail.lower() not in message.body.lower()
            and detail.lower() not in message.subject.lower()
        )


def test_no_email_is_sent_before_commit(
    centre, centre_coordinator, django_capture_on_commit_callbacks
):
    patient = PatientFactory(centre=centre)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        flag_after_screenings([rescreen(patient, STRONG)])
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_a_failing_mail_server_does_not_lose_the_flag(centre, centre_coordinator, monkeypatch):
    patient = PatientFactory(centre=centre)
    [review] = flag_after_screenings([rescreen(patient, STRONG)])

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    assert flags.notify_flagged(review_ids=[review.pk]) == 0


# --- Deferred reviews come due ---------------------------------------------------------


def _deferred_review(patient, until):
    screening = ScreeningFactory(patient=patient, band=POSSIBLE, score=60)
    return ReviewFactory(
        flag_screening=screening,
        state=Review.State.DEFERRED,
        decision_screening=screening,
        decision_band=POSSIBLE,
        decision_score=60,
        re_review_on=until,
    )


def test_deferred_reviews_are_flagged_again_on_their_date_once(
    centre, centre_coordinator, django_capture_on_commit_callbacks
):
    due = _deferred_review(PatientFactory(centre=centre), TODAY)
    _deferred_review(PatientFactory(centre=centre), TODAY + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        [flag] = reviews_reflag_due(TODAY)
    assert flag.patient == due.patient and flag.state == Review.State.FLAGGED
    event = flag.events.get()
    assert (event.from_state, event.to_state) == (Review.State.DEFERRED, Review.State.FLAGGED)
    assert f"{TODAY.day} {TODAY:%b %Y}" in event.detail  # the re-review date, as 1 Apr 2026
    assert len(mail.outbox) == 1
    # The nightly job may run twice: the second run finds nothing to do.
    assert reviews_reflag_due(TODAY) == []
    assert Review.objects.filter(patient=due.patient).count() == 2


def test_deceased_patients_are_not_flagged_on_their_re_review_date(centre):
    review = _deferred_review(PatientFactory(centre=centre), TODAY)
    review.patient.deceased = True
    review.patient.save(update_fields=["deceased"])
    assert reviews_reflag_due(TODAY) == []


def test_a_screening_after_the_date_flags_and_the_nightly_job_then_does_nothing(centre):
    review = _deferred_review(PatientFactory(centre=centre), TODAY)
    assert len(flag_after_screenings([rescreen(review.patient, STRONG, as_of=TODAY)])) == 1
    assert reviews_reflag_due(TODAY) == []


def test_the_screening_service_flags_a_new_strong_candidate(
    strong_ms_patient, django_capture_on_commit_callbacks
):
    from candidacy.screening.services import screening_record

    with django_capture_on_commit_callbacks(execute=True):
        screening = screening_record(patient=strong_ms_patient)
    assert screening.band == STRONG
    review = Review.objects.get(patient=strong_ms_patient)
    assert (review.state, review.flag_screening) == (Review.State.FLAGGED, screening)
