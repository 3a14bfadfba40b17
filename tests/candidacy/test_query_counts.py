"""Each page asks the database a fixed number of queries, whatever the number of rows it shows.

Every page is read with a small population, then again after more patients (with screenings,
reviews, assessments and treatments) were added: the count must not move, so a query per row
(an N+1) fails here. Each page also has a budget, the count measured when it was pinned: a new
query on a page is a decision, made by raising its budget here.
"""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidacy.reviews.models import Review, ReviewNote
from rules.specs import POSSIBLE, STRONG, UNLIKELY

from ..factories import AssessmentFactory, PatientFactory, PriorTreatmentFactory, disease, therapy
from ..factories_candidacy import ReviewFactory, ScreeningFactory

pytestmark = pytest.mark.django_db

BANDS = (STRONG, POSSIBLE, UNLIKELY)
NEXT = re.compile(r'rel="next" href="\?([^"]+)"')


def add_patients(centre, count: int, start: int) -> None:
    """``count`` screened patients, every other one flagged, each with a record to show."""
    for i in range(start, start + count):
        patient = PatientFactory(
            centre=centre,
            family_name=f"Family{i:03d}",
            disease=disease("ms_rr" if i % 2 else "sle"),
        )
        AssessmentFactory(patient=patient, values={"karnofsky": 90, "lvef": 60})
        PriorTreatmentFactory(patient=patient, therapy=therapy("natalizumab"))
        screening = ScreeningFactory(
            patient=patient, band=BANDS[i % 3], score=40 + i % 50, to_collect=["dlco"]
        )
        if i % 2:
            ReviewFactory(flag_screening=screening, state=Review.State.FLAGGED)


def queries(client, url: str) -> int:
    client.get(url)  # the session and the caches warm, as on every page after the first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def worklist_urls(client) -> dict[str, str]:
    worklist = reverse("worklist:list")
    first = client.get(worklist).content.decode()
    found = NEXT.search(first)
    assert found, "more than one page of patients"
    return {
        "worklist first page": worklist,
        "worklist next page": f"{worklist}?{html.unescape(found.group(1))}",
        "worklist filtered": f"{worklist}?disease=ms&band={STRONG}&review=flagged",
        "worklist searched": f"{worklist}?q=family0",
        "worklist by score": f"{worklist}?sort=score",
        "worklist by name": f"{worklist}?sort=name",
        "worklist by last screened": f"{worklist}?sort=screened",
        "dashboard": reverse("worklist:dashboard"),
        "patient list": reverse("patients:list"),
        "patient list searched": reverse("patients:list") + "?q=Family0",
    }


# The budget of each page: what it needs today, counted with the session, the user, the
# permissions, the nav badge, the access log's insert and the page's own queries.
BUDGETS = {
    # and the active rule set, once: is a row's screening stale? and the rows counted, up to a
    # cap ("1–50 of 237", issue #13)
    "worklist first page": 17,
    "worklist next page": 17,
    "worklist filtered": 17,
    # and the ids of the patients with that MRN, resolved first, for the page and the count
    "worklist searched": 19,
    "worklist by score": 17,
    "worklist by name": 17,
    "worklist by last screened": 17,
    "dashboard": 15,
    "patient list": 13,
    "patient list searched": 13,
    "patient page": 32,  # the current review and its history, and the trends (issue #13)
    "review queue": 13,  # and the coordinators' badge of referrals waiting too long
    # the screening's explanation (as on the patient page) and the patient's timeline:
    # treatments, relapses, assessments and their values, screenings, reviews and their steps;
    # and the referrals badge
    "review page": 29,
    # 16 before the referral waits panel (the clinician's 15 and the coordinators' referrals
    # badge); the panel adds two: is one of the centres a transplant centre, and the steps.
    "coordinator's dashboard": 18,
}


def counts(client, urls: dict[str, str]) -> dict[str, int]:
    return {name: queries(client, url) for name, url in urls.items()}


def test_the_clinicians_pages_ask_as_many_queries_for_60_patients_as_for_120(
    client_for, clinician, centre
):
    add_patients(centre, 60, 0)
    client = client_for(clinician)
    urls = worklist_urls(client)
    some_patient = Review.objects.filter(patient__centre=centre).first().patient
    urls["patient page"] = reverse("patients:detail", args=[some_patient.public_id])
    few = counts(client, urls)
    add_patients(centre, 60, 60)
    # The patient shown gets more of everything its page lists.
    for _ in range(3):
        AssessmentFactory(patient=some_patient, values={"karnofsky": 80, "dlco": 70})
        PriorTreatmentFactory(patient=some_patient, therapy=therapy("ocrelizumab"))
    many = counts(client, urls)
    assert many == few
    over = {name: n for name, n in many.items() if n > BUDGETS[name]}
    assert not over, f"over budget: {over} (budgets {BUDGETS})"


def test_the_coordinators_pages_ask_as_many_queries_for_60_patients_as_for_120(
    client_for, coordinator, centre
):
    add_patients(centre, 60, 0)
    client = client_for(coordinator)
    review = Review.objects.filter(patient__centre=centre).first()
    urls = {
        "review queue": reverse("reviews:queue"),
        "review page": reverse("reviews:detail", args=[review.patient.public_id]),
        "coordinator's dashboard": reverse("worklist:dashboard"),
    }
    few = counts(client, urls)
    add_patients(centre, 60, 60)
    for text in ("Records requested", "Seen in clinic", "Referred on"):
        ReviewNote.objects.create(review=review, author=coordinator, text=text)
    many = counts(client, urls)
    assert many == few
    over = {name: n for name, n in many.items() if n > BUDGETS[name]}
    assert not over, f"over budget: {over} (budgets {BUDGETS})"
