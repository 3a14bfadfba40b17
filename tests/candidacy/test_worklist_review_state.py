"""The worklist's review filter follows each review step and each re-screen.

The filter reads a copy of the patient's latest review state on the current screening
(an index serves it); these drive the real services and check what the filter shows.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidacy.reviews import services as reviews
from candidacy.reviews.flags import reviews_reflag_due
from candidacy.reviews.models import Review
from candidacy.screening.models import Screening
from candidacy.screening.services import screening_record
from patients import services as patient_services
from patients.permissions import COORDINATOR

from ..clock import TODAY
from ..conftest import _member

pytestmark = pytest.mark.django_db

State = Review.State
CANDIDATE = {
    "values": {"relapses_12m": 2, "edss": 3.5},
    "treatments": [("natalizumab", 900, 20, "inadequate_response")],
}


MRNS = ("NTC-CAND", "NTC-OTHER")


def shown(client, review: str) -> set[str]:
    """Which of the two patients the worklist shows under this review filter (by MRN)."""
    page = client.get(reverse("worklist:list"), {"review": review}).content.decode()
    return {mrn for mrn in MRNS if mrn in page}


@pytest.fixture
def colleague(centre):
    return _member(COORDINATOR, centre, username="colleague")


@pytest.fixture
def people(make_patient):
    """A candidate the screening service flags, and a patient it does not."""
    candidate = make_patient("ms_rr", age=34, mrn=MRNS[0], **CANDIDATE)
    other = make_patient("ms_rr", age=34, mrn=MRNS[1])
    return candidate, other


def test_the_review_filter_follows_a_review_from_flag_to_decision_and_back(
    people, client_for, coordinator, colleague
):
    candidate, other = people
    client = client_for(coordinator)
    assert shown(client, "flagged") == {"NTC-CAND"}  # flagged by its screening
    assert shown(client, "none") == {"NTC-OTHER"}

    review = Review.objects.get(patient=candidate)
    reviews.review_assign(review=review, assignee=colleague, by=coordinator)
    assert shown(client, "flagged") == {"NTC-CAND"}  # an assignment is not a state

    reviews.review_start(review=review, by=coordinator)
    assert shown(client, "in_review") == {"NTC-CAND"}
    assert shown(client, "flagged") == set()

    due = TODAY + datetime.timedelta(days=30)
    reviews.review_decide(
        review=review, decision=State.DEFERRED, by=coordinator, reason="Wait", re_review_on=due
    )
    assert shown(client, "deferred") == {"NTC-CAND"}
    assert shown(client, "in_review") == set()

    reviews_reflag_due(today=due)  # the re-review date reopens it with a new flag
    assert shown(client, "flagged") == {"NTC-CAND"}
    assert shown(client, "deferred") == set()
    assert shown(client, "none") == {"NTC-OTHER"}


def test_a_new_screening_keeps_the_patients_review_state(people, client_for, coordinator):
    candidate, _ = people
    review = Review.objects.get(patient=candidate)
    reviews.review_start(review=review, by=coordinator)
    reviews.review_decide(review=review, decision=State.REFERRED, by=coordinator)
    first = Screening.objects.current().get(patient=candidate)

    assessment = candidate.assessments.get()
    patient_services.assessment_record(
        patient=candidate, taken_on=assessment.taken_on, values={"edss": 6.5}
    )
    screening_record(patient=candidate)

    assert Screening.objects.current().get(patient=candidate).pk != first.pk  # a new row
    client = client_for(coordinator)
    assert shown(client, "referred") == {"NTC-CAND"}
    assert shown(client, "none") == {"NTC-OTHER"}


def test_the_review_filter_reads_the_screening_alone(people, client_for, coordinator):
    """No subquery on the reviews per screening: an index on the screening serves the filter."""
    client = client_for(coordinator)
    shown(client, "none")  # the session and the caches warm
    with CaptureQueriesContext(connection) as captured:
        assert shown(client, "none") == {"NTC-OTHER"}
    screenings = [
        q["sql"] for q in captured.captured_queries if 'FROM "candidacy_screening"' in q["sql"]
    ]
    # The page's query and the capped count of its rows ("1–50 of 237"): neither reads reviews.
    [page] = [sql for sql in screenings if "COUNT(" not in sql.upper()]
    assert len(screenings) == 2
    assert all("candidacy_review" not in sql for sql in screenings)
