"""Two criteria admins editing one draft: the second is shown the first one's change."""

import pytest
from django.test import Client
from django.urls import reverse

from common.concurrency import EDITED_MEANWHILE

from ..conftest import _member, pass_second_step
from ..html_forms import as_post_data, form_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_admins(criteria_admin, centre):
    from patients.permissions import CRITERIA_ADMIN

    other = _member(CRITERIA_ADMIN, centre, username="critadmin2", is_staff=True)
    first, second = Client(), Client()
    for client, user in ((first, criteria_admin), (second, other)):
        client.force_login(user)
        pass_second_step(client, user)  # criteria admins sign in with MFA
    return first, second


def opened(client, url, form_id):
    return form_fields(client.get(url).content.decode(), form_id)


def test_a_criterion_changed_meanwhile_is_not_overwritten(two_admins, draft):
    lvef = draft.criteria.get(key="ssc_lvef")
    url = reverse("admin:rules_criterion_change", args=[lvef.pk])
    first, second = two_admins
    first_form, second_form = (
        opened(first, url, "criterion_form"),
        opened(second, url, "criterion_form"),
    )
    assert (
        first.post(url, as_post_data(first_form, _save="Save", thresholds="[40]")).status_code
        == 302
    )
    answer = second.post(url, as_post_data(second_form, _save="Save", thresholds="[50]"))
    page = answer.content.decode()
    assert answer.status_code == 200 and EDITED_MEANWHILE in page and 'id="edit-conflict"' in page
    assert "<td><strong>[40]</strong></td><td>[50]</td>" in page
    lvef.refresh_from_db()
    assert lvef.thresholds == [40]
    decided = form_fields(page, "criterion_form")  # saving again is the second admin's decision
    assert second.post(url, as_post_data(decided, _save="Save")).status_code == 302
    lvef.refresh_from_db()
    assert lvef.thresholds == [50]


def test_the_rule_set_form_shows_the_second_admin_what_the_first_changed(two_admins, draft):
    url = reverse("admin:rules_ruleset_change", args=[draft.pk])
    first, second = two_admins
    first_form, second_form = (
        opened(first, url, "ruleset_form"),
        opened(second, url, "ruleset_form"),
    )
    saved = first.post(url, as_post_data(first_form, _save="Save", notes="Raised the LVEF bar."))
    assert saved.status_code == 302
    answer = second.post(url, as_post_data(second_form, _save="Save", notes="Typo fixed."))
    assert answer.status_code == 200 and EDITED_MEANWHILE in answer.content.decode()
    draft.refresh_from_db()
    assert draft.notes == "Raised the LVEF bar."
