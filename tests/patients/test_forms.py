"""Bad input gets a message next to the field at fault, and nothing is half-saved."""

import datetime

import pytest
from django.urls import reverse

from patients.models import Assessment, AssessmentValue, Patient, PriorTreatment

from ..clock import TODAY
from ..factories import PatientFactory, disease, therapy
from ..html_forms import as_post_data, form_fields


def patient_post(centre, **changes):
    data = {
        "centre": centre.pk,
        "mrn": "N-1",
        "given_name": "Ada",
        "family_name": "Quist",
        "birth_date": "1988-02-03",
        "sex": "female",
        "disease": disease("ssc").pk,
        "diagnosis_date": "2023-05-01",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_a_clinician_creates_a_patient(client_for, clinician, centre):
    response = client_for(clinician).post(
        reverse("patients:create"), patient_post(centre, cardiac="true")
    )
    patient = Patient.objects.get(mrn="N-1")
    assert response.status_code == 302 and response.url == reverse(
        "patients:detail", args=[patient.public_id]
    )
    assert patient.centre == centre and patient.cardiac is True and patient.ibd is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"family_name": "x" * 10_000}, "family_name", "at most 100 characters"),
        ({"birth_date": "2023-02-30"}, "birth_date", "Enter a valid date"),
        (
            {"birth_date": (TODAY + datetime.timedelta(days=2)).isoformat()},
            "birth_date",
            "cannot be in the future",
        ),
        ({"diagnosis_date": "1970-01-01"}, "diagnosis_date", "before the date of birth"),
    ],
)
def test_bad_patient_input_is_reported_on_the_field(
    client_for, clinician, centre, changes, field, message
):
    response = client_for(clinician).post(
        reverse("patients:create"), patient_post(centre, **changes)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert 'id="form-errors"' in response.content.decode()
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_a_clinician_cannot_file_a_patient_in_another_centre(
    client_for, clinician, centre, other_centre
):
    response = client_for(clinician).post(reverse("patients:create"), patient_post(other_centre))
    assert "centre" in response.context["form"].errors
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_a_duplicate_mrn_in_the_centre_is_refused(client_for, clinician, centre):
    PatientFactory(centre=centre, mrn="N-1")
    response = client_for(clinician).post(reverse("patients:create"), patient_post(centre))
    assert response.status_code == 200 and response.context["form"].errors
    assert Patient.objects.filter(mrn="N-1").count() == 1


@pytest.mark.django_db
def test_an_assessment_is_saved_with_units_converted(client_for, clinician, centre):
    patient = PatientFactory(centre=centre)
    url = reverse("patients:assessment_create", args=[patient.public_id])
    response = client_for(clinician).post(
        url,
        {
            "taken_on": TODAY.isoformat(),
            "edss": "3.5",
            "karnofsky": "80",
            "creatinine": "88.4",
            "creatinine_unit": "µmol/L",
            "bilirubin": "1.2",
            "bilirubin_unit": "mg/dL",
            "pregnant": "0",
        },
    )
    assert response.status_code == 302
    values = {v.item: v.value for v in AssessmentValue.objects.filter(assessment__patient=patient)}
    assert values == {
        "edss": 3.5,
        "karnofsky": 80,
        "creatinine": 1.0,
        "bilirubin": 1.2,
        "pregnant": 0.0,
    }
    page = (
        client_for(clinician)
        .get(reverse("patients:detail", args=[patient.public_id]))
        .content.decode()
    )
    assert "1 mg/dL (88 µmol/L)" in page  # shown in both units


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"edss": "0.5"}, "edss", "no 0.5 step"),
        ({"edss": "11"}, "edss", "at most 10"),
        ({"karnofsky": "75"}, "karnofsky", "steps of 10"),
        ({"lvef": "abc"}, "lvef", "Enter a number"),
        ({"relapses_12m": "3", "relapses_24m": "1"}, "relapses_24m", "cannot be fewer"),
        (
            {"taken_on": (TODAY + datetime.timedelta(days=1)).isoformat(), "edss": "2"},
            "taken_on",
            "future",
        ),
        ({"taken_on": "2025-13-01", "edss": "2"}, "taken_on", "valid date"),
    ],
)
def test_an_assessment_with_a_bad_value_saves_nothing(
    client_for, clinician, centre, data, field, message
):
    patient = PatientFactory(centre=centre)
    payload = {"taken_on": TODAY.isoformat(), "karnofsky": "90", **data}
    response = client_for(clinician).post(
        reverse("patients:assessment_create", args=[patient.public_id]), payload
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Assessment.objects.exists() and not AssessmentValue.objects.exists()


@pytest.mark.django_db
def test_an_empty_assessment_is_refused(client_for, clinician, centre):
    patient = PatientFactory(centre=centre)
    response = client_for(clinician).post(
        reverse("patients:assessment_create", args=[patient.public_id]),
        {"taken_on": TODAY.isoformat()},
    )
    assert "Enter at least one value." in response.content.decode()


@pytest.mark.django_db
def test_an_assessment_entered_in_error_stays_in_history_but_stops_counting(
    client_for, clinician, centre
):
    patient = PatientFactory(centre=centre)
    client = client_for(clinician)
    url = reverse("patients:assessment_create", args=[patient.public_id])
    client.post(url, {"taken_on": (TODAY - datetime.timedelta(days=30)).isoformat(), "lvef": "60"})
    client.post(url, {"taken_on": TODAY.isoformat(), "lvef": "35"})
    wrong = Assessment.objects.get(taken_on=TODAY)
    assert patient.latest_values()["lvef"].value == 35
    client.post(
        reverse("patients:assessment_mark_in_error", args=[patient.public_id, wrong.id]),
        {"reason": "other patient's echo"},
    )
    wrong.refresh_from_db()
    assert wrong.entered_in_error and wrong.error_reason == "other patient's echo"
    assert patient.latest_values()["lvef"].value == 60
    assert Assessment.objects.count() == 2


def treatment_rows(*rows, initial=0):
    data = {
        "treatments-TOTAL_FORMS": str(len(rows)),
        "treatments-INITIAL_FORMS": str(initial),
        "treatments-MIN_NUM_FORMS": "0",
        "treatments-MAX_NUM_FORMS": "60",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"treatments-{i}-{key}"] = value
    return data


@pytest.mark.django_db
def test_the_treatment_formset_saves_all_rows_or_none(client_for, clinician, centre):
    patient = PatientFactory(centre=centre)
    url = reverse("patients:treatments", args=[patient.public_id])
    good = {
        "therapy": therapy("interferon_beta").pk,
        "start_date": "2019-01-01",
        "end_date": "2021-01-01",
        "outcome": "inadequate_response",
        "stop_reason": "relapses",
    }
    bad = {
        "therapy": therapy("natalizumab").pk,
        "start_date": "2023-01-01",
        "end_date": "2022-01-01",
        "outcome": "intolerance",
    }
    response = client_for(clinician).post(url, treatment_rows(good, bad))
    assert response.status_code == 200
    assert "The end cannot be before the start." in response.content.decode()
    assert not PriorTreatment.objects.exists()

    bad["end_date"] = "2024-01-01"
    response = client_for(clinician).post(url, treatment_rows(good, bad))
    assert response.status_code == 302
    assert list(patient.treatments.values_list("therapy__key", flat=True)) == [
        "interferon_beta",
        "natalizumab",
    ]


@pytest.mark.django_db
def test_a_forged_treatment_count_builds_no_more_than_sixty_rows(client_for, clinician, centre):
    patient = PatientFactory(centre=centre)
    data = treatment_rows({"therapy": therapy("glatiramer").pk, "start_date": "2019-01-01"})
    data["treatments-TOTAL_FORMS"] = "1000000"
    response = client_for(clinician).post(
        reverse("patients:treatments", args=[patient.public_id]), data
    )
    assert response.status_code == 200
    assert len(response.context["formset"].forms) <= 60
    assert not PriorTreatment.objects.exists()


@pytest.mark.django_db
def test_the_patient_page_shows_who_changed_what(client_for, clinician, centre):
    client = client_for(clinician)
    client.post(reverse("patients:create"), patient_post(centre))
    patient = Patient.objects.get()
    url = reverse("patients:update", args=[patient.public_id])
    opened = form_fields(client.get(url).content.decode(), "patient-form")  # with its edit base
    client.post(url, as_post_data(opened, family_name="Quist-Berg"))
    page = client.get(reverse("patients:detail", args=[patient.public_id])).content.decode()
    assert "Quist → Quist-Berg" in page
    assert clinician.get_full_name() in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params", [{"q": "a\x00b"}, {"q": "x" * 10_000}, {"page": "-3"}, {"page": "lots"}]
)
def test_bad_query_parameters_get_a_400_not_a_server_error(client_for, clinician, params):
    assert client_for(clinician).get(reverse("patients:list"), params).status_code == 400


@pytest.mark.django_db
def test_malignancy_is_a_three_way_choice_shown_as_a_word(client_for, clinician, centre):
    patient = PatientFactory(centre=centre)
    url = reverse("patients:assessment_create", args=[patient.public_id])
    form_page = client_for(clinician).get(url).content.decode()
    assert '<select name="malignancy"' in form_page
    assert '<option value="1">Past</option>' in form_page

    response = client_for(clinician).post(url, {"taken_on": TODAY.isoformat(), "malignancy": "1"})
    assert response.status_code == 302
    assert patient.latest_values()["malignancy"].value == 1.0
    page = client_for(clinician).get(reverse("patients:detail", args=[patient.public_id]))
    assert "<td>Malignancy</td><td>past</td>" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["3", "1.5", "active"])
def test_a_malignancy_answer_outside_the_three_is_refused_on_the_field(
    client_for, clinician, centre, value
):
    patient = PatientFactory(centre=centre)
    response = client_for(clinician).post(
        reverse("patients:assessment_create", args=[patient.public_id]),
        {"taken_on": TODAY.isoformat(), "malignancy": value},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["malignancy"]
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_a_yes_or_no_item_shows_the_clinicians_help_text(client_for, clinician, centre):
    patient = PatientFactory(centre=centre, disease=disease("crohns"))
    url = reverse("patients:assessment_create", args=[patient.public_id])
    page = client_for(clinician).get(url).content.decode()
    assert "Disease active or progressive despite standard therapy (clinician's assessment)" in page
    assert "Surgery not an option" in page
