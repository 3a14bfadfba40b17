"""After publishing: the re-screen's page ends with what moved, beside the preview's forecast."""

import re

import pytest
from django.urls import reverse

from candidacy.screening import tasks
from candidacy.screening.models import RescreenJob
from candidacy.screening.outcome import NO_PREVIEW, STALE_PREVIEW, rescreen_outcome
from rules import services as rules_services
from rules.specs import EXCLUDED

pytestmark = pytest.mark.django_db


@pytest.fixture
def patients(make_patient):
    return [
        make_patient("ms_rr", age=50, family_name="Fifty"),
        make_patient("ssc", age=45, family_name="Fortyfive"),
        make_patient("ms_rr", age=30, family_name="Young"),
    ]


@pytest.fixture
def publish(draft, criteria_admin, django_capture_on_commit_callbacks):
    """Publish the draft and run its re-screen in-process; returns the finished job."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            rules_services.ruleset_publish(ruleset=draft, by=criteria_admin)
        return RescreenJob.objects.get(ruleset=draft)

    return run


def outcome_rows(response) -> list[tuple[str, ...]]:
    table = re.search(r'<table[^>]*id="outcome-table".*?</table>', response.content.decode(), re.S)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), re.S)[1:]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [tuple(re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in row) for row in cells]


def test_the_job_page_compares_what_moved_with_the_preview(
    patients,
    draft,
    add_criterion,
    run_preview,
    publish,
    make_patient,
    criteria_admin,
    client_for,
    django_assert_max_num_queries,
):
    add_criterion()
    preview = run_preview(draft, by=criteria_admin)
    assert preview.summary["moved"] == 2
    make_patient("ms_rr", age=60, family_name="Latecomer")  # arrives after the preview
    job = publish()
    client = client_for(criteria_admin)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("screening:job", args=[job.pk]))
    body = response.content.decode()
    assert "3 of 4</strong> patients changed band" in body
    assert "the preview of" in body and "expected <strong>2</strong>" in body
    rows = outcome_rows(response)
    moved = [row for row in rows if EXCLUDED in row[1] and "stayed" not in row[1]]
    assert sum(int(row[3]) for row in moved) == 3  # actual
    assert sum(int(row[2]) for row in moved) == 2  # expected
    assert sum(int(row[4].lstrip("+")) for row in moved) == 1  # the latecomer
    assert STALE_PREVIEW not in body and NO_PREVIEW not in body


def test_the_job_page_says_when_there_was_no_preview(
    patients,
    add_criterion,
    publish,
    criteria_admin,
    client_for,
):
    add_criterion()
    job = publish()
    body = client_for(criteria_admin).get(reverse("screening:job", args=[job.pk])).content.decode()
    assert NO_PREVIEW in body and "2 of 3</strong> patients changed band" in body


def test_the_job_page_says_when_the_preview_was_stale(
    patients,
    draft,
    add_criterion,
    run_preview,
    publish,
    criteria_admin,
    client_for,
):
    add_criterion()
    run_preview(draft)
    criterion = draft.criteria.get(key="test_age_over_40")
    criterion.thresholds = [46]
    criterion.save()
    job = publish()
    body = client_for(criteria_admin).get(reverse("screening:job", args=[job.pk])).content.decode()
    assert STALE_PREVIEW in body and "1 of 3</strong> patients changed band" in body


def test_a_running_job_shows_no_outcome_yet(patients, draft, publish):
    job = publish()
    RescreenJob.objects.filter(pk=job.pk).update(finished_at=None)
    job.refresh_from_db()
    assert rescreen_outcome(job) is None


def test_a_nightly_job_shows_what_moved_without_a_forecast(
    patients, criteria_admin, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = tasks.start_rescreen(reason=RescreenJob.Reason.NIGHTLY)
    job.refresh_from_db()
    outcome = rescreen_outcome(job)
    assert not outcome.compared and outcome.preview is None and outcome.moved_actual == 0
    body = client_for(criteria_admin).get(reverse("screening:job", args=[job.pk])).content.decode()
    assert "0 of 3</strong> patients changed band" in body and NO_PREVIEW not in body
