"""People and places every test can ask for by name."""

import os

import pytest
import time_machine
from hypothesis import settings as hypothesis_settings

from patients.permissions import (  # plain constants, no Django
    CLINICIAN,
    COORDINATOR,
    CRITERIA_ADMIN,
)

from .clock import FROZEN_NOW

# Django-dependent imports live inside the fixtures, so that the pure engine tests
# (tests/rules) also run without Django: python -m pytest tests/rules -p no:django

SHARED_DIR = os.environ.get(
    "CANDIDACY_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared")
)


# The clock stands at FROZEN_NOW (tests/clock.py says why that instant) for the whole run,
# from before the test modules are imported and the test database is migrated, and every
# test starts there afresh, whatever ran before it and for how long.
#
# It ticks (tick=True): from that start it runs at the real rate. A stopped clock gives every
# row a test writes the same created_at and history date, which never happens in use and
# leaves "latest first" orders to chance (two tests fail that way), and the threads that share
# the clock (the live server, Celery's test worker) would see no time pass at all. The date
# cannot change within a test: the next change, UTC's, is half an hour away. A test that
# needs time to pass moves the clock itself: ``clock.shift(datetime.timedelta(minutes=31))``.
#
# The patched clock is this process's: Chromium, PostgreSQL and Redis keep the real one, so
# no test may depend on them agreeing about the date. A test that needs the real clock says
# why and is marked ``@pytest.mark.real_clock``.
RUN_CLOCK = time_machine.travel(FROZEN_NOW, tick=True)

# Property tests draw the same examples on every run and keep no example database, so CI
# passes or fails on the code, never on the draw; set HYPOTHESIS_PROFILE=explore to search.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_configure(config):
    RUN_CLOCK.start()


def pytest_unconfigure(config):
    RUN_CLOCK.stop()


@pytest.fixture(autouse=True)
def clock(request):
    """The clock, at FROZEN_NOW as the test starts (None in a ``real_clock`` test)."""
    if request.node.get_closest_marker("real_clock"):
        RUN_CLOCK.stop()
        try:
            yield None
        finally:
            RUN_CLOCK.start()
        return
    with time_machine.travel(FROZEN_NOW, tick=True) as traveller:
        yield traveller


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


def pass_second_step(client, user):
    """Give a signed-in test client's session the second step of signing in, as the real one
    does: a confirmed authenticator for ``user`` that has verified this session. Production
    code is unchanged: the session holds exactly what django-otp writes after a right code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def client_for(client):
    """Log a client in as a user: ``client_for(clinician)``. A user who must use MFA has
    passed it; tests/test_mfa.py signs in without that help."""
    from config.mfa.policy import mfa_due

    def login(user):
        client.force_login(user)
        if mfa_due(user):
            pass_second_step(client, user)
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
    seed.publish_ruleset_v2(apps)
    grant_review_permissions(apps)
