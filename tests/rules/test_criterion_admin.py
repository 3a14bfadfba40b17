"""Each criterion has a change form of its own: editable in a draft, read-only once published."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rules import services
from rules.admin_criteria import DUPLICATE_KEY, HELP_TEXTS, ONLY_DRAFTS_TAKE_CRITERIA
from rules.models import PUBLISHED_IS_READ_ONLY, Criterion, RuleSet

from ..html_forms import as_post_data, form_fields

pytestmark = pytest.mark.django_db


def change_url(criterion):
    return reverse("admin:rules_criterion_change", args=[criterion.pk])


def the_form(client, url):
    """The criterion form as the page offers it, ready to post back."""
    return form_fields(client.get(url).content.decode(), "criterion_form")


def post_form(client, url, **changes):
    return client.post(url, as_post_data(the_form(client, url), _save="Save", **changes))


def test_a_threshold_changed_through_the_form_is_saved_and_kept_in_history(
    client_for, criteria_admin, draft
):
    client = client_for(criteria_admin)
    lvef = draft.criteria.get(key="ssc_lvef")
    response = post_form(client, change_url(lvef), thresholds="[40]")
    assert response.status_code == 302
    assert response.url == reverse("admin:rules_ruleset_change", args=[draft.pk]) + "#criteria"
    lvef.refresh_from_db()
    assert lvef.thresholds == [40]
    latest = lvef.history.first()
    assert latest.thresholds == [40] and latest.history_user == criteria_admin
    assert lvef.history.count() == 2  # cloned, then changed


def test_the_form_offers_the_review_cap_and_the_band_when_not_met_with_their_help(
    client_for, criteria_admin, draft
):
    html = client_for(criteria_admin).get(change_url(draft.criteria.get(key="kps_review")))
    page = html.content.decode()
    assert 'name="cap"' in page and 'name="not_met_band"' in page
    assert "Possible candidate" in page and "Trial only" in page  # the choices offered
    assert "the best band the patient can reach while it is met" in page
    assert "Trial only where the source allows the transplant only within a study" in page


@pytest.mark.parametrize(
    "changes, field, message",
    [
        # A number is compared with a number: the engine cannot read "forty-five".
        ({"thresholds": '["forty-five"]'}, "thresholds", "needs exactly one number"),
        # scoring-model.md: a review criterion names its cap.
        ({"cap": ""}, "cap", "a review criterion needs a cap"),
        ({"fact": "age_years", "operator": "is true"}, "operator", "does not apply to number"),
    ],
)
def test_the_engines_checks_stand_beside_the_field_at_fault(
    client_for, criteria_admin, draft, changes, field, message
):
    client = client_for(criteria_admin)
    kps = draft.criteria.get(key="kps_review")
    response = post_form(client, change_url(kps), **changes)
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    kps.refresh_from_db()
    assert kps.cap == "Possible candidate" and kps.thresholds == [60]


def test_a_key_used_twice_in_a_rule_set_is_refused_beside_the_key(
    client_for, criteria_admin, draft
):
    client = client_for(criteria_admin)
    response = post_form(client, change_url(draft.criteria.get(key="kps_review")), key="kps_fit")
    assert response.context["adminform"].form.errors["key"] == [DUPLICATE_KEY]


def test_a_criterion_is_added_to_a_draft_and_returns_to_its_list(client_for, criteria_admin, draft):
    client = client_for(criteria_admin)
    url = f"{reverse('admin:rules_criterion_add')}?ruleset={draft.pk}"
    fields = form_fields(client.get(url).content.decode(), "criterion_form")
    response = client.post(
        url,
        as_post_data(
            fields,
            key="ssc_mpap",
            label="Mean pulmonary arterial pressure above 25 mmHg (SSc)",
            kind="exclusion",
            domain="overall_health",
            diseases=["ssc"],
            fact="lvef_pct",
            operator="<",
            thresholds="[30]",
            explanation="{label}: {value}{unit}",
            citation="EBMT autoimmune HSCT guideline 2019, table 3",
            evidence="V",
            _save="Save",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = draft.criteria.get(key="ssc_mpap")
    assert added.diseases == ["ssc"] and added.history.first().history_user == criteria_admin


def test_a_criterion_cannot_be_added_to_a_published_rule_set(client_for, criteria_admin, active):
    client = client_for(criteria_admin)
    before = active.criteria.count()
    data = {**active.criteria.get(key="ssc_lvef").as_dict(), "ruleset": active.pk}
    data.update(key="new_one", diseases=["ssc"], thresholds="[45]", _save="Save")
    response = client.post(reverse("admin:rules_criterion_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["ruleset"] == [ONLY_DRAFTS_TAKE_CRITERIA]
    assert active.criteria.count() == before


@pytest.mark.parametrize("status", [RuleSet.Status.PUBLISHED, RuleSet.Status.RETIRED])
def test_a_criterion_of_a_published_or_retired_rule_set_is_read_only(
    client_for, criteria_admin, status
):
    ruleset = RuleSet.objects.get(status=status)
    lvef = ruleset.criteria.get(key="ssc_lvef")
    client = client_for(criteria_admin)
    page = client.get(change_url(lvef)).content.decode()
    assert 'name="_save"' not in page and PUBLISHED_IS_READ_ONLY in page
    assert "Band when not met" in page  # shown, read-only
    data = {**lvef.as_dict(), "thresholds": "[10]", "diseases": ["ssc"], "_save": "Save"}
    assert client.post(change_url(lvef), data).status_code == 403
    delete = reverse("admin:rules_criterion_delete", args=[lvef.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    lvef.refresh_from_db()
    assert lvef.thresholds == [45]


def test_the_bulk_delete_refuses_criteria_of_a_published_rule_set(
    client_for, criteria_admin, active
):
    lvef = active.criteria.get(key="ssc_lvef")
    client_for(criteria_admin).post(
        reverse("admin:rules_criterion_changelist"),
        {"action": "delete_selected", "_selected_action": [lvef.pk], "post": "yes"},
    )
    assert Criterion.objects.filter(pk=lvef.pk).exists()


def test_the_service_never_saves_a_criterion_of_a_published_rule_set(active):
    lvef = active.criteria.get(key="ssc_lvef")
    lvef.thresholds = [10]
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.criterion_save(criterion=lvef)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.criterion_delete(criterion=lvef)
    lvef.refresh_from_db()
    assert lvef.thresholds == [45]


def test_a_criterion_deleted_from_a_draft_returns_to_its_rule_set(
    client_for, criteria_admin, draft
):
    lvef = draft.criteria.get(key="ssc_lvef")
    response = client_for(criteria_admin).post(
        reverse("admin:rules_criterion_delete", args=[lvef.pk]), {"post": "yes"}
    )
    assert response.url == reverse("admin:rules_ruleset_change", args=[draft.pk]) + "#criteria"
    assert not draft.criteria.filter(key="ssc_lvef").exists()


@pytest.mark.parametrize("role", ["clinician", "coordinator"])
def test_only_criteria_admins_change_a_criterion(request, client_for, role, draft):
    user = request.getfixturevalue(role)
    user.is_staff = True
    user.save()
    lvef = draft.criteria.get(key="ssc_lvef")
    data = {**lvef.as_dict(), "thresholds": "[10]", "diseases": ["ssc"], "_save": "Save"}
    assert client_for(user).post(change_url(lvef), data).status_code == 403
    lvef.refresh_from_db()
    assert lvef.thresholds == [45]


def test_every_field_has_help_a_criteria_admin_reads(client_for, criteria_admin, draft):
    page = client_for(criteria_admin).get(change_url(draft.criteria.get(key="ssc_lvef")))
    text = unescape(page.content.decode())
    shown = [name for name, help_text in HELP_TEXTS.items() if help_text in text]
    assert shown == list(HELP_TEXTS)
