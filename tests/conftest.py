"""People and places every test can ask for by name."""

import os

import pytest

from patients.permissions import (  # plain constants, no Django
    CLINICIAN,
    COORDINATOR,
    CRITERIA_ADMIN,
)

# Django-dependent imports live inside the fixtures, so that the pure engine tests
# (tests/rules) also run without Django: python -m pytest tests/rules -p no:django

SHARED_DIR = os.environ.get(
    "CANDIDACY_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared")
)


def _member(group_name, centre, **kwargs):
    from django.contrib.auth.models import Group

    from .factories import UserFactory

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    centre.members.add(user)
    return user


@pytest.fixture
def centre(db):
    from .factories import CentreFactory

    return CentreFactory(code="ntc", name="North Transplant Centre")


@pytest.fixture
def other_centre(db):
    from .factories import CentreFactory

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


@pytest.fixture
def migration_data(transactional_db):
    """Transactional tests flush the database, data migrations' rows included: put them back."""
    from django.apps import apps

    from candidacy.reviews.permissions import grant_review_permissions
    from patients import reference_data
    from patients.permissions import grant_record_permissions
    from rules import seed
    from rules.permissions import grant_rules_permissions

    reference_data.seed(apps)
    grant_record_permissions(apps)
    grant_rules_permissions(apps)
    seed.seed_default_ruleset(apps)
    grant_review_permissions(apps)
