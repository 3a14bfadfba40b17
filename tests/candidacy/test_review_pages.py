"""The review as coordinators work it (issue #13): the review page explains the screening and
tells the patient's story, the patient page shows where the review stands, the queue puts the
next patient first, and a decision can be reopened with a reason."""

import datetime

import pytest
from django.urls import reverse

from candidacy.reviews import services as reviews
from candidacy.reviews.models import Review
from candidacy.screening.models import Screening
from rules.specs import INCOMPLETE, POSSIBLE, STRONG, UNLIKELY

from ..clock import days_ago
from ..factories import PatientFactory
from ..factories_candidacy import ReviewFactory, ScreeningFactory
from ..words import page_text

State = Review.State


def text_of(response) -> str:
    return " ".join(page_text(response.content.decode()).split())


@pytest.fixture
def reviewed_patient(make_patient):
    """An MS patient, screened by the engine, with a flagged review and one relapse."""
    patient = make_patient("ms_rr", age=34, values={"relapses_12m": 1, "edss": 3.0})
    ReviewFactory(flag_screening=Screening.objects.of_patient(patient.pk))
    return patient


def test_the_review_page_explains_the_screening_and_tells_the_patients_story(
    client_for, coordinator, reviewed_patient
):
    url = reverse("reviews:detail", args=[reviewed_patient.public_id])
    text = text_of(client_for(coordinator).get(url))
    assert "Points and every criterion" in text  # the explanation, criterion by criterion
    assert "Guideline checklist" in text
    assert "Data to collect" in text or "What limits the band" in text
    assert "Timeline" in text
    assert "Diagnosis" in text and "Assessment" in text and "Screening" in text


def test_the_patient_page_shows_the_current_review_and_earlier_decisions(
    client_for, clinician, coordinator, centre
):
    patient = PatientFactory(centre=centre)
    first = ReviewFactory(
        flag_screening=ScreeningFactory(patient=patient, band=POSSIBLE, score=50, is_current=False),
        state=State.DECLINED,
        decision_band=POSSIBLE,
        decision_score=50,
        decision_reason="Patient prefers to continue the current DMT.",
        decided_at=datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC),
        decided_by=coordinator,
    )
    Review.objects.filter(pk=first.pk).update(
        flagged_at=datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC)
    )
    ReviewFactory(flag_screening=ScreeningFactory(patient=patient, band=STRONG, score=80))
    page = client_for(clinician).get(reverse("patients:detail", args=[patient.public_id]))
    text = text_of(page)
    assert "Team review" in text
    assert "Flagged" in text and "unassigned" in text
    assert "Earlier reviews" in text and "Declined" in text
    assert "Patient prefers to continue the current DMT." in text


def test_a_patient_never_flagged_says_so(client_for, clinician, centre):
    patient = PatientFactory(centre=centre)
    text = text_of(client_for(clinician).get(reverse("patients:detail", args=[patient.public_id])))
    assert "Not flagged for team review." in text


def _queue_names(client, **params):
    response = client.get(reverse("reviews:queue"), params)
    assert response.status_code == 200
    return [r.patient.family_name for r in response.context["page"]]


def test_the_queue_puts_band_then_score_then_the_longest_wait_first(
    client_for, coordinator, centre
):
    def flag(name, band, score, days):
        patient = PatientFactory(centre=centre, family_name=name)
        review = ReviewFactory(
            flag_screening=ScreeningFactory(patient=patient, band=band, score=score)
        )
        when = datetime.datetime.combine(days_ago(days), datetime.time(9), tzinfo=datetime.UTC)
        Review.objects.filter(pk=review.pk).update(flagged_at=when)

    flag("Possible-old", POSSIBLE, 50, 30)
    flag("Strong-low", STRONG, 72, 1)
    flag("Strong-high-new", STRONG, 90, 1)
    flag("Strong-high-old", STRONG, 90, 10)
    flag("Incomplete", INCOMPLETE, None, 60)
    client = client_for(coordinator)
    assert _queue_names(client) == [
        "Strong-high-old",
        "Strong-high-new",
        "Strong-low",
        "Possible-old",
        "Incomplete",
    ]
    assert _queue_names(client, sort="waiting")[0] == "Incomplete"
    assert _queue_names(client, sort="name")[0] == "Incomplete"
    assert _queue_names(client, sort="newest")[-1] == "Incomplete"
    assert client.get(reverse("reviews:queue"), {"sort": "score; drop"}).status_code == 400


def test_a_coordinator_lands_on_the_queue(client_for, coordinator):
    assert client_for(coordinator).get("/").url == reverse("reviews:queue")


@pytest.fixture
def declined(centre, coordinator):
    patient = PatientFactory(centre=centre)
    screening = ScreeningFactory(patient=patient, band=UNLIKELY, score=30)
    review = ReviewFactory(flag_screening=screening, state=State.IN_REVIEW, assignee=coordinator)
    return reviews.review_decide(
        review=review, decision=State.DECLINED, by=coordinator, reason="Too frail today."
    )


def test_reopening_a_decision_needs_a_reason_and_changes_nothing_without_one(
    client_for, coordinator, declined
):
    url = reverse("reviews:reopen", args=[declined.patient.public_id])
    response = client_for(coordinator).post(url, {"review": declined.pk, "reason": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    declined.refresh_from_db()
    assert declined.state == State.DECLINED and declined.events.count() == 1


def test_a_reopened_decision_is_in_review_again_and_the_audit_keeps_the_decision_and_reason(
    client_for, coordinator, declined
):
    url = reverse("reviews:reopen", args=[declined.patient.public_id])
    reason = "New echo shows LVEF recovered."
    response = client_for(coordinator).post(url, {"review": declined.pk, "reason": reason})
    assert response.status_code == 302
    declined.refresh_from_db()
    assert declined.state == State.IN_REVIEW
    assert (declined.decided_at, declined.decision_reason) == (None, "")
    event = declined.events.order_by("created_at").last()
    assert (event.from_state, event.to_state, event.actor) == (
        State.DECLINED,
        State.IN_REVIEW,
        coordinator,
    )
    assert reason in event.detail and "Declined" in event.detail
    page = text_of(client_for(coordinator).get(response.url))
    assert reviews.REOPENED in page and reason in page
    # The worklist's review-state filter reads the copy on the current screening.
    assert Screening.objects.of_patient(declined.patient_id).review_state == State.IN_REVIEW


def test_only_the_latest_review_can_be_reopened(coordinator, declined):
    ReviewFactory(
        flag_screening=Screening.objects.of_patient(declined.patient_id),
        state=State.DECLINED,
    )
    with pytest.raises(reviews.IllegalTransition, match="latest review"):
        reviews.review_reopen(review=declined, by=coordinator, reason="again")


def test_a_clinician_cannot_reopen_a_decision(client_for, clinician, declined):
    url = reverse("reviews:reopen", args=[declined.patient.public_id])
    response = client_for(clinician).post(url, {"review": declined.pk, "reason": "Why not"})
    assert response.status_code == 403
    declined.refresh_from_db()
    assert declined.state == State.DECLINED


def test_an_open_review_cannot_be_reopened(coordinator, declined):
    declined.state = State.FLAGGED
    declined.save(update_fields=["state"])
    with pytest.raises(reviews.IllegalTransition):
        reviews.review_reopen(review=declined, by=coordinator, reason="again")
