"""Password rules: no trivially repeated characters, no password made of the user's names."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from common.passwords import MADE_OF_NAMES, REPEATED

from ..conftest import pass_second_step
from ..factories import UserFactory


def refusals(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.fixture
def clara(db):
    return UserFactory(username="cquist", first_name="Clara", last_name="Quist")


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",
        "AAAAAAAAAAAAAAAA",
        "abababababab",
        "abcabcabcabc",
        "passwordpassword",
        "aaaabbbb1111",
    ],
)
def test_a_few_characters_repeated_are_refused(password):
    assert REPEATED in refusals(password)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    ["Clara.Quist2024", "QUISTclara1999", "2024-clara-quist-!", "cquistcquist12", "Quist19Clara77"],
)
def test_a_password_made_of_the_users_names_is_refused(clara, password):
    assert MADE_OF_NAMES in refusals(password, clara)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password", ["clara-likes-blue-herons", "Quist-rowing-at-dawn-7", "a-long-test-password"]
)
def test_names_among_other_words_and_ordinary_passphrases_pass(clara, password):
    assert refusals(password, clara) == []


@pytest.mark.django_db
def test_an_admin_setting_a_repeated_password_sees_why_and_nothing_changes(client, clara):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    pass_second_step(client, admin)  # staff owe MFA before any admin page
    url = reverse("admin:auth_user_password_change", args=[clara.pk])
    data = {"password1": "Clara.Quist2024", "password2": "Clara.Quist2024"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert MADE_OF_NAMES in response.content.decode().replace("&#x27;", "'")
    clara.refresh_from_db()
    assert not clara.check_password("Clara.Quist2024")
