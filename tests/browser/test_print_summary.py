"""The team meeting's summary prints on one A4 page, chart included (issue #13).

Chromium's own PDF of the print view is counted, for the demo patient with the most to show:
the longest treatment history, data to collect and a decided review."""

import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Count

from candidacy.reviews.models import Review
from candidacy.screening import services as screening
from candidacy.screening.models import Screening
from patients.models import Patient
from rules.models import RuleSet

from ..factories_candidacy import ReviewFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


@pytest.fixture
def busiest(live_server, coordinator):
    call_command(
        "seed_demo",
        "--patients",
        "80",
        "--allow-without-debug",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    ids = list(screening.screenable_patient_ids())
    screening.screenings_record_many(patient_ids=ids, ruleset=RuleSet.objects.active())
    patient = (
        Patient.objects.filter(centre__code="ntc", deceased=False)
        .annotate(n=Count("treatments"))
        .order_by("-n", "pk")
        .first()
    )
    Review.objects.filter(patient=patient).delete()
    ReviewFactory(
        flag_screening=Screening.objects.of_patient(patient.pk),
        state=Review.State.DECLINED,
        decided_by=coordinator,
        decision_reason="Discussed at the meeting: " + "the patient prefers to wait. " * 8,
    )
    return patient


def test_the_print_summary_is_one_a4_page_with_its_chart(page, sign_in, live_server, busiest):
    sign_in("clinician-ntc", "candidacy-demo")
    page.goto(f"{live_server.url}/patients/{busiest.public_id}/print/")
    page.emulate_media(media="print")
    assert page.locator("#print-chart rect").first.is_visible()
    for part in (
        "#print-reasons, #print-checklist",
        "#print-results",
        "#print-treatments",
        "#print-comorbidities",
        "#print-review",
    ):
        assert page.locator(part).first.is_visible(), part
    assert "Declined" in page.locator("#print-review").inner_text()
    pdf = page.pdf(format="A4", print_background=True)
    assert len(PDF_PAGE.findall(pdf)) == 1
