"""No NUL reaches a view: path, query, form, header or cookie, the answer is 400 and says why."""

import pytest
from django.test import Client
from django.urls import reverse

from common.guards import NUL_REFUSED
from patients.models import Patient

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_query_parameter_gets_400_with_the_reason(client_for, clinician):
    response = client_for(clinician).get(reverse("patients:list"), {"q": "ab\x00c"})
    assert response.status_code == 400
    assert NUL_REFUSED in response.content.decode()


def test_a_nul_in_any_form_field_is_refused_before_the_form(client_for, clinician, centre):
    # A choice field (sex) and a model choice (centre) had no guard of their own: on PostgreSQL
    # the NUL reached the query, a 500.
    for field in ("sex", "centre", "given_name"):
        data = {"centre": centre.pk, "family_name": "Ng", "given_name": "Ada", "sex": "F"}
        data[field] = "x\x00"
        response = client_for(clinician).post(reverse("patients:create"), data)
        assert response.status_code == 400, field
        assert NUL_REFUSED in response.content.decode()
    assert not Patient.objects.exists()


def test_a_nul_in_a_field_name_a_header_or_a_cookie_is_refused(client_for, clinician):
    client = client_for(clinician)
    assert client.post(reverse("patients:create"), {"a\x00": "1"}).status_code == 400
    assert client.get(reverse("patients:list"), HTTP_X_SOMETHING="a\x00b").status_code == 400
    client.cookies["probe"] = "a\x00b"
    assert client.get(reverse("patients:list")).status_code == 400


def test_a_machine_endpoint_gets_the_reason_as_json():
    response = Client().post(
        "/cds-services/candidacy-screen?x=%00", data="{}", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"error": NUL_REFUSED}


def test_ordinary_requests_pass(client_for, clinician):
    assert client_for(clinician).get(reverse("patients:list"), {"q": "Ada"}).status_code == 200
