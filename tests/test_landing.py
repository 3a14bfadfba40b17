"""Each role lands where its work is after signing in, and nobody lands on a bare refusal."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.mfa.policy import mfa_required
from config.views import NO_ROLE
from patients.permissions import CLINICIAN, COORDINATOR, CRITERIA_ADMIN

from .factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ROLE_LANDINGS = [
    ("clinician", "worklist:list"),
    ("coordinator", "reviews:queue"),
    ("criteria_admin", "admin:rules_ruleset_changelist"),
]


@pytest.mark.parametrize("role, start", ROLE_LANDINGS)
def test_signing_in_lands_each_role_on_its_work(request, client, role, start):
    user = request.getfixturevalue(role)
    app = TOTPDevice.objects.create(user=user, name="Phone", confirmed=mfa_required(user))
    response = client.post(
        reverse("login"), {"username": user.username, "password": DEFAULT_PASSWORD}, follow=True
    )
    if mfa_required(user):  # the landing comes after the code (tests/test_mfa.py)
        assert response.redirect_chain[-1][0].startswith(reverse("mfa:verify"))
        response = client.post(
            response.redirect_chain[-1][0], {"code": f"{totp(app.bin_key):06d}"}, follow=True
        )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(start)


def test_a_criteria_admin_without_patient_permissions_is_never_refused_on_arrival(
    client_for, criteria_admin
):
    assert not criteria_admin.has_perm("patients.view_patient")
    response = client_for(criteria_admin).get("/", follow=True)
    assert response.status_code == 200
    assert "Patients</a>" not in response.content.decode()  # the top bar offers no refusal


@pytest.mark.parametrize(
    "roles, staff, start",
    [
        # The queue first: flags wait on the coordinator.
        ([COORDINATOR, CRITERIA_ADMIN], True, "reviews:queue"),
        ([CLINICIAN, COORDINATOR], False, "reviews:queue"),
        # Then the rule sets, before the worklist.
        ([CLINICIAN, CRITERIA_ADMIN], True, "admin:rules_ruleset_changelist"),
        # A criteria admin without the staff flag cannot open the admin: the worklist.
        ([CLINICIAN, CRITERIA_ADMIN], False, "worklist:list"),
    ],
)
def test_a_user_with_several_roles_lands_on_the_first_in_order(
    client_for, centre, roles, staff, start
):
    user = UserFactory(is_staff=staff)
    user.groups.add(*Group.objects.filter(name__in=roles))
    centre.members.add(user)
    response = client_for(user).get("/")
    assert response.url == reverse(start)


def test_a_user_with_no_role_sees_a_styled_page_saying_so(client_for, centre):
    user = UserFactory()
    centre.members.add(user)
    response = client_for(user).get("/")
    assert response.status_code == 403
    page = response.content.decode()
    assert NO_ROLE in page and "candidacy.css" in page and "Sign out" in page
