"""Faster data entry (issue #13): limits and units on the inputs, the disease's therapies
first, "none of these" for the comorbidities, a copy of the last assessment, and any number
of treatment rows in one save."""

import re

import pytest
from django.urls import reverse

from common.vocabulary import COMORBIDITY_ITEMS
from patients.entry import NONE_OF_THESE_CONFLICT
from patients.models import Assessment, Patient, PriorTreatment

from ..clock import days_ago
from ..factories import AssessmentFactory, PatientFactory, disease, therapy
from .test_forms import patient_post

pytestmark = pytest.mark.django_db


def test_number_inputs_carry_the_catalogues_limits_and_units(client_for, clinician, centre):
    patient = PatientFactory(centre=centre, disease=disease("ms_rr"))
    page = client_for(clinician).get(
        reverse("patients:assessment_create", args=[patient.public_id])
    )
    html = page.content.decode()
    edss = re.search(r'<input[^>]*name="edss"[^>]*>', html).group(0)
    assert 'min="0"' in edss and 'max="10"' in edss and 'step="0.5"' in edss
    lvef = re.search(r'<input[^>]*name="lvef"[^>]*>', html).group(0)
    assert 'min="' in lvef and 'max="' in lvef
    assert "LVEF (%)" in html  # the unit beside the input
    # An item typed in either of two units keeps no limit the other unit would break.
    creatinine = re.search(r'<input[^>]*name="creatinine"[^>]*>', html).group(0)
    assert "max=" not in creatinine


def _groups(html):
    """The therapy select's option groups: label -> option texts (first row only)."""
    select = re.search(r'<select name="treatments-0-therapy".*?</select>', html, re.S).group(0)
    return {
        label: re.findall(r"<option[^>]*>([^<]+)</option>", body)
        for label, body in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    }


def test_an_ms_patients_treatment_list_opens_with_the_dmts(client_for, clinician, centre):
    patient = PatientFactory(centre=centre, disease=disease("ms_rr"))
    html = client_for(clinician).get(reverse("patients:treatments", args=[patient.public_id]))
    groups = _groups(html.content.decode())
    first, *_ = groups
    assert first.startswith("For Multiple sclerosis")
    assert all("MS DMT" in text for text in groups[first])
    assert any("Natalizumab" in text for text in groups[first])
    assert not any("Mycophenolate" in text for text in groups[first])
    assert any("Mycophenolate" in text for text in groups["Other therapies"])


def test_a_scleroderma_patients_list_does_not_open_with_ms_drugs(client_for, clinician, centre):
    patient = PatientFactory(centre=centre, disease=disease("ssc"))
    html = client_for(clinician).get(reverse("patients:treatments", args=[patient.public_id]))
    groups = _groups(html.content.decode())
    first = next(iter(groups))
    assert not any("MS DMT" in text for text in groups[first])
    assert any("MS DMT" in text for text in groups["Other therapies"])


def test_three_treatment_rows_save_at_once(client_for, clinician, centre):
    patient = PatientFactory(centre=centre, disease=disease("ms_rr"))
    data = {
        "treatments-TOTAL_FORMS": "3",  # the page's "Add a treatment" made a third row
        "treatments-INITIAL_FORMS": "0",
        "treatments-MIN_NUM_FORMS": "0",
        "treatments-MAX_NUM_FORMS": "60",
    }
    for i, key in enumerate(["interferon_beta", "fingolimod", "natalizumab"]):
        data[f"treatments-{i}-therapy"] = therapy(key).pk
        data[f"treatments-{i}-start_date"] = days_ago(900 - 300 * i).isoformat()
        data[f"treatments-{i}-outcome"] = "inadequate_response"
    response = client_for(clinician).post(
        reverse("patients:treatments", args=[patient.public_id]), data
    )
    assert response.status_code == 302
    assert PriorTreatment.objects.filter(patient=patient).count() == 3


def test_none_of_these_records_every_unknown_comorbidity_as_no(client_for, clinician, centre):
    response = client_for(clinician).post(
        reverse("patients:create"), patient_post(centre, none_of_these="on")
    )
    assert response.status_code == 302
    patient = Patient.objects.get(mrn="N-1")
    assert all(getattr(patient, item) is False for item in COMORBIDITY_ITEMS)


def test_none_of_these_with_a_yes_is_refused_and_nothing_is_saved(client_for, clinician, centre):
    response = client_for(clinician).post(
        reverse("patients:create"), patient_post(centre, none_of_these="on", cardiac="true")
    )
    assert response.status_code == 200
    assert NONE_OF_THESE_CONFLICT.split("{")[0] in response.content.decode()
    assert not Patient.objects.filter(mrn="N-1").exists()


def test_copy_from_the_last_assessment_fills_its_values_but_not_its_date(
    client_for, clinician, centre
):
    patient = PatientFactory(centre=centre, disease=disease("ms_rr"))
    AssessmentFactory(patient=patient, taken_on=days_ago(40), values={"edss": 3.5, "malignancy": 1})
    client = client_for(clinician)
    url = reverse("patients:assessment_create", args=[patient.public_id])
    assert "Copy from last assessment" in client.get(url).content.decode()
    html = client.get(url, {"copy": "last"}).content.decode()
    assert re.search(r'name="edss"[^>]*value="3.5"', html)
    assert re.search(r'<option value="1" selected>', html)  # malignancy: past
    assert days_ago(40).isoformat() not in html
    assert "Copied from the assessment of" in html
    assert Assessment.objects.filter(patient=patient).count() == 1  # nothing saved
