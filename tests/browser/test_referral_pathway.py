"""One patient from a referring hospital's clinician, through the transplant centre's
coordinator and committee, and back to the letter the clinician reads."""

import pytest

from candidacy.referrals.models import Referral
from patients.models import Centre
from rules.specs import STRONG

from ..clock import days_ago
from ..factories import DEFAULT_PASSWORD, PatientFactory
from ..factories_candidacy import ScreeningFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


def test_a_referral_from_the_hospital_to_the_committee_and_back_to_the_letter(
    page, sign_in, live_server, centre, other_centre, other_clinician, coordinator, screenshot
):
    other_centre.kind = Centre.Kind.REFERRING
    other_centre.save(update_fields=["kind"])
    patient = PatientFactory(
        centre=other_centre, given_name="Rowan", family_name="Achterberg", mrn="RH-0007"
    )
    ScreeningFactory(patient=patient, band=STRONG, score=81)

    # The referring clinician refers from the patient page, with a letter attached.
    sign_in("farclin", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/patients/{patient.public_id}/")
    page.locator("#refer-button").click()
    page.select_option("#id_to_centre", label=str(centre))
    page.fill("#id_message", "Aggressive RRMS despite two high-efficacy DMTs.")
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_selector("text=was referred to North Transplant Centre")
    page.select_option("#id_kind", "letter")
    page.set_input_files(
        "#id_file", {"name": "clinic-letter.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Attach").click()
    page.wait_for_selector("text=clinic-letter.pdf was attached.")
    screenshot("referral-sent")

    # The transplant centre's coordinator works it through committee to a decision.
    page.context.clear_cookies()
    sign_in("coord", DEFAULT_PASSWORD)
    page.locator("#nav-referrals").click()
    row = page.locator("#referral-queue tbody tr", has_text="RH-0007")
    assert "Received" in row.inner_text() and "Strong candidate" in row.inner_text()
    row.get_by_role("link", name="Achterberg, Rowan").click()
    assert page.get_by_role("link", name="clinic-letter.pdf").is_visible()
    page.select_option("#id_to_status", "workup")
    page.get_by_role("button", name="Record the step").click()
    page.wait_for_selector("text=The referral is now: Accepted for work-up.")
    page.select_option("#id_to_status", "committee")
    page.fill("#id_committee_on", days_ago(1).isoformat())
    page.fill("#id_outcome", "Suitable for aHSCT; fit on echo and lung function")
    page.get_by_role("button", name="Record the step").click()
    page.wait_for_selector("text=The referral is now: Discussed at committee.")
    page.select_option("#id_to_status", "accepted")
    page.get_by_role("button", name="Record the step").click()
    page.wait_for_selector("text=The referral is now: Accepted for transplant.")
    steps = page.locator("#referral-steps").inner_text()
    assert "Accepted for work-up" in steps and "Discussed at committee" in steps
    screenshot("referral-decided")

    # Back at the hospital: "My referrals" shows the decision, and the letter says it plainly.
    page.context.clear_cookies()
    sign_in("farclin", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/referrals/mine/")
    row = page.locator("#my-referrals tbody tr", has_text="RH-0007")
    assert "Accepted for transplant" in row.inner_text()
    row.get_by_role("link", name="Letter").click()
    letter = page.locator("#referral-letter").inner_text()
    assert (
        "accepted Rowan Achterberg for autologous haematopoietic stem-cell transplantation"
        in letter
    )
    assert "The guideline checklist" in letter and "/100" not in letter
    page.go_back()
    page.locator("#my-referrals").get_by_role("link", name="Achterberg, Rowan").click()
    readers = page.locator("#referral-readers").inner_text()
    assert "coord" in readers
    screenshot("referral-letter")
    assert Referral.objects.get().status == Referral.Status.ACCEPTED
