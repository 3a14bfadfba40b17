"""The FHIR upload page: clinicians of a centre import files and read the report."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patients.models import ImportRun, Patient

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fhir"


def upload(name):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="application/json")


@pytest.mark.django_db
def test_a_clinician_uploads_two_files_and_sees_the_report_with_links(
    client_for, clinician, centre, django_capture_on_commit_callbacks
):
    client = client_for(clinician)
    assert "Import FHIR" in client.get(reverse("patients:list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("patients:import"),
            {"centre": centre.pk, "files": [upload("ms_patient.json"), upload("deceased.json")]},
            follow=True,
        )
    assert response.status_code == 200
    page = response.content.decode()
    run = ImportRun.objects.get()
    assert (run.source, run.started_by, run.bundles, run.patients_created) == (
        "upload",
        clinician,
        2,
        2,
    )
    for patient in Patient.objects.filter(centre=centre):
        assert reverse("patients:detail", args=[patient.public_id]) in page


@pytest.mark.django_db
def test_bad_files_give_the_report_not_an_error_page(client_for, clinician, centre):
    response = client_for(clinician).post(
        reverse("patients:import"),
        {"centre": centre.pk, "files": [upload("not_json.json"), upload("invalid_resource.json")]},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not JSON" in page and "Observation obs-broken (entry 2): valueQuantity.value" in page
    assert Patient.objects.count() == 0


@pytest.mark.django_db
def test_a_coordinator_may_not_import(client_for, coordinator, centre):
    client = client_for(coordinator)
    assert client.get(reverse("patients:import")).status_code == 403
    response = client.post(
        reverse("patients:import"), {"centre": centre.pk, "files": [upload("child.json")]}
    )
    assert response.status_code == 403
    assert Patient.objects.count() == 0


@pytest.mark.django_db
def test_only_the_users_own_centres_can_receive_an_import(client_for, clinician, other_centre):
    response = client_for(clinician).post(
        reverse("patients:import"), {"centre": other_centre.pk, "files": [upload("child.json")]}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Patient.objects.count() == 0


@pytest.mark.django_db
def test_too_many_files_are_refused(client_for, clinician, centre):
    files = [upload("child.json") for _ in range(11)]
    response = client_for(clinician).post(
        reverse("patients:import"), {"centre": centre.pk, "files": files}
    )
    assert response.context["form"].errors["files"] == ["Upload at most 10 files at a time."]
    assert ImportRun.objects.count() == 0 and Patient.objects.count() == 0


@pytest.mark.django_db
def test_files_over_5_mb_are_refused_beside_the_field(client_for, clinician, centre):
    big = SimpleUploadedFile(
        "big.json", b" " * (5 * 1024 * 1024 + 1), content_type="application/json"
    )
    response = client_for(clinician).post(
        reverse("patients:import"), {"centre": centre.pk, "files": [upload("child.json"), big]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["files"] == ["big.json is larger than 5 MB."]
    assert ImportRun.objects.count() == 0 and Patient.objects.count() == 0


@pytest.mark.django_db
def test_the_form_states_the_limits(client_for, clinician):
    page = client_for(clinician).get(reverse("patients:import")).content.decode()
    assert "Up to 10 files at a time, each at most 5 MB." in page


@pytest.mark.django_db
def test_another_centres_run_is_not_found(client_for, clinician, other_clinician, other_centre):
    run = ImportRun.objects.create(centre=other_centre, source="upload", started_by=other_clinician)
    assert (
        client_for(clinician).get(reverse("patients:import_run", args=[run.pk])).status_code == 404
    )


@pytest.mark.django_db
def test_the_upload_needs_a_csrf_token(clinician, centre):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(clinician)
    response = client.post(
        reverse("patients:import"), {"centre": centre.pk, "files": [upload("child.json")]}
    )
    assert response.status_code == 403
