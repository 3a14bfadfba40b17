"""The preview pages: only criteria admins, only their centres' patients, a fixed cost."""

import html
import re

import pytest
from django.urls import reverse

from rules import services as rules_services
from rules.models import RuleSet
from rules.previews import selectors
from rules.previews.models import RuleSetPreview
from rules.previews.services import preview_start
from rules.previews.views import STALE
from rules.specs import EXCLUDED

pytestmark = pytest.mark.django_db

MOVER = re.compile(r'<tr data-patient="([0-9a-f-]+)">')


def movers(response) -> list[str]:
    return MOVER.findall(response.content.decode())


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def over_forty(make_patient, other_centre):
    """Two patients of the admin's centre over 40, one under, and one of another centre."""
    return {
        "ms_50": make_patient("ms_rr", age=50, family_name="Fifty"),
        "ssc_45": make_patient("ssc", age=45, family_name="Fortyfive"),
        "young": make_patient("ms_rr", age=30, family_name="Young"),
        "far": make_patient("ms_rr", age=55, family_name="Faraway", centre=other_centre),
    }


@pytest.fixture
def finished(over_forty, draft, add_criterion, run_preview, criteria_admin):
    add_criterion()
    return run_preview(draft, by=criteria_admin)


def test_a_criteria_admin_starts_a_preview_and_reads_what_it_changes(
    over_forty, draft, add_criterion, criteria_admin, client_for, django_capture_on_commit_callbacks
):
    add_criterion()
    client = client_for(criteria_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rules:preview_start", args=[draft.pk]))
    preview = RuleSetPreview.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "rules:preview", args=[preview.pk]
    )
    page = client.get(response.url)
    body = text(page)
    assert "3 of 4</strong> patients would change band" in body  # every centre counted
    assert "Age over 40 (test exclusion)" in body  # attrition, by its label
    assert 'id="matrix-table"' in body and 'id="scores-table"' in body
    assert "test_age_over_40" not in body  # never the criterion's key
    assert sorted(movers(page)) == sorted(str(over_forty[k].public_id) for k in ("ms_50", "ssc_45"))
    assert 'http-equiv="refresh"' not in body


def test_a_running_preview_shows_its_progress_and_refreshes_itself(
    draft, criteria_admin, client_for
):
    preview = preview_start(ruleset=draft, by=criteria_admin)  # queued on commit: never here
    body = text(client_for(criteria_admin).get(reverse("rules:preview", args=[preview.pk])))
    assert 'http-equiv="refresh"' in body and 'aria-valuenow="0"' in body and "Queued" in body


@pytest.mark.parametrize("user", ["clinician", "coordinator", "other_clinician"])
def test_only_criteria_admins_see_or_start_previews(request, user, finished, client_for):
    client = client_for(request.getfixturevalue(user))
    patient = finished.rows.first().patient
    urls = [
        reverse("rules:preview", args=[finished.pk]),
        reverse("rules:previews", args=[finished.ruleset_id]),
        reverse("rules:preview_patient", args=[finished.pk, patient.public_id]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
    assert (
        client.post(reverse("rules:preview_start", args=[finished.ruleset_id])).status_code == 403
    )
    assert RuleSetPreview.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(finished, client):
    response = client.get(reverse("rules:preview", args=[finished.pk]))
    assert response.status_code == 302 and reverse("login") in response.url


def test_another_centres_patients_are_counted_but_never_listed_or_opened(
    finished, over_forty, criteria_admin, client_for
):
    client = client_for(criteria_admin)
    page = client.get(reverse("rules:preview", args=[finished.pk]))
    assert str(over_forty["far"].public_id) not in page.content.decode()
    assert "Faraway" not in page.content.decode()
    far = reverse("rules:preview_patient", args=[finished.pk, over_forty["far"].public_id])
    assert client.get(far).status_code == 404


def test_the_movers_filter_by_band_disease_and_centre(
    finished, over_forty, criteria_admin, client_for, centre
):
    client = client_for(criteria_admin)
    url = reverse("rules:preview", args=[finished.pk])
    ssc = str(over_forty["ssc_45"].public_id)
    before = finished.rows.get(patient=over_forty["ssc_45"]).band_before
    assert movers(client.get(url, {"disease": "ssc"})) == [ssc]
    same_move = finished.rows.filter(
        band_before=before, band_after=EXCLUDED, centre_id_copy=centre.pk
    )
    assert sorted(movers(client.get(url, {"moved_from": before, "moved_to": EXCLUDED}))) == sorted(
        str(row.patient.public_id) for row in same_move
    )
    assert ssc in movers(client.get(url, {"moved_from": before}))
    assert len(movers(client.get(url, {"moved_to": EXCLUDED, "centre": centre.pk}))) == 2
    assert movers(client.get(url, {"moved_to": "Strong candidate"})) == []
    bad = client.get(url, {"moved_to": "Best band"})
    assert 'id="form-errors"' in bad.content.decode()


def test_the_movers_page_by_keyset(finished, over_forty, criteria_admin, client_for, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    client = client_for(criteria_admin)
    url = reverse("rules:preview", args=[finished.pk])
    first = client.get(url)
    cursor = re.search(r'rel="next" href="\?cursor=([^"#]+)', first.content.decode()).group(1)
    second = client.get(url + "?cursor=" + html.unescape(cursor))
    assert len(movers(first)) == len(movers(second)) == 1
    assert movers(first) != movers(second)
    assert 'rel="prev"' in second.content.decode() and 'rel="next"' not in second.content.decode()
    assert 'id="form-errors"' in client.get(url, {"cursor": "forged"}).content.decode()


def test_the_preview_page_costs_the_same_queries_whatever_the_movers(
    make_patient,
    draft,
    add_criterion,
    run_preview,
    criteria_admin,
    client_for,
    django_assert_max_num_queries,
):
    add_criterion()
    client = client_for(criteria_admin)
    few = run_preview(draft, by=criteria_admin)
    with django_assert_max_num_queries(18) as few_queries:
        client.get(reverse("rules:preview", args=[few.pk]))
    for n in range(8):
        make_patient("ms_rr", age=41 + n, family_name=f"Older{n}")
    RuleSetPreview.objects.all().delete()
    many = run_preview(draft, by=criteria_admin)
    assert many.summary["moved"] == 8
    with django_assert_max_num_queries(len(few_queries)):
        response = client.get(reverse("rules:preview", args=[many.pk]))
    assert len(movers(response)) == 8


def test_a_stale_preview_says_so_prominently(finished, criteria_admin, client_for):
    criterion = finished.ruleset.criteria.get(key="test_age_over_40")
    criterion.thresholds = [45]
    criterion.save()
    body = text(client_for(criteria_admin).get(reverse("rules:preview", args=[finished.pk])))
    assert 'id="stale"' in body and STALE in body and "Run the preview again" in body


def test_a_draft_that_does_not_compile_is_refused_with_its_problems(
    draft, add_criterion, criteria_admin, client_for
):
    add_criterion(fact="no_such_fact")
    response = client_for(criteria_admin).post(reverse("rules:preview_start", args=[draft.pk]))
    assert response.status_code == 400 and "no_such_fact" in response.content.decode()
    assert not RuleSetPreview.objects.exists()


def test_a_patients_explanation_under_both_versions(
    finished, over_forty, criteria_admin, client_for, django_assert_max_num_queries
):
    client = client_for(criteria_admin)
    url = reverse("rules:preview_patient", args=[finished.pk, over_forty["ms_50"].public_id])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    body = text(response)
    assert "Version 2 (active at the preview)" in body and "Version 3 (this preview)" in body
    assert "Contraindication: Age over 40 (test exclusion)" in body
    assert "not in this version" in body  # the new exclusion is not in version 2
    assert "Age over 40 years" in body  # the rule in words, never "age_years > 40"
    assert "age_years" not in body and "&gt;" not in body


def test_a_failed_preview_shows_its_error(draft, criteria_admin, client_for):
    preview = preview_start(ruleset=draft, by=criteria_admin)
    RuleSetPreview.objects.filter(pk=preview.pk).update(status="failed", error="RuntimeError: boom")
    body = text(client_for(criteria_admin).get(reverse("rules:preview", args=[preview.pk])))
    assert 'id="preview-error"' in body and "RuntimeError: boom" in body


def test_a_published_version_shows_what_it_was_expected_to_do(finished, criteria_admin, client_for):
    rules_services.ruleset_publish(ruleset=finished.ruleset, by=criteria_admin)
    assert RuleSet.objects.active() == finished.ruleset
    body = text(
        client_for(criteria_admin).get(reverse("rules:previews", args=[finished.ruleset_id]))
    )
    assert "What this version was expected to do:" in body and "3 of 4 patients" in body
    assert "Preview this draft" not in body
