"""A day on the demo population (issue #13, "Done when"): a clinician works the worklist and
a patient's record, a coordinator their review queue, a criteria admin the rule sets, each on
pages that read in a clinician's words."""

import io

import pytest
from django.core.management import call_command

from candidacy.reviews.models import Review
from candidacy.screening import services as screening
from candidacy.screening.models import Screening
from rules.models import RuleSet

from ..words import internal_strings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "candidacy-demo"


@pytest.fixture
def demo(live_server):
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
    return [(c.key, c.label) for c in RuleSet.objects.active().criteria.all()]


def no_code_on(page, criteria):
    assert internal_strings(page.content(), criteria) == [], page.url


def test_a_clinicians_day(page, sign_in, live_server, demo, screenshot):
    sign_in("clinician-ntc", PASSWORD)
    assert page.url.endswith("/worklist/")
    assert " of " in page.locator("#worklist-position").inner_text()  # "1–50 of 61"
    first = page.locator("#worklist tbody tr").first
    assert first.locator("td[data-label=Rank]").inner_text().strip() == "1"
    page.get_by_role("link", name="Score").click()
    assert "sort=score" in page.url
    page.get_by_role("link", name="Rank").click()
    row = page.locator("#worklist tbody tr").first
    row.locator("summary", has_text="Why this rank").click()
    why = page.locator(".why-row").first
    why.locator(".why-rank").wait_for()
    assert "puts the patient in group" in why.inner_text()
    no_code_on(page, demo)
    screenshot("day-clinician-worklist")

    row.locator("td[data-label=Patient] a").click()
    page.locator("#screening").wait_for()
    assert page.locator("#patient-review").is_visible()
    no_code_on(page, demo)

    # A new assessment, starting from the last one.
    page.get_by_role("link", name="Add assessment").click()
    page.get_by_role("link", name="Copy from last assessment").click()
    assert "Copied from the assessment of" in page.locator("#copied-from").inner_text()
    page.get_by_role("link", name="Cancel").click()

    # Treatment rows added and removed in place, then saved together.
    page.get_by_role("link", name="Edit treatments").click()
    rows_before = page.locator("tr.treatment-row:visible").count()
    page.get_by_role("button", name="Add a treatment").click()
    page.get_by_role("button", name="Add a treatment").click()
    assert page.locator("tr.treatment-row:visible").count() == rows_before + 2
    page.locator("tr.treatment-row:visible .remove-row").last.click()
    assert page.locator("tr.treatment-row:visible").count() == rows_before + 1
    new_row = page.locator("tr.treatment-row:visible").last
    new_row.locator("select[name$=-therapy]").select_option(index=1)  # the disease's first
    new_row.locator("input[name$=-start_date]").fill("2024-01-15")
    new_row.locator("select[name$=-outcome]").select_option("ongoing")
    page.get_by_role("button", name="Save treatments").click()
    if page.locator("#form-errors").count():  # say what the form refused, not just "timeout"
        pytest.fail(page.locator("main").inner_text())
    page.wait_for_selector("text=The treatment history was saved.")

    page.get_by_role("link", name="Print summary").click()
    page.locator("#print-summary").wait_for()
    no_code_on(page, demo)
    screenshot("day-clinician-print")


def test_a_coordinators_day(page, sign_in, live_server, demo, screenshot):
    flagged = Review.objects.filter(centre__code="ntc", state=Review.State.FLAGGED)
    assert flagged.exists()
    sign_in("coordinator-ntc", PASSWORD)
    assert page.url.endswith("/reviews/")
    top = page.locator("#review-queue tbody tr").first
    top_name = top.locator("td").first.locator("a").inner_text()
    # The queue's first row is the best-ranked flag.
    best = (
        Screening.objects.current()
        .filter(patient__reviews__in=flagged)
        .order_by("rank_key", "patient__reviews__flagged_at")
        .select_related("patient")
        .first()
    )
    assert top_name == f"{best.patient.family_name}, {best.patient.given_name}"
    top.locator("td").first.locator("a").click()

    assert page.locator("#explanation").is_visible() and page.locator("#timeline").is_visible()
    no_code_on(page, demo)
    colleague = page.locator("select[name=assignee] option")
    assert colleague.count() >= 1  # any coordinator of the centre
    page.get_by_role("button", name="Assign to me").click()
    page.wait_for_selector("text=The review was assigned to")
    page.get_by_role("button", name="Start review").click()
    page.wait_for_selector("text=The review was started.")
    page.fill("#id_reason", "Prefers to finish the current course first.")
    page.get_by_role("button", name="Decline").click()
    page.wait_for_selector("text=The decision was recorded: Declined.")

    # A new echo arrives: the decision is reopened, with the reason kept in the audit.
    page.locator("#reopen summary").click()
    page.fill("#reopen textarea[name=reason]", "New echo: LVEF recovered to 60%.")
    page.get_by_role("button", name="Reopen and return to review").click()
    page.wait_for_selector("text=The decision was reopened")
    assert "New echo: LVEF recovered to 60%." in page.locator("#review-events").inner_text()
    screenshot("day-coordinator-reopened")


def test_a_criteria_admins_day(page, sign_in, live_server, demo, screenshot):
    sign_in("criteria-admin", PASSWORD)
    assert page.url.endswith("/admin/rules/ruleset/")
    page.goto(f"{live_server.url}/criteria/")
    page.fill("#criteria-search", "LVEF")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=LVEF*")
    no_code_on(page, demo)
    text = page.locator("main").inner_text()
    assert "LVEF" in text and "read in the source" in text
    screenshot("day-criteria-admin")
