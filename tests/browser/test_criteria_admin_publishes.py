"""A criteria admin clones the active rule set, changes one threshold through the criterion's
own form, and publishes the draft through the confirmation page."""

import pytest

from rules.admin_publish import NO_PREVIEW, NOTHING_STOPS_IT, PUBLISHED
from rules.models import RuleSet

from ..factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_criteria_admin_changes_a_threshold_and_publishes_the_new_version(
    page, sign_in, live_server, criteria_admin, screenshot
):
    sign_in("critadmin", DEFAULT_PASSWORD)
    assert page.url == f"{live_server.url}/admin/rules/ruleset/"  # lands on the rule sets
    active = page.locator("#result_list tbody tr", has_text="Published (active)")
    active.locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", "clone_to_draft")
    page.get_by_role("button", name="Go").click()
    page.wait_for_selector("text=Draft version 3 was created from version 2.")
    screenshot("criteria-admin-cloned")
    page.get_by_role("link", name="Open the draft").click()

    # The draft's criteria: search them, open one on its own page.
    page.fill("#criteria-q", "lvef")
    page.press("#criteria-q", "Enter")
    page.wait_for_selector("#criteria-count:has-text('criteria match')")
    screenshot("criteria-admin-draft-criteria")
    page.locator("#criteria-list tr[data-key=ssc_lvef] a").click()
    assert page.input_value("#id_thresholds") == "[45]"
    page.fill("#id_thresholds", "[40]")
    screenshot("criteria-admin-criterion-form")
    page.locator("input[name=_save]").click()
    page.wait_for_selector("text=was changed successfully")

    # Publish: the confirmation page first.
    page.locator("#publish-link").click()
    page.wait_for_selector("text=Publish version 3?")
    assert NO_PREVIEW in page.locator("#preview-summary").inner_text()
    assert NOTHING_STOPS_IT in page.locator("#publish-checks").inner_text()
    screenshot("criteria-admin-publish-confirmation")
    page.get_by_role("button", name="Publish version 3").click()
    page.wait_for_selector(f"text={PUBLISHED.format(version='3')}")
    row = page.locator("#result_list tbody tr", has_text="Published (active)")
    assert row.locator("th, td").nth(1).inner_text().strip() == "3"
    screenshot("criteria-admin-published")

    new = RuleSet.objects.active()
    assert new.version == "3" and new.criteria.get(key="ssc_lvef").thresholds == [40]
    assert RuleSet.objects.get(version="2").status == RuleSet.Status.RETIRED
