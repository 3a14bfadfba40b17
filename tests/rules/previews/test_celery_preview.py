"""A preview through the real Redis broker and a Celery worker, in chunks (CI runs it).

Skipped, with the reason, without CELERY_BROKER_URL and a database server (as the screening
pipeline's tests are).
"""

import pytest

from rules.models import RuleSet
from rules.previews import job
from rules.previews.models import RuleSetPreview
from rules.previews.services import preview_start

from ...candidacy.test_celery_pipeline import real_worker, wait_for  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_preview_runs_in_chunks_through_the_broker_and_a_worker(
    real_worker,  # noqa: F811
    make_patient,
    draft,
    add_criterion,
    criteria_admin,
    monkeypatch,
):
    monkeypatch.setattr(job, "CHUNK_SIZE", 2)  # the worker is a thread of this process
    for n in range(5):
        make_patient("ms_rr", age=38 + 2 * n, family_name=f"Aged{38 + 2 * n}")
    add_criterion()
    preview = preview_start(ruleset=draft, by=criteria_admin)  # committed: queued to Redis
    wait_for(
        lambda: RuleSetPreview.objects.get(pk=preview.pk).status != "running",
        "the preview to finish",
    )
    preview.refresh_from_db()
    assert (preview.status, preview.total, preview.done) == ("finished", 5, 5)
    assert preview.chunks.count() == 3 and preview.rows.count() == 5
    assert preview.summary["moved"] == 3  # 42, 44 and 46 are over 40
    assert preview.baseline == RuleSet.objects.active()
