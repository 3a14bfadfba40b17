"""Screening pages: a re-screen's progress, and the printable summary of a patient."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from patients.audit.log import access_logged
from patients.views import patient_view

from . import jobs, outcome
from .models import RescreenChunk, RescreenJob
from .panels import current_screening_context
from .summary import COLLECT_SHOWN, domain_bars, summary_context
from .tasks import chunk_retry

JOB_REFRESH_SECONDS = 2


# Jobs count every patient of every centre: for criteria admins, who publish, only.
@permission_required("rules.change_ruleset", raise_exception=True)
def rescreen_job(request, pk):
    """Progress of a batch re-screen; the page refreshes itself until the job is done, then
    ends with what moved (compared with the version's preview after a publication)."""
    job = get_object_or_404(RescreenJob.objects.select_related("ruleset", "started_by"), pk=pk)
    health = jobs.job_health(job)
    # A failed job waits for a person: refreshing would only hide the retry buttons' answers.
    refresh = JOB_REFRESH_SECONDS if health.state in ("running", "stalled") else None
    context = {
        "job": job,
        "health": health,
        "stalled_message": jobs.JOB_STALLED.format(
            since=timezone.localtime(health.last_activity).strftime("%H:%M")
        ),
        "failed_message": jobs.JOB_FAILED.format(count=len(health.failed)),
        "refresh": refresh,
        # Once finished: what actually moved, and after a publication the preview's forecast.
        "outcome": outcome.rescreen_outcome(job),
        "no_preview": outcome.NO_PREVIEW,
        "stale_preview": outcome.STALE_PREVIEW,
    }
    return render(request, "candidacy/screening/rescreen_job.html", context)


@require_POST
@permission_required("rules.change_ruleset", raise_exception=True)
def rescreen_chunk_retry(request, pk, index):
    """Queue a failed or stalled chunk again; the job page says whether it was."""
    chunk = get_object_or_404(RescreenChunk, job_id=pk, index=index)
    with transaction.atomic():
        queued = chunk_retry(chunk)
    if queued:
        messages.success(request, jobs.CHUNK_REQUEUED.format(index=index))
    else:
        messages.info(request, jobs.CHUNK_NOT_RETRYABLE.format(index=index))
    return redirect("screening:job", pk=pk)


@permission_required("rules.change_ruleset", raise_exception=True)
def rescreen_progress(request, ruleset_id):
    """The latest re-screen of a rule set (the link the publish message gives)."""
    job = RescreenJob.objects.filter(ruleset__pk=ruleset_id).order_by("-created_at").first()
    if job is None:
        raise Http404("No re-screen was started for this rule set.")
    return redirect("screening:job", pk=job.pk)


@access_logged("Print summary")
@patient_view("patients.view_patient")
def patient_print(request, patient):
    """A one-page summary of the patient and the screening for the team meeting."""
    context = current_screening_context(patient, printable=True)
    context.update(summary_context(patient), patient=patient)
    context["bars"] = domain_bars(context.get("domains") or [])
    context["chart_height"] = 22 * len(context["bars"])
    context["collect_more"] = max(0, len(context.get("to_collect") or []) - COLLECT_SHOWN)
    return render(request, "candidacy/screening/patient_print.html", context)
