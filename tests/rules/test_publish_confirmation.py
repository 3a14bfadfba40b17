"""Publishing asks first: what the preview expects, whether it is stale, what stops it."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from rules import admin_publish, services
from rules.admin_publish import (
    NO_PREVIEW,
    NOT_PUBLISHED,
    NOTHING_STOPS_IT,
    ONLY_DRAFTS,
    PREVIEW_STALE,
    PROBLEMS_STOP_IT,
    PUBLISHED,
    movement_table,
)
from rules.models import Criterion, RuleSet
from rules.previews.models import RuleSetPreview
from rules.specs import INCOMPLETE, POSSIBLE, STRONG, UNLIKELY

from ..clock import TODAY
from ..conftest import pass_second_step

pytestmark = pytest.mark.django_db

SUMMARY = {
    "moved": 7,
    "matrix": {
        STRONG: {STRONG: 20, POSSIBLE: 3},
        POSSIBLE: {POSSIBLE: 30, STRONG: 4},
        UNLIKELY: {UNLIKELY: 12},
    },
    "bands_before": {STRONG: 23, POSSIBLE: 34, UNLIKELY: 12},
    "bands_after": {STRONG: 24, POSSIBLE: 33, UNLIKELY: 12},
}


def publish_url(ruleset):
    return reverse("admin:rules_ruleset_publish", args=[ruleset.pk])


def finished_preview(draft, active, summary=SUMMARY):
    return RuleSetPreview.objects.create(
        ruleset=draft,
        baseline=active,
        status=RuleSetPreview.Status.FINISHED,
        draft_edited_at=draft.last_edited_at(),
        as_of=TODAY,
        total=69,
        done=69,
        summary=summary,
    )


def test_with_no_preview_the_page_says_so_and_offers_one_where_previews_exist(
    client_for, criteria_admin, draft
):
    page = client_for(criteria_admin).get(publish_url(draft)).content.decode()
    assert NO_PREVIEW in page and NOTHING_STOPS_IT in page
    try:
        start = reverse("rules:preview_start", args=[draft.pk])
    except NoReverseMatch:  # a build without previews offers no button
        assert 'id="preview-start"' not in page
    else:
        assert f'action="{start}"' in page and 'id="preview-start"' in page


def test_the_page_links_to_what_changes_from_the_active_version(
    client_for, criteria_admin, active, draft
):
    page = client_for(criteria_admin).get(publish_url(draft)).content.decode()
    assert f"{reverse('rules:diff')}?a={active.pk}&amp;b={draft.pk}" in page


def test_the_preview_button_posts_to_the_preview_start(
    client_for, criteria_admin, draft, monkeypatch
):
    monkeypatch.setattr(admin_publish, "preview_start_url", lambda ruleset: "/start/here/")
    page = client_for(criteria_admin).get(publish_url(draft)).content.decode()
    assert 'action="/start/here/"' in page and "Run a preview" in page


def test_the_page_shows_the_latest_previews_moves_and_matrix(
    client_for, criteria_admin, active, draft
):
    finished_preview(draft, active, summary={"moved": 99})  # an older one
    finished_preview(draft, active)
    response = client_for(criteria_admin).get(publish_url(draft))
    page = response.content.decode()
    assert '<strong id="preview-moved">7</strong> would change band' in page
    assert "69 patients screened" in page and NO_PREVIEW not in page
    assert PREVIEW_STALE not in page
    matrix = response.context["matrix"]
    assert matrix.bands == [STRONG, POSSIBLE, UNLIKELY]
    assert matrix.rows[0] == (STRONG, [(20, False), (3, True), (0, True)])
    assert 'id="preview-matrix"' in page and 'id="preview-bands"' in page


def test_without_band_counts_the_page_adds_up_the_matrix(client_for, criteria_admin, active, draft):
    # The preview job stores the matrix and no per-band counts.
    finished_preview(draft, active, summary={"moved": 7, "matrix": SUMMARY["matrix"]})
    response = client_for(criteria_admin).get(publish_url(draft))
    assert response.context["bands"] == [
        (STRONG, 23, 24),
        (POSSIBLE, 34, 33),
        (UNLIKELY, 12, 12),
    ]


def test_a_preview_older_than_the_drafts_last_edit_is_marked_stale(
    client_for, criteria_admin, active, draft, clock
):
    finished_preview(draft, active)
    clock.shift(dt.timedelta(minutes=5))
    lvef = draft.criteria.get(key="ssc_lvef")
    lvef.thresholds = [40]
    services.criterion_save(criterion=lvef)
    page = client_for(criteria_admin).get(publish_url(draft)).content.decode()
    assert PREVIEW_STALE in page


@pytest.mark.parametrize(
    "summary",
    [{}, {"matrix": "not a table"}, {"moved": "many", "matrix": {STRONG: 3}}, {"bands_after": {}}],
)
def test_a_summary_missing_what_the_page_reads_still_shows_the_preview(
    client_for, criteria_admin, active, draft, summary
):
    finished_preview(draft, active, summary=summary)
    response = client_for(criteria_admin).get(publish_url(draft))
    assert response.status_code == 200
    assert "69 patients screened" in response.content.decode()
    assert response.context["matrix"] is None and response.context["moved"] is None


@pytest.mark.parametrize(
    "matrix, bands",
    [
        ({POSSIBLE: {STRONG: 1}, INCOMPLETE: {INCOMPLETE: 2}}, [STRONG, POSSIBLE, INCOMPLETE]),
        ([[UNLIKELY, STRONG, 2], [STRONG, STRONG, 5]], [STRONG, UNLIKELY]),
        ([[STRONG, STRONG, -1]], None),  # not a count: no table rather than a wrong one
        ([{"before": STRONG}], None),
    ],
)
def test_the_movement_table_reads_either_shape_in_worklist_order(matrix, bands):
    table = movement_table(matrix)
    assert (table.bands if table else None) == bands


def test_the_page_lists_what_would_stop_publication_with_links_to_fix_it(
    client_for, criteria_admin, draft
):
    lvef = draft.criteria.get(key="ssc_lvef")
    Criterion.objects.filter(pk=lvef.pk).update(fact="shoe_size")
    page = client_for(criteria_admin).get(publish_url(draft)).content.decode()
    assert PROBLEMS_STOP_IT in page and "unknown fact" in page
    assert reverse("admin:rules_criterion_change", args=[lvef.pk]) in page
    assert 'id="publish-form"' not in page


def test_confirming_publishes_and_points_to_the_rescreen(client_for, criteria_admin, draft):
    client = client_for(criteria_admin)
    response = client.post(publish_url(draft), {"publish": "Publish"})
    assert response.status_code == 302
    assert response.url == reverse("admin:rules_ruleset_changelist")
    assert RuleSet.objects.active() == draft
    page = client.get(response.url).content.decode()
    assert PUBLISHED.format(version=draft.version) in page
    assert reverse("screening:ruleset_progress", args=[draft.pk]) in page


def test_looking_at_the_page_publishes_nothing(client_for, criteria_admin, active, draft):
    client_for(criteria_admin).get(publish_url(draft))
    assert RuleSet.objects.active() == active


def test_publishing_needs_the_pages_csrf_token(criteria_admin, active, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(criteria_admin)
    pass_second_step(client, criteria_admin)
    assert client.post(publish_url(draft), {"publish": "Publish"}).status_code == 403
    assert RuleSet.objects.active() == active


def test_a_refused_publication_says_why_and_stays_a_draft(client_for, criteria_admin, draft):
    client = client_for(criteria_admin)
    Criterion.objects.filter(ruleset=draft, key="ssc_lvef").update(fact="shoe_size")
    response = client.post(publish_url(draft), {"publish": "Publish"}, follow=True)
    assert NOT_PUBLISHED.format(problem="") in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == RuleSet.Status.DRAFT


def test_a_published_version_has_nothing_to_confirm(client_for, criteria_admin, active):
    response = client_for(criteria_admin).get(publish_url(active), follow=True)
    assert ONLY_DRAFTS in response.content.decode()


@pytest.mark.parametrize("role", ["clinician", "coordinator"])
def test_only_those_who_may_change_rule_sets_see_it(request, client_for, role, active, draft):
    user = request.getfixturevalue(role)
    user.is_staff = True
    user.save()
    client = client_for(user)
    assert client.get(publish_url(draft)).status_code == 403
    assert client.post(publish_url(draft), {"publish": "Publish"}).status_code == 403
    assert RuleSet.objects.active() == active
