"""Refusals, missing pages and failures are styled pages with a way back (DEBUG off)."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

HOME = 'href="/"'
STYLED = "css/candidacy.css"


def test_the_tests_run_with_debug_off_as_production_does():
    assert settings.DEBUG is False  # Django shows its own debug pages otherwise


@pytest.mark.django_db
def test_a_refusal_is_a_styled_page_with_the_top_bar_and_a_way_home(client_for, criteria_admin):
    response = client_for(criteria_admin).get(reverse("worklist:list"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This page is not open to you" in page and STYLED in page
    assert HOME in page and 'aria-label="Main"' in page


@pytest.mark.django_db
def test_an_admin_refusal_uses_the_same_page(client_for, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    response = client_for(coordinator).get(reverse("admin:rules_ruleset_add"))
    assert response.status_code == 403 and "This page is not open to you" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [True, False])
def test_a_missing_page_is_styled_with_a_way_home(client_for, client, clinician, signed_in):
    client = client_for(clinician) if signed_in else client
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Nothing here" in page and STYLED in page and HOME in page
    assert ('aria-label="Main"' in page) is signed_in


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_is_explained(clinician):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinician)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert "This form could not be sent" in response.text and STYLED in response.text


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
def test_a_failure_is_a_styled_page_with_a_way_home(client_for, clinician):
    client = client_for(clinician)
    client.raise_request_exception = False
    response = client.get("/fails/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text and STYLED in response.text
    assert HOME in response.text and "RuntimeError" not in response.text


def test_the_failure_page_needs_neither_a_request_context_nor_the_database():
    # No database mark: pytest-django refuses any query here.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


@pytest.mark.django_db
def test_a_request_django_cannot_read_is_styled_too(client):
    fields = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(reverse("login"), fields)  # TooManyFieldsSent
    assert response.status_code == 400
    assert "This request could not be read" in response.text and STYLED in response.text
