"""The preview job: a draft screened against every living patient, without touching screenings."""

import pytest
from django.core.exceptions import ValidationError

from candidacy.screening.models import WORKLIST_BAND_ORDER, Screening
from rules import services as rules_services
from rules import tasks
from rules.models import RuleSet
from rules.previews import job
from rules.previews.attrition import STEPS
from rules.previews.models import RuleSetPreview, RuleSetPreviewChunk, RuleSetPreviewRow
from rules.previews.services import ONLY_DRAFTS_PREVIEW, preview_start
from rules.previews.summary import BAND_ORDER, move_key
from rules.specs import EXCLUDED, POSSIBLE, STRONG

pytestmark = pytest.mark.django_db


def screenings():
    return sorted(
        Screening.objects.values_list("pk", "patient_id", "band", "score", "is_current", "as_of")
    )


@pytest.fixture
def patients(make_patient, strong_ms_patient):
    """A strong candidate of 34, and three more patients over 40 (one deceased)."""
    return {
        "strong": strong_ms_patient,
        "ms_50": make_patient("ms_rr", age=50, family_name="Fifty"),
        "ssc_45": make_patient("ssc", age=45, family_name="Fortyfive"),
        "deceased": make_patient("ms_rr", age=60, family_name="Gone", deceased=True),
    }


def test_a_preview_moves_the_patients_a_new_exclusion_excludes_and_leaves_screenings_alone(
    patients, draft, add_criterion, run_preview, criteria_admin
):
    add_criterion()
    before = screenings()
    preview = run_preview(draft, by=criteria_admin)
    assert screenings() == before  # not one screening written, retired or changed
    assert (preview.status, preview.total, preview.done) == ("finished", 3, 3)
    assert preview.baseline == RuleSet.objects.active() and preview.started_by == criteria_admin
    rows = {row.patient_id: row for row in RuleSetPreviewRow.objects.filter(preview=preview)}
    assert set(rows) == {patients[k].pk for k in ("strong", "ms_50", "ssc_45")}  # living only
    strong = rows[patients["strong"].pk]
    assert (strong.band_before, strong.band_after, strong.moved) == (STRONG, STRONG, False)
    for key in ("ms_50", "ssc_45"):
        row = rows[patients[key].pk]
        assert row.band_after == EXCLUDED and row.moved and row.score_after is None
        assert row.band_before == Screening.objects.current().get(patient=patients[key]).band
        assert row.limited_by == "test_age_over_40"
    assert preview.summary["moved"] == 2
    matrix = preview.summary["matrix"]
    assert matrix[STRONG] == {STRONG: 1}
    assert sum(row.get(EXCLUDED, 0) for row in matrix.values()) == 2


def test_the_attrition_counts_the_new_exclusion_once_per_patient_before_later_steps(
    patients, draft, add_criterion, run_preview
):
    add_criterion()
    summary = run_preview(draft).summary
    attrition = summary["attrition"]
    exclusion = next(a for a in attrition if a["id"] == "test_age_over_40")
    assert exclusion == {
        "step": "excluded",
        "step_label": EXCLUDED,
        "id": "test_age_over_40",
        "label": "Age over 40 (test exclusion)",
        "draft": 2,
        "baseline": 0,
    }
    # In the order of the band's precedence: the gates, then incomplete, core, caps, score.
    order = [a["step"] for a in attrition]
    assert order == sorted(order, key=[step.key for step in STEPS].index)
    assert order.index("excluded") == 0 or all(
        s in ("not_indicated", "trial_only") for s in order[: order.index("excluded")]
    )
    # Every patient is counted once: removed by one step, or still a strong candidate.
    assert sum(a["draft"] for a in attrition) + summary["strong"]["draft"] == summary["total"]
    assert summary["strong"] == {"draft": 1, "baseline": 1}


def test_the_score_distribution_counts_the_gated_bands_apart(
    patients, draft, add_criterion, run_preview
):
    add_criterion()
    scores = run_preview(draft).summary["scores"]
    assert len(scores["bins"]) == len(scores["before"]) == len(scores["after"]) == 10
    assert scores["gated_after"] == scores["gated_before"] + 2  # the two now excluded
    for side in ("before", "after"):
        assert sum(scores[side]) + scores[f"gated_{side}"] == 3


def test_a_preview_is_stale_once_a_criterion_of_the_draft_is_edited(
    patients, draft, run_preview, criteria_admin
):
    preview = run_preview(draft)
    assert not preview.is_stale()
    criterion = draft.criteria.get(key="ms_age_over_55")
    criterion.thresholds = [50]
    criterion.save()
    assert RuleSetPreview.objects.get(pk=preview.pk).is_stale()


def test_publishing_the_draft_does_not_make_its_preview_stale(
    patients, draft, run_preview, criteria_admin
):
    preview = run_preview(draft)
    rules_services.ruleset_publish(ruleset=draft, by=criteria_admin)
    assert not RuleSetPreview.objects.get(pk=preview.pk).is_stale()
    assert draft.previews.filter(status="finished").first() == preview  # kept with the version


def test_a_chunk_delivered_twice_replaces_its_rows_and_is_counted_once(
    patients, draft, add_criterion, monkeypatch
):
    monkeypatch.setattr(job, "CHUNK_SIZE", 1)
    preview = preview_start(ruleset=draft, by=None)  # its job is never queued: no commit here
    chunk_ids = job.preview_plan(preview.pk)
    assert len(chunk_ids) == 3 and job.preview_plan(preview.pk) == chunk_ids  # planned once
    job.preview_chunk_run(preview.pk, chunk_ids[0])
    job.preview_chunk_run(preview.pk, chunk_ids[0])
    preview.refresh_from_db()
    assert (preview.done, preview.status, preview.rows.count()) == (1, "running", 1)
    assert job.preview_plan(preview.pk) == chunk_ids[1:]  # a redelivered start queues the rest
    for chunk_id in chunk_ids[1:]:
        job.preview_chunk_run(preview.pk, chunk_id)
    preview.refresh_from_db()
    assert (preview.done, preview.status, preview.rows.count()) == (3, "finished", 3)
    assert preview.summary["total"] == 3
    assert job.preview_chunk_run(preview.pk, chunk_ids[0]) == 0  # finished: nothing to do


def test_a_draft_edited_while_the_job_runs_is_previewed_as_it_was_at_the_start(
    patients, draft, add_criterion, monkeypatch
):
    monkeypatch.setattr(job, "CHUNK_SIZE", 1)
    preview = preview_start(ruleset=draft, by=None)
    add_criterion()  # after the start: not part of this preview
    for chunk_id in job.preview_plan(preview.pk):
        job.preview_chunk_run(preview.pk, chunk_id)
    preview.refresh_from_db()
    assert preview.summary["moved"] == 0 and preview.is_stale()


def test_only_a_draft_that_compiles_can_be_previewed(draft, add_criterion):
    with pytest.raises(ValidationError) as refused:
        preview_start(ruleset=RuleSet.objects.active(), by=None)
    assert refused.value.messages == [ONLY_DRAFTS_PREVIEW]
    add_criterion(fact="no_such_fact")
    with pytest.raises(ValidationError) as refused:
        preview_start(ruleset=draft, by=None)
    assert any("no_such_fact" in m for m in refused.value.messages)
    assert not RuleSetPreview.objects.exists()


def test_a_second_start_of_an_unchanged_draft_returns_the_running_preview(draft):
    first = preview_start(ruleset=draft, by=None)
    assert preview_start(ruleset=draft, by=None) == first


def test_a_failing_job_marks_the_preview_failed_with_the_error(
    patients, draft, run_preview, monkeypatch
):
    def broken(preview, chunk):
        raise RuntimeError("the engine fell over")

    monkeypatch.setattr(job, "_screen", broken)
    with pytest.raises(RuntimeError):
        run_preview(draft)
    preview = RuleSetPreview.objects.get()
    assert preview.status == "failed" and "the engine fell over" in preview.error


def test_a_preview_with_nobody_to_screen_finishes_at_once(draft, run_preview):
    preview = run_preview(draft)
    assert (preview.status, preview.total, preview.summary["moved"]) == ("finished", 0, 0)
    assert not RuleSetPreviewChunk.objects.filter(preview=preview).exists()
    assert tasks.preview_run(preview.pk) == 0  # safe to run again


def test_movers_sort_from_band_then_to_band_in_the_worklists_order():
    assert BAND_ORDER == WORKLIST_BAND_ORDER
    assert move_key(STRONG, POSSIBLE) < move_key(STRONG, EXCLUDED) < move_key(POSSIBLE, STRONG)


def test_bands_wear_the_same_colours_as_on_every_other_page():
    from candidacy.screening.presenters import BAND_CSS as SCREENING_BAND_CSS
    from rules.previews.presenters import BAND_CSS

    assert BAND_CSS == SCREENING_BAND_CSS
