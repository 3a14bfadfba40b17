"""Re-screening paths, run in-process: publish, reconcile, screen_all, what changed, print."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from candidacy.screening import tasks
from candidacy.screening.models import RescreenJob, Screening
from candidacy.screening.services import screening_record
from patients import services as patient_services
from rules import services as rules_services
from rules.models import RuleSet

from ..clock import TODAY
from ..factories import AssessmentFactory
from .conftest import SSC_FIRST_LINE_FAILED

pytestmark = pytest.mark.django_db


def test_a_record_change_queues_a_rescreen_after_commit(
    make_patient, django_capture_on_commit_callbacks
):
    patient = make_patient(
        "ssc",
        age=45,
        values={"mrss": 24, "ssc_lung": 1},
        treatments=SSC_FIRST_LINE_FAILED,
        screen=False,
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        patient_services.assessment_record(
            patient=patient, taken_on=patient.assessments.get().taken_on, values={"lvef": 40}
        )
    assert len(callbacks) == 1  # queued once, and only on commit
    assert Screening.objects.current().get(patient=patient).band == "Excluded"


def test_publishing_rescreens_everyone_and_the_admin_can_watch_it(
    make_patient, criteria_admin, client_for, django_capture_on_commit_callbacks
):
    patients = [make_patient("ms_rr", age=30 + n) for n in range(3)]
    draft = rules_services.ruleset_clone(ruleset=RuleSet.objects.active())
    with django_capture_on_commit_callbacks(execute=True):
        rules_services.ruleset_publish(ruleset=draft, by=criteria_admin)
    assert Screening.objects.current().filter(ruleset=draft).count() == len(patients)
    job = RescreenJob.objects.get(ruleset=draft)
    assert (job.total, job.done, job.started_by) == (3, 3, criteria_admin)
    client = client_for(criteria_admin)
    response = client.get(reverse("screening:ruleset_progress", args=[draft.pk]), follow=True)
    assert "3 of 3 patients re-screened." in response.content.decode()
    assert 'aria-valuenow="100"' in response.content.decode()


def test_a_rescreen_with_nothing_new_adds_no_row_but_keeps_the_date_current(make_patient):
    patient = make_patient("ms_rr", age=34)
    before = Screening.objects.get(patient=patient)
    screening_record(patient=patient)
    assert Screening.objects.filter(patient=patient).count() == 1
    assert Screening.objects.get(patient=patient).pk == before.pk


def test_the_reconciler_screens_whoever_a_killed_worker_left_behind(make_patient, clock, settings):
    screened = make_patient("ms_rr", age=34)
    left_behind = make_patient("ssc", age=50, screen=False)
    draft = rules_services.ruleset_clone(ruleset=RuleSet.objects.active())
    rules_services.ruleset_publish(ruleset=draft, by=None)  # its job is never queued (no commit)
    assert tasks.reconcile() == 0  # the publish job may still be on its way: give it time
    clock.shift(timedelta(seconds=settings.RESCREEN_STALL_SECONDS + 1))  # no sign of life since
    tasks.reconcile()  # plans the publish job that was never queued, which screens both
    job = RescreenJob.objects.get(ruleset=draft)
    assert job.finished_at is not None and job.done == 2
    assert set(
        Screening.objects.current().filter(ruleset=draft).values_list("patient_id", flat=True)
    ) == {screened.pk, left_behind.pk}
    assert tasks.reconcile() == 0  # nothing left to do


def test_the_reconciler_screens_whoever_no_job_covers(make_patient):
    screened = make_patient("ms_rr", age=34)
    left_behind = make_patient("ssc", age=50, screen=False)
    assert tasks.reconcile() == 1  # only the one without a screening of the active version
    assert Screening.objects.current().filter(patient=left_behind).exists()
    assert Screening.objects.current().filter(patient=screened).count() == 1
    assert tasks.reconcile() == 0


def test_deceased_patients_lose_their_current_screening(make_patient):
    patient = make_patient("ms_rr", age=34)
    patient.death_date = TODAY
    patient.save()
    assert screening_record(patient=patient) is None
    assert not Screening.objects.current().filter(patient=patient).exists()


def test_screen_all_shows_progress_and_rescreens_everyone(make_patient):
    for n in range(3):
        make_patient("crohns", age=30 + n, screen=False)
    out, err = io.StringIO(), io.StringIO()
    call_command("screen_all", stdout=out, stderr=err)
    assert "Screened 3 patients" in out.getvalue()
    assert "3/3" in err.getvalue()
    assert Screening.objects.current().count() == 3


def test_the_patient_page_shows_what_changed_since_the_previous_screening(
    make_patient, client_for, clinician
):
    patient = make_patient(
        "ssc",
        age=45,
        values={"mrss": 24, "ssc_lung": 1},
        treatments=[("mycophenolate", 420, 60, "inadequate_response")],
    )
    before = Screening.objects.current().get(patient=patient)
    AssessmentFactory(patient=patient, values={"lvef": 40})
    after = screening_record(patient=patient)
    assert after.band == "Excluded"
    page = (
        client_for(clinician)
        .get(reverse("patients:detail", args=[patient.public_id]))
        .content.decode()
    )
    assert 'id="changes"' in page
    # An excluded patient has no score: a number beside "Excluded" would read as favourable.
    assert after.score is None and f"score {before.score} → no score" in page
    assert "LVEF below 45% (SSc): not met → met" in page


def test_the_printable_summary_holds_the_patient_and_the_screening(
    make_patient, client_for, coordinator
):
    patient = make_patient("ms_rr", age=34, family_name="Printwell")
    page = (
        client_for(coordinator)
        .get(reverse("screening:patient_print", args=[patient.public_id]))
        .content.decode()
    )
    assert "Printwell" in page and "Supports a decision; the team decides." in page
    # One A4 page for the meeting: the band and what decides it, not every criterion
    # (the full explanation stays on the patient page; tests/browser counts the PDF's pages).
    for part in ("print-band", "print-chart", "print-results", "print-treatments", "print-review"):
        assert f'id="{part}"' in page, part
    assert 'id="explanation"' not in page


def test_the_nightly_run_and_the_reconciler_are_scheduled(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "candidacy.screening.tasks.nightly_rescreen",
        "candidacy.screening.tasks.reconcile",
    } <= tasks_scheduled
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def test_a_patient_who_moves_centre_leaves_the_old_centres_worklist_and_queue(
    make_patient, client_for, coordinator, other_centre
):
    from candidacy.reviews.models import Review

    patient = make_patient(
        "ms_rr",
        age=34,
        values={"relapses_12m": 2, "edss": 3.5},
        treatments=[("natalizumab", 900, 20, "inadequate_response")],
    )
    assert Review.objects.filter(patient=patient).exists()  # flagged as a candidate
    client = client_for(coordinator)
    assert patient.mrn in client.get(reverse("worklist:list")).content.decode()
    patient.centre = other_centre
    patient.save()  # before any re-screen has run
    assert patient.mrn not in client.get(reverse("worklist:list")).content.decode()
    assert client.get(reverse("reviews:detail", args=[patient.public_id])).status_code == 404
    screening_record(patient=patient)  # the re-screen moves the copies and the review
    current = Screening.objects.current().get(patient=patient)
    assert current.centre == other_centre
    assert set(Review.objects.filter(patient=patient).values_list("centre", flat=True)) == {
        other_centre.pk
    }


def test_only_criteria_admins_watch_rescreen_jobs(
    client_for, clinician, coordinator, criteria_admin
):
    job = RescreenJob.objects.create(
        reason=RescreenJob.Reason.MANUAL, ruleset=RuleSet.objects.active()
    )
    for user in (clinician, coordinator):
        assert client_for(user).get(reverse("screening:job", args=[job.pk])).status_code == 403
    assert (
        client_for(criteria_admin).get(reverse("screening:job", args=[job.pk])).status_code == 200
    )
    huge = reverse("screening:ruleset_progress", args=[10**22])
    assert client_for(criteria_admin).get(huge).status_code == 404
