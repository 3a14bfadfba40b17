"""A coordinator takes a flagged candidate from the queue to a referral, and sees the new state."""

import pytest

from candidacy.reviews.models import Review
from rules.specs import STRONG

from ..factories import DEFAULT_PASSWORD, PatientFactory
from ..factories_candidacy import ReviewFactory, ScreeningFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_assigns_a_flag_to_themself_and_refers_the_patient(
    page, sign_in, live_server, coordinator, centre, screenshot
):
    patient = PatientFactory(
        centre=centre, given_name="Imogen", family_name="Castellanos", mrn="BR-0042"
    )
    review = ReviewFactory(flag_screening=ScreeningFactory(patient=patient, band=STRONG, score=84))

    sign_in("coord", DEFAULT_PASSWORD)
    nav_reviews = page.locator("#nav-reviews")
    assert "1 unassigned flags" in nav_reviews.inner_text().replace("\n", " ")
    nav_reviews.click()
    row = page.locator("#review-queue tbody tr", has_text="BR-0042")
    assert "Strong candidate" in row.inner_text() and "unassigned" in row.inner_text()
    row.get_by_role("link", name="Castellanos, Imogen").click()

    page.get_by_role("button", name="Assign to me").click()
    page.wait_for_selector("text=The review was assigned to")
    page.get_by_role("button", name="Start review").click()
    page.wait_for_selector("text=The review was started.")

    # Referring a Strong candidate is in line with the band: no reason needed.
    page.fill("#id_reason", "Fits the ECTRIMS/EBMT criteria; team agrees.")
    page.get_by_role("button", name="Refer for transplant evaluation").click()
    page.wait_for_selector("text=The decision was recorded: Referred for transplant evaluation.")
    assert "Referred for transplant evaluation" in page.locator("#review-state").inner_text()
    audit = page.locator("#review-events").inner_text()
    assert "In review" in audit and "Referred for transplant evaluation" in audit
    screenshot("coordinator-review")
    review.refresh_from_db()
    assert (review.state, review.assignee, review.decision_band) == (
        Review.State.REFERRED,
        coordinator,
        STRONG,
    )

    # The worklist shows the new state.
    page.get_by_role("link", name="Worklist").click()
    row = page.locator(f"#worklist tr[data-patient='{patient.public_id}']")
    assert "Referred for transplant evaluation" in row.inner_text()
    screenshot("coordinator-review-worklist")
