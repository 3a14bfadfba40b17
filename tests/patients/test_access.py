"""Nobody sees a patient outside their centre; each role does only what its group allows."""

import pytest
from django.urls import reverse

from ..factories import AssessmentFactory, PatientFactory

PATIENT_URLS = [
    "patients:detail",
    "patients:update",
    "patients:assessment_create",
    "patients:treatments",
    "patients:relapses",
]


@pytest.fixture
def patient(centre):
    return PatientFactory(centre=centre)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PATIENT_URLS)
@pytest.mark.parametrize(
    "role", ["other_clinician", "other_coordinator", "superuser_of_other_centre"]
)
def test_users_of_another_centre_get_404_for_every_patient_url(
    request, client_for, patient, url_name, role
):
    client = client_for(request.getfixturevalue(role))
    response = client.get(reverse(url_name, args=[patient.public_id]))
    assert response.status_code == 404
    assert patient.family_name not in response.content.decode()


@pytest.mark.django_db
def test_marking_in_error_is_scoped_too(client_for, other_clinician, patient):
    assessment = AssessmentFactory(patient=patient, values={"karnofsky": 80})
    url = reverse("patients:assessment_mark_in_error", args=[patient.public_id, assessment.id])
    response = client_for(other_clinician).post(url, {"reason": "wrong patient"})
    assert response.status_code == 404
    assessment.refresh_from_db()
    assert not assessment.entered_in_error


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PATIENT_URLS)
def test_clinicians_of_the_centre_can_open_every_patient_page(
    client_for, clinician, patient, url_name
):
    assert client_for(clinician).get(reverse(url_name, args=[patient.public_id])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name, status",
    [
        ("patients:detail", 200),
        ("patients:update", 403),
        ("patients:assessment_create", 403),
        ("patients:treatments", 403),
        ("patients:relapses", 403),
    ],
)
def test_coordinators_read_patients_but_do_not_edit_them(
    client_for, coordinator, patient, url_name, status
):
    assert (
        client_for(coordinator).get(reverse(url_name, args=[patient.public_id])).status_code
        == status
    )


@pytest.mark.django_db
def test_a_coordinator_cannot_create_a_patient(client_for, coordinator):
    assert client_for(coordinator).get(reverse("patients:create")).status_code == 403


@pytest.mark.django_db
def test_the_patient_list_shows_only_the_users_centres(client_for, clinician, centre, other_centre):
    mine = PatientFactory(centre=centre, family_name="Mine")
    theirs = PatientFactory(centre=other_centre, family_name="Theirs")
    page = client_for(clinician).get(reverse("patients:list")).content.decode()
    assert mine.family_name in page
    assert theirs.family_name not in page


@pytest.mark.django_db
def test_search_finds_by_name_or_mrn_within_the_centre(client_for, clinician, centre, other_centre):
    PatientFactory(centre=centre, family_name="Okafor", mrn="A100")
    PatientFactory(centre=centre, family_name="Lindqvist", mrn="B200")
    PatientFactory(centre=other_centre, family_name="Okafor", mrn="C300")
    client = client_for(clinician)
    by_name = client.get(reverse("patients:list"), {"q": "okafor"}).content.decode()
    assert "A100" in by_name and "B200" not in by_name and "C300" not in by_name
    by_mrn = client.get(reverse("patients:list"), {"q": "B200"}).content.decode()
    assert "Lindqvist" in by_mrn and "Okafor" not in by_mrn


@pytest.mark.django_db
def test_the_header_search_opens_the_one_patient_an_mrn_names_in_the_users_centres(
    client_for, clinician, centre, other_centre
):
    mine = PatientFactory(centre=centre, family_name="Okafor", mrn="A100")
    PatientFactory(centre=other_centre, family_name="Okafor", mrn="C300")
    client = client_for(clinician)
    found = client.get(reverse("patients:list"), {"q": "a100", "from": "header"})
    assert found.url == reverse("patients:detail", args=[mine.public_id])
    # Another centre's MRN opens nothing: the list, empty, as for any search.
    theirs = client.get(reverse("patients:list"), {"q": "C300", "from": "header"})
    assert theirs.status_code == 200 and "No patients match." in theirs.content.decode()
    by_name = client.get(reverse("patients:list"), {"q": "okafor", "from": "header"})
    assert by_name.status_code == 200 and "A100" in by_name.content.decode()


@pytest.mark.django_db
def test_patient_records_are_not_browsable_in_django_admin(client_for, superuser_of_other_centre):
    client = client_for(superuser_of_other_centre)
    assert client.get("/admin/patients/patient/").status_code == 404
    assert client.get("/admin/patients/disease/").status_code == 200


# A centre may read one patient of another centre that was referred to it (patients/grants.py).
@pytest.fixture
def granted(centre, other_centre):
    from patients.grants import PatientAccessGrant

    referred = PatientFactory(centre=centre, family_name="Referred")
    PatientAccessGrant.objects.create(
        patient=referred, centre=other_centre, reason="Referred", source="test:1"
    )
    return referred


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PATIENT_URLS)
def test_a_grant_shows_another_centre_that_one_patient_read_only_and_no_other(
    client_for, other_clinician, centre, granted, url_name
):
    neighbour = PatientFactory(centre=centre, family_name="Neighbour")
    client = client_for(other_clinician)
    response = client.get(reverse(url_name, args=[granted.public_id]))
    assert response.status_code == (200 if url_name == "patients:detail" else 403)
    assert client.get(reverse(url_name, args=[neighbour.public_id])).status_code == 404
    listed = client.get(reverse("patients:list")).content.decode()
    assert granted.family_name in listed and neighbour.family_name not in listed


@pytest.mark.django_db
def test_a_grant_ends_when_its_end_passes(client_for, other_clinician, granted, clock):
    import datetime

    from django.utils import timezone

    granted.access_grants.update(ends_at=timezone.now() + datetime.timedelta(days=1))
    url = reverse("patients:detail", args=[granted.public_id])
    assert client_for(other_clinician).get(url).status_code == 200
    clock.shift(datetime.timedelta(days=1, minutes=1))
    assert client_for(other_clinician).get(url).status_code == 404


@pytest.mark.django_db
def test_the_scope_with_a_grant_stays_a_filter_on_literal_ids(other_clinician, granted):
    from patients.models import Patient

    where = str(Patient.objects.visible_to(other_clinician).query).split("WHERE", 1)[1]
    assert "SELECT" not in where  # no subquery: the ids are resolved first
    assert f"IN ({granted.pk})" in where
