"""People and places every test can ask for by name."""

import os

import pytest
from django.contrib.auth.models import Group

from patients.reference_data import CLINICIAN, COORDINATOR, CRITERIA_ADMIN

from .factories import CentreFactory, UserFactory

SHARED_DIR = os.environ.get("CANDIDACY_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared"))


def _member(group_name, centre, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    centre.members.add(user)
    return user


@pytest.fixture
def centre(db):
    return CentreFactory(code="ntc", name="North Transplant Centre")


@pytest.fixture
def other_centre(db):
    return CentreFactory(code="far", name="Far Away Hospital")


@pytest.fixture
def clinician(centre):
    return _member(CLINICIAN, centre, username="clin")


@pytest.fixture
def coordinator(centre):
    return _member(COORDINATOR, centre, username="coord")


@pytest.fixture
def criteria_admin(centre):
    return _member(CRITERIA_ADMIN, centre, username="critadmin", is_staff=True)


@pytest.fixture
def other_clinician(other_centre):
    return _member(CLINICIAN, other_centre, username="farclin")


@pytest.fixture
def other_coordinator(other_centre):
    return _member(COORDINATOR, other_centre, username="farcoord")


@pytest.fixture
def superuser_of_other_centre(other_centre):
    return _member(CLINICIAN, other_centre, username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def client_for(client):
    """Log a client in as a user: ``client_for(clinician)``."""

    def login(user):
        client.force_login(user)
        return client

    return login
