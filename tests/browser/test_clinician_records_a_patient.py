"""A clinician records a patient with an assessment and a prior treatment, and sees them."""

import pytest

from ..factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinician_records_a_patient_and_sees_it_on_the_patient_page(
    page, sign_in, clinician, screenshot
):
    sign_in("clin", DEFAULT_PASSWORD)
    page.get_by_role("link", name="Patients").click()
    page.get_by_role("link", name="Add patient").click()

    page.fill("#id_mrn", "BR-0042")
    page.fill("#id_given_name", "Imogen")
    page.fill("#id_family_name", "Castellanos")
    page.fill("#id_birth_date", "1991-04-12")
    page.select_option("#id_sex", "female")
    page.select_option("#id_disease", label="Multiple sclerosis, relapsing-remitting")
    page.fill("#id_diagnosis_date", "2019-09-01")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Imogen Castellanos was added.")

    page.get_by_role("link", name="Add assessment").click()
    assert (
        page.locator("#section-ms").get_attribute("open") is not None
    )  # the MS section opens itself
    page.fill("#id_edss", "3.5")
    page.fill("#id_relapses_12m", "2")
    page.fill("#id_karnofsky", "90")
    page.fill("#id_lvef", "61")
    page.click("text=Record assessment")
    page.wait_for_selector("text=The assessment was recorded.")

    page.get_by_role("link", name="Edit treatments").click()
    page.select_option("#id_treatments-0-therapy", label="Natalizumab (MS DMT, high efficacy)")
    page.fill("#id_treatments-0-start_date", "2021-02-01")
    page.fill("#id_treatments-0-end_date", "2025-03-01")
    page.select_option("#id_treatments-0-outcome", "inadequate_response")
    page.fill("#id_treatments-0-stop_reason", "two relapses on treatment")
    page.click("text=Save treatments")
    page.wait_for_selector("text=The treatment history was saved.")

    latest = page.locator("#latest-values").inner_text()
    assert "EDSS" in latest and "3.5" in latest
    assert "Karnofsky" in latest and "90 %" in latest
    treatments = page.locator("#treatments").inner_text()
    assert "Natalizumab" in treatments and "Inadequate response" in treatments
    assert "two relapses on treatment" in treatments
    assert "MRN BR-0042" in page.content()
    screenshot("patient-page")


def test_a_bad_value_is_shown_beside_its_field(page, sign_in, live_server, clinician, centre):
    from ..factories import PatientFactory

    patient = PatientFactory(centre=centre)
    sign_in("clin", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/patients/{patient.public_id}/assessments/new/")
    page.fill("#id_edss", "0.5")
    page.click("text=Record assessment")
    assert "has no 0.5 step" in page.locator("#form-errors").inner_text()
    assert "has no 0.5 step" in page.locator("#section-ms").inner_text()
