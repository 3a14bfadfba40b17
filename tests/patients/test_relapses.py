"""MS relapse dates: recorded on their own page, checked against the patient's dates, shown
on the patient page and in the edit history, and announced as a change of the record."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from patients.forms import MAX_RELAPSES
from patients.models import Relapse
from patients.relapses import (
    ONSET_BEFORE_BIRTH,
    ONSET_IN_FUTURE,
    ONSET_TWICE,
    count_in_last_year,
    year_before,
)
from patients.signals import record_changed
from patients.views import RELAPSES_SAVED

from ..clock import TODAY, days_ago, days_ahead
from ..factories import PatientFactory, disease

BIRTH = datetime.date(1990, 3, 14)
DIAGNOSIS = datetime.date(2020, 6, 1)


@pytest.fixture
def patient(centre):
    return PatientFactory(centre=centre, birth_date=BIRTH, diagnosis_date=DIAGNOSIS)


def relapse_rows(*rows, initial=0):
    data = {
        "relapses-TOTAL_FORMS": str(len(rows)),
        "relapses-INITIAL_FORMS": str(initial),
        "relapses-MIN_NUM_FORMS": "0",
        "relapses-MAX_NUM_FORMS": str(MAX_RELAPSES),
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"relapses-{i}-{key}"] = value
    return data


@pytest.fixture
def announced():
    patient_ids = []

    def receiver(sender, patient_id, **kwargs):
        patient_ids.append(patient_id)

    record_changed.connect(receiver)
    yield patient_ids
    record_changed.disconnect(receiver)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "onset, message",
    [
        (days_ahead(1), ONSET_IN_FUTURE),
        (BIRTH - datetime.timedelta(days=1), ONSET_BEFORE_BIRTH),
        (
            DIAGNOSIS - datetime.timedelta(days=1),
            "before the date of onset or diagnosis (01 Jun 2020)",
        ),
    ],
)
def test_an_implausible_onset_is_refused_on_the_field(patient, onset, message):
    with pytest.raises(ValidationError) as error:
        Relapse(patient=patient, onset=onset).full_clean()
    assert message in " ".join(error.value.message_dict["onset"])


@pytest.mark.django_db
def test_without_a_diagnosis_date_a_relapse_may_start_any_day_since_birth(patient):
    patient.diagnosis_date = None
    Relapse(patient=patient, onset=BIRTH).full_clean()
    Relapse(patient=patient, onset=TODAY).full_clean()


@pytest.mark.django_db
def test_a_clinician_records_relapse_dates_and_the_change_is_announced(
    client_for, clinician, patient, announced
):
    url = reverse("patients:relapses", args=[patient.public_id])
    assert client_for(clinician).get(url).status_code == 200
    response = client_for(clinician).post(
        url,
        relapse_rows(
            {"onset": days_ago(40).isoformat(), "note": "optic neuritis"},
            {"onset": "2023-02-10"},
        ),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("patients:detail", args=[patient.public_id])
    assert RELAPSES_SAVED in response.content.decode()
    assert list(patient.relapses.values_list("onset", "note")) == [
        (datetime.date(2023, 2, 10), ""),
        (days_ago(40), "optic neuritis"),
    ]
    assert announced == [patient.pk]


@pytest.mark.django_db
def test_one_bad_row_saves_no_relapse_and_is_marked(client_for, clinician, patient, announced):
    response = client_for(clinician).post(
        reverse("patients:relapses", args=[patient.public_id]),
        relapse_rows({"onset": "2023-02-10"}, {"onset": days_ahead(3).isoformat()}),
    )
    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.forms[1].errors["onset"] == [ONSET_IN_FUTURE]
    assert 'id="form-errors"' in response.content.decode()
    assert not Relapse.objects.exists() and announced == []


@pytest.mark.django_db
def test_a_day_already_stored_is_refused_beside_the_row(client_for, clinician, patient):
    # e.g. the page was open in two tabs: the stored row is not among the posted ones
    Relapse.objects.create(patient=patient, onset=datetime.date(2023, 2, 10))
    response = client_for(clinician).post(
        reverse("patients:relapses", args=[patient.public_id]),
        relapse_rows({"onset": "2023-02-10"}),
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["onset"] == [ONSET_TWICE]
    assert patient.relapses.count() == 1


@pytest.mark.django_db
def test_the_same_day_twice_in_one_post_is_refused(client_for, clinician, patient):
    response = client_for(clinician).post(
        reverse("patients:relapses", args=[patient.public_id]),
        relapse_rows({"onset": "2023-02-10"}, {"onset": "2023-02-10"}),
    )
    assert response.status_code == 200 and response.context["formset"].total_error_count()
    assert not Relapse.objects.exists()


@pytest.mark.django_db
def test_a_removed_day_can_be_entered_again_in_the_same_post(client_for, clinician, patient):
    stored = Relapse.objects.create(patient=patient, onset=datetime.date(2023, 2, 10))
    rows = relapse_rows(
        {"id": stored.pk, "onset": "2023-02-10", "DELETE": "on"},
        {"onset": "2023-02-10", "note": "entered again"},
        initial=1,
    )
    response = client_for(clinician).post(
        reverse("patients:relapses", args=[patient.public_id]), rows
    )
    assert response.status_code == 302
    assert list(patient.relapses.values_list("note", flat=True)) == ["entered again"]


@pytest.mark.django_db
def test_a_forged_form_count_builds_no_more_than_the_maximum(client_for, clinician, patient):
    data = relapse_rows({"onset": "2023-02-10"})
    data["relapses-TOTAL_FORMS"] = "1000000"
    response = client_for(clinician).post(
        reverse("patients:relapses", args=[patient.public_id]), data
    )
    assert response.status_code == 200
    assert len(response.context["formset"].forms) <= MAX_RELAPSES
    assert not Relapse.objects.exists()


@pytest.mark.django_db
def test_the_patient_page_lists_the_dates_and_counts_the_last_twelve_months(
    client_for, clinician, patient
):
    for onset in (days_ago(20), days_ago(200), days_ago(364), days_ago(366), DIAGNOSIS):
        Relapse.objects.create(patient=patient, onset=onset)
    page = client_for(clinician).get(reverse("patients:detail", args=[patient.public_id]))
    html = page.content.decode()
    assert "3 relapses in the last 12 months" in html
    assert "1 Jun 2020" in html
    assert reverse("patients:relapses", args=[patient.public_id]) in html


@pytest.mark.django_db
def test_the_relapse_section_is_for_ms_or_where_dates_were_recorded(client_for, clinician, centre):
    sle = PatientFactory(centre=centre, disease=disease("sle"))
    html = client_for(clinician).get(reverse("patients:detail", args=[sle.public_id])).content
    assert b"MS relapses" not in html and b"Edit relapses" not in html


@pytest.mark.django_db
def test_a_coordinator_sees_the_relapses_but_gets_no_edit_link(client_for, coordinator, patient):
    Relapse.objects.create(patient=patient, onset=days_ago(20))
    html = client_for(coordinator).get(reverse("patients:detail", args=[patient.public_id]))
    assert "1 relapse in the last 12 months" in html.content.decode()
    assert "Edit relapses" not in html.content.decode()


@pytest.mark.django_db
def test_the_edit_history_shows_who_recorded_and_changed_a_relapse(client_for, clinician, patient):
    client = client_for(clinician)
    url = reverse("patients:relapses", args=[patient.public_id])
    client.post(url, relapse_rows({"onset": "2023-02-10"}))
    relapse = Relapse.objects.get()
    client.post(url, relapse_rows({"id": relapse.pk, "onset": "2023-02-12"}, initial=1))
    page = client.get(reverse("patients:detail", args=[patient.public_id])).content.decode()
    assert "Relapse of 10 Feb 2023 created" in page
    assert "date of onset: 2023-02-10 → 2023-02-12" in page
    assert clinician.get_full_name() in page


@pytest.mark.parametrize(
    "onsets, expected",
    [
        ([], 0),
        ([TODAY], 1),
        ([year_before(TODAY)], 0),  # a year ago to the day is outside the 12 months
        ([year_before(TODAY) + datetime.timedelta(days=1)], 1),
        ([days_ahead(1)], 0),
        ([days_ago(10), days_ago(100), days_ago(400)], 2),
    ],
)
def test_the_last_twelve_months_end_today_and_start_after_that_day_a_year_ago(onsets, expected):
    assert count_in_last_year(onsets, today=TODAY) == expected


def test_a_year_before_the_29th_of_february_is_the_28th():
    assert year_before(datetime.date(2028, 2, 29)) == datetime.date(2027, 2, 28)
