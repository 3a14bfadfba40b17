"""A rule set's admin page: its own fields and indications in one form, its criteria as a
searchable list linking to their own pages, and a form that saves however many criteria."""

import pytest
from django.conf import settings
from django.forms import inlineformset_factory
from django.urls import reverse

from rules.admin import RuleSetAdmin
from rules.models import Criterion, RuleSet

from ..html_forms import as_post_data, form_fields

pytestmark = pytest.mark.django_db

# The criteria inline the rule set page carried before each criterion had its own page.
OLD_INLINE_FIELDS = [
    "enabled",
    "key",
    "label",
    "kind",
    "domain",
    "diseases",
    "fact",
    "operator",
    "thresholds",
    "required",
    "points",
    "cap",
    "not_met_band",
    "explanation",
    "citation",
    "evidence",
]


def page_of(client, ruleset, **query):
    url = reverse("admin:rules_ruleset_change", args=[ruleset.pk])
    return client.get(url, query)


def listed_keys(response) -> set[str]:
    return {c.key for c in response.context["criteria"]}


def test_the_page_lists_every_criterion_with_a_link_to_its_own_page(
    client_for, criteria_admin, draft
):
    response = page_of(client_for(criteria_admin), draft)
    html = response.content.decode()
    for criterion in draft.criteria.all():
        assert reverse("admin:rules_criterion_change", args=[criterion.pk]) in html
    assert 'name="criteria-0-' not in html  # no criterion is edited inline
    assert "LVEF below 45%" in html  # each rule in words, beside its code
    assert listed_keys(response) == set(draft.criteria.values_list("key", flat=True))


@pytest.mark.parametrize(
    "query, expected_in, expected_out",
    [
        ({"kind": "review"}, {"kps_review", "ssc_age_review"}, {"kps_fit", "ssc_lvef"}),
        ({"domain": "failed_treatments"}, {"ssc_second_line"}, {"ssc_lvef"}),
        # Applies to SSc: its own criteria and those for every disease, not MS's.
        ({"disease": "ssc"}, {"ssc_lvef", "pregnancy"}, {"ms_relapses_12m"}),
        # Applies to secondary progressive MS: MS as a whole, and its subtype's own.
        ({"disease": "ms:sp"}, {"ms_relapses_12m", "ms_progressive_activity"}, {"ssc_lvef"}),
        ({"enabled": "no"}, {"sle_sledai"}, {"sle_activity_measured"}),
        ({"evidence": "UNVERIFIED"}, {"cidp_active"}, {"ssc_lvef"}),
        ({"q": "LVEF"}, {"ssc_lvef", "lvef_review"}, {"kps_fit"}),
        ({"q": "lvef", "kind": "exclusion"}, {"ssc_lvef"}, {"lvef_review"}),
    ],
)
def test_the_criteria_can_be_searched_and_filtered(
    client_for, criteria_admin, draft, query, expected_in, expected_out
):
    response = page_of(client_for(criteria_admin), draft, **query)
    keys = listed_keys(response)
    assert expected_in <= keys and not expected_out & keys
    assert f"{len(keys)} of {draft.criteria.count()} criteria match" in response.content.decode()


def test_an_unknown_filter_value_is_ignored(client_for, criteria_admin, draft):
    response = page_of(client_for(criteria_admin), draft, kind="nonsense")
    assert len(listed_keys(response)) == draft.criteria.count()


def test_a_draft_page_offers_to_add_a_criterion_and_to_publish(client_for, criteria_admin, draft):
    html = page_of(client_for(criteria_admin), draft).content.decode()
    assert f"{reverse('admin:rules_criterion_add')}?ruleset={draft.pk}" in html
    assert reverse("admin:rules_ruleset_publish", args=[draft.pk]) in html


def test_a_published_page_offers_neither(client_for, criteria_admin, active):
    html = page_of(client_for(criteria_admin), active).content.decode()
    assert reverse("admin:rules_criterion_add") not in html
    assert reverse("admin:rules_ruleset_publish", args=[active.pk]) not in html


def test_a_draft_of_over_a_hundred_criteria_saves_through_the_real_form(
    client_for, criteria_admin, large_draft
):
    client = client_for(criteria_admin)
    url = reverse("admin:rules_ruleset_change", args=[large_draft.pk])
    fields = form_fields(client.get(url).content.decode(), "ruleset_form")
    assert len(fields) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = client.post(url, as_post_data(fields, notes="Reviewed at the May meeting."))
    assert response.status_code == 302
    large_draft.refresh_from_db()
    assert large_draft.notes == "Reviewed at the May meeting."


def test_a_criterion_of_that_draft_saves_through_its_own_real_form(
    client_for, criteria_admin, large_draft
):
    client = client_for(criteria_admin)
    lvef = large_draft.criteria.get(key="ssc_lvef")
    url = reverse("admin:rules_criterion_change", args=[lvef.pk])
    fields = form_fields(client.get(url).content.decode(), "criterion_form")
    assert len(fields) < 50
    response = client.post(url, as_post_data(fields, thresholds="[40]", _save="Save"))
    assert response.status_code == 302
    lvef.refresh_from_db()
    assert lvef.thresholds == [40]


def test_the_old_inline_form_would_post_more_fields_than_django_accepts(
    client_for, criteria_admin, large_draft
):
    """Why each criterion has its own page: every criterion inline on the rule set's form
    posts past Django's limit, and Django answers 400 (TooManyFieldsSent) to every save."""
    client = client_for(criteria_admin)
    url = reverse("admin:rules_ruleset_change", args=[large_draft.pk])
    today = as_post_data(form_fields(client.get(url).content.decode(), "ruleset_form"))
    inline = inlineformset_factory(RuleSet, Criterion, fields=OLD_INLINE_FIELDS, extra=0)(
        instance=large_draft, prefix="criteria"
    )
    old = {**today}
    for form in [inline.management_form, *inline.forms]:
        for name, field in form.fields.items():
            old[form.add_prefix(name)] = [str(form.initial.get(name, field.initial) or "")]
    assert len(old) > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert client.post(url, old).status_code == 400
    assert RuleSetAdmin.inlines and all(i.model is not Criterion for i in RuleSetAdmin.inlines)


def test_the_criteria_list_of_every_version_filters_by_disease(client_for, criteria_admin, draft):
    url = reverse("admin:rules_criterion_changelist")
    response = client_for(criteria_admin).get(
        url, {"ruleset__id__exact": draft.pk, "disease": "aa"}
    )
    keys = {c.key for c in response.context["cl"].result_list}
    assert {"aa_severe", "pregnancy"} <= keys and "ssc_lvef" not in keys
