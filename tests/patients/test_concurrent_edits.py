"""Two editors of one record: the second is shown what the first changed and decides."""

import re

import pytest
from django.urls import reverse

from common.concurrency import EDIT_BASE_MISSING, EDITED_MEANWHILE
from patients.forms import RECORDED_MEANWHILE
from patients.models import Patient, PriorTreatment

from ..clock import days_ago
from ..conftest import _member
from ..factories import PatientFactory, PriorTreatmentFactory, therapy
from ..html_forms import as_post_data, form_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_clinician(centre):
    from patients.permissions import CLINICIAN

    return _member(CLINICIAN, centre, username="clin2")


@pytest.fixture
def two_editors(client_for, clinician, second_clinician):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(clinician)
    second.force_login(second_clinician)
    return first, second


def opened(client, url, form_id):
    return form_fields(client.get(url).content.decode(), form_id)


def test_the_second_editor_of_a_patient_is_shown_the_first_ones_change_and_nothing_is_lost(
    centre, two_editors
):
    patient = PatientFactory(centre=centre, cardiac=False, cirrhosis=False, diabetes=False)
    url = reverse("patients:update", args=[patient.public_id])
    first, second = two_editors
    first_form, second_form = (
        opened(first, url, "patient-form"),
        opened(second, url, "patient-form"),
    )

    saved = first.post(url, as_post_data(first_form, cardiac="true", cirrhosis="true"))
    assert saved.status_code == 302
    answer = second.post(url, as_post_data(second_form, diabetes="true"))

    page = answer.content.decode()
    assert answer.status_code == 200 and EDITED_MEANWHILE in page
    assert 'id="edit-conflict"' in page
    # Field by field: was, saved now, yours.
    assert re.search(
        r"<td>Cardiac[^<]*</td><td>no</td><td><strong>yes</strong></td><td>no</td>", page
    )
    assert re.search(r"<td>Cirrhosis</td><td>no</td><td><strong>yes</strong></td><td>no</td>", page)
    patient.refresh_from_db()
    assert (patient.cardiac, patient.cirrhosis, patient.diabetes) == (True, True, False)

    # The second editor takes the first one's values and keeps their own: saved.
    decided = form_fields(page, "patient-form")
    again = second.post(url, as_post_data(decided, cardiac="true", cirrhosis="true"))
    assert again.status_code == 302
    patient.refresh_from_db()
    assert (patient.cardiac, patient.cirrhosis, patient.diabetes) == (True, True, True)


def test_both_editors_choosing_the_same_value_is_no_conflict(centre, two_editors):
    patient = PatientFactory(centre=centre, cardiac=False)
    url = reverse("patients:update", args=[patient.public_id])
    first, second = two_editors
    first_form, second_form = (
        opened(first, url, "patient-form"),
        opened(second, url, "patient-form"),
    )
    assert first.post(url, as_post_data(first_form, cardiac="true")).status_code == 302
    assert second.post(url, as_post_data(second_form, cardiac="true")).status_code == 302


def test_a_form_without_its_edit_base_is_refused_not_saved(centre, two_editors):
    patient = PatientFactory(centre=centre, cardiac=False)
    url = reverse("patients:update", args=[patient.public_id])
    first, _ = two_editors
    data = as_post_data(opened(first, url, "patient-form"), cardiac="true", edit_base="forged")
    answer = first.post(url, data)
    assert answer.status_code == 200 and EDIT_BASE_MISSING in answer.content.decode()
    patient.refresh_from_db()
    assert patient.cardiac is False


def test_a_treatment_changed_meanwhile_is_shown_to_the_second_editor(centre, two_editors):
    patient = PatientFactory(centre=centre)
    treatment = PriorTreatmentFactory(
        patient=patient,
        therapy=therapy("rituximab"),
        start_date=days_ago(400),
        end_date=None,
        outcome="ongoing",
    )
    url = reverse("patients:treatments", args=[patient.public_id])
    first, second = two_editors
    first_form = opened(first, url, "treatments-form")
    second_form = opened(second, url, "treatments-form")
    ended = days_ago(10).isoformat()
    first_change = {"treatments-0-end_date": ended, "treatments-0-outcome": "inadequate_response"}
    saved = first.post(url, as_post_data(first_form, **first_change))
    assert saved.status_code == 302
    answer = second.post(url, as_post_data(second_form, **{"treatments-0-outcome": "intolerance"}))
    page = answer.content.decode()
    assert answer.status_code == 200 and 'id="edit-conflict"' in page
    assert re.search(
        r"<td>Rituximab [^<]*, outcome</td><td>Ongoing</td>"
        r"<td><strong>Inadequate response</strong></td><td>Intolerance</td>",
        page,
    )
    treatment.refresh_from_db()
    assert treatment.end_date is not None and treatment.outcome == "inadequate_response"
    assert PriorTreatment.objects.filter(patient=patient).count() == 1
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_a_double_submitted_assessment_is_stored_once_and_answered_the_same(centre, two_editors):
    patient = PatientFactory(centre=centre)
    url = reverse("patients:assessment_create", args=[patient.public_id])
    first, _ = two_editors
    form = as_post_data(opened(first, url, "assessment-form"), lvef="55")
    answers = [first.post(url, form), first.post(url, form)]  # a double click, or a retry
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].url == answers[1].url
    assert patient.assessments.count() == 1
    assert patient.assessments.get().values.get().value == 55


def test_an_assessment_recorded_meanwhile_is_shown_before_a_second_is_stored(centre, two_editors):
    patient = PatientFactory(centre=centre)
    url = reverse("patients:assessment_create", args=[patient.public_id])
    first, second = two_editors
    first_form, second_form = (
        opened(first, url, "assessment-form"),
        opened(second, url, "assessment-form"),
    )
    assert first.post(url, as_post_data(first_form, lvef="55")).status_code == 302
    answer = second.post(url, as_post_data(second_form, lvef="54"))
    page = answer.content.decode()
    assert answer.status_code == 200 and RECORDED_MEANWHILE in page
    assert 'id="recorded-meanwhile"' in page and "55" in page
    assert patient.assessments.count() == 1
    decided = form_fields(page, "assessment-form")  # the second clinician records theirs too
    assert second.post(url, as_post_data(decided)).status_code == 302
    assert patient.assessments.count() == 2
