"""Criteria admins edit drafts in Django admin; publishing validates; published is read-only."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rules import services
from rules.admin import CLONED, PUBLISH_ONE_AT_A_TIME
from rules.defaults import DEFAULT_CRITERIA
from rules.models import Criterion, RuleSet

from ..conftest import pass_second_step

pytestmark = pytest.mark.django_db


def test_the_default_rule_set_is_v2_published_over_a_retired_v1(active):
    assert active.name == "EBMT-aligned autoimmune HSCT screen v2" and active.version == "2"
    v1 = RuleSet.objects.get(version="1")
    assert v1.status == RuleSet.Status.RETIRED and active.cloned_from == v1
    assert active.criteria.count() == len(DEFAULT_CRITERIA)
    for criterion in active.criteria.all():
        # Every criterion cites a source with its evidence mark, or says it is local policy.
        assert criterion.evidence in ("V", "V2", "UNVERIFIED", "local policy")
        assert criterion.citation or criterion.evidence == "local policy"
        if criterion.evidence == "UNVERIFIED" and criterion.kind == "points":
            assert not criterion.enabled  # an unconfirmed criterion that adds points is off


def test_cloning_starts_the_next_version_as_an_identical_draft(active, draft):
    assert (
        draft.status == RuleSet.Status.DRAFT
        and draft.version == "3"
        and draft.cloned_from == active
    )
    original = sorted(c.as_dict().items() for c in [*active.criteria.all()])
    copied = sorted(c.as_dict().items() for c in [*draft.criteria.all()])
    assert original == copied
    assert draft.indications.count() == active.indications.count()


def test_publishing_a_valid_draft_retires_the_active_version(active, draft, criteria_admin):
    services.ruleset_publish(ruleset=draft, by=criteria_admin)
    active.refresh_from_db()
    assert active.status == RuleSet.Status.RETIRED
    assert RuleSet.objects.active() == draft and draft.published_by == criteria_admin
    assert RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).count() == 1


@pytest.mark.parametrize("domain", ["severity", "failed_treatments"])
def test_publishing_refuses_an_indicated_disease_scored_on_fitness_alone(
    active, draft, criteria_admin, domain
):
    # scoring-model.md: an S or CO disease needs its own scored criteria in severity and in
    # failed treatments, or a fit patient with mild, untreated disease would reach 100.
    for criterion in draft.criteria.filter(domain=domain):
        if "cidp" in criterion.diseases:
            criterion.enabled = False
            criterion.save(update_fields=["enabled"])
    with pytest.raises(ValidationError) as error:
        services.ruleset_publish(ruleset=draft, by=criteria_admin)
    text = " ".join(error.value.messages)
    assert "indication cidp" in text and domain.replace("_", " ") in text
    assert "fitness alone" in text
    draft.refresh_from_db()
    assert draft.status == RuleSet.Status.DRAFT


def test_a_review_without_a_cap_cannot_be_published(active, draft, criteria_admin):
    draft.criteria.filter(key="kps_review").update(cap="")
    with pytest.raises(ValidationError) as error:
        services.ruleset_publish(ruleset=draft, by=criteria_admin)
    assert "kps_review" in " ".join(error.value.messages)
    assert "needs a cap" in " ".join(error.value.messages)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"fact": "shoe_size"}, "unknown fact"),
        ({"operator": "~="}, "operator"),
        ({"operator": "between", "thresholds": [6]}, "thresholds"),
        ({"thresholds": ["forty-five"]}, "thresholds"),
    ],
)
def test_publishing_refuses_a_malformed_criterion_and_names_it(
    active, draft, criteria_admin, changes, message
):
    Criterion.objects.filter(ruleset=draft, key="ssc_lvef").update(**changes)
    with pytest.raises(ValidationError) as error:
        services.ruleset_publish(ruleset=draft, by=criteria_admin)
    text = " ".join(error.value.messages)
    assert "ssc_lvef" in text and message in text
    draft.refresh_from_db()
    assert draft.status == RuleSet.Status.DRAFT
    assert RuleSet.objects.active() == active


def test_the_publish_action_opens_the_confirmation_page_and_publishes_nothing(
    client_for, criteria_admin, active, draft
):
    response = client_for(criteria_admin).post(
        reverse("admin:rules_ruleset_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:rules_ruleset_publish", args=[draft.pk])
    assert RuleSet.objects.active() == active


def test_the_publish_action_takes_one_draft_at_a_time(client_for, criteria_admin, draft):
    other = services.ruleset_clone(ruleset=draft)
    response = client_for(criteria_admin).post(
        reverse("admin:rules_ruleset_changelist"),
        {"action": "publish", "_selected_action": [draft.pk, other.pk]},
        follow=True,
    )
    assert PUBLISH_ONE_AT_A_TIME in response.content.decode()


def test_a_published_rule_set_cannot_be_changed_in_admin(client_for, criteria_admin, active):
    client = client_for(criteria_admin)
    url = reverse("admin:rules_ruleset_change", args=[active.pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page  # shown read-only
    response = client.post(url, {"name": "Changed", "version": "1"})
    assert response.status_code == 403
    active.refresh_from_db()
    assert active.name == "EBMT-aligned autoimmune HSCT screen v2"


def test_cloning_from_the_list_says_which_draft_it_made_and_links_to_it(
    client_for, criteria_admin, active
):
    response = client_for(criteria_admin).post(
        reverse("admin:rules_ruleset_changelist"),
        {"action": "clone_to_draft", "_selected_action": [active.pk]},
        follow=True,
    )
    draft = RuleSet.objects.get(status=RuleSet.Status.DRAFT)
    page = response.content.decode()
    assert CLONED.format(draft=draft.version, source=active.version) in page
    assert reverse("admin:rules_ruleset_change", args=[draft.pk]) in page


def test_the_rule_set_list_shows_version_status_published_date_and_publish_for_drafts(
    client_for, criteria_admin, active, draft
):
    page = client_for(criteria_admin).get(reverse("admin:rules_ruleset_changelist"))
    html = page.content.decode()
    assert "Published (active)" in html and "Draft" in html and "Retired" in html
    assert "1 Apr 2026" in html  # the active version's publication date
    assert html.count("Publish…") == 1
    assert reverse("admin:rules_ruleset_publish", args=[draft.pk]) in html


@pytest.mark.parametrize("role", ["clinician", "coordinator"])
def test_only_criteria_admins_can_change_criteria(request, client_for, role, draft):
    client = client_for(request.getfixturevalue(role))
    assert (
        client.get(reverse("admin:rules_ruleset_change", args=[draft.pk])).status_code == 302
    )  # not staff
    user = request.getfixturevalue(role)
    user.is_staff = True
    user.save()
    pass_second_step(client, user)  # staff must use MFA, from the next request on
    url = reverse("admin:rules_ruleset_change", args=[draft.pk])
    assert 'name="_save"' not in client.get(url).content.decode()  # they may read it, no more
    assert client.post(url, {"name": "Changed", "version": draft.version}).status_code == 403
    assert client.get(reverse("admin:rules_ruleset_add")).status_code == 403
    draft.refresh_from_db()
    assert draft.name != "Changed"


@pytest.mark.parametrize("role", ["clinician", "coordinator", "criteria_admin"])
def test_everyone_who_screens_can_read_the_active_rule_set_with_its_sources(
    request, client_for, role, active
):
    page = client_for(request.getfixturevalue(role)).get(reverse("rules:active")).content.decode()
    assert active.name in page
    lvef = active.criteria.get(key="ssc_lvef")
    assert lvef.label in page and lvef.citation.split(";")[0] in page


def test_the_criteria_page_needs_a_role(client_for, other_centre):
    from tests.factories import UserFactory

    assert client_for(UserFactory()).get(reverse("rules:active")).status_code == 403


def test_history_pages_cannot_revert_a_published_rule_set(
    client_for, criteria_admin, active, draft
):
    services.ruleset_publish(ruleset=draft, by=criteria_admin)
    first_snapshot = draft.history.order_by("history_id").first()  # taken while it was a draft
    url = reverse("admin:rules_ruleset_simple_history", args=[draft.pk, first_snapshot.history_id])
    client = client_for(criteria_admin)
    assert client.get(url).status_code == 200  # history stays readable
    response = client.post(
        url,
        {
            "name": draft.name,
            "version": draft.version,
            "band_thresholds": '{"strong": 1, "possible": 0}',
        },
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert (
        draft.status == RuleSet.Status.PUBLISHED and draft.band_thresholds == active.band_thresholds
    )


def test_the_criteria_page_explains_the_score_its_upper_figure_and_the_caps(
    client_for, clinician, active
):
    page = client_for(clinician).get(reverse("rules:active")).content.decode()
    assert "How a screening is read" in page
    assert "counts as not met, so less data never scores higher" in page
    assert "up to 85 with 2 items to collect" in page
    assert "caps the band" in page
    assert "at best while met" in page and "when not met" in page
