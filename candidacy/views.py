from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator

from patients.views import patient_view

from .models import RescreenJob

JOB_REFRESH_SECONDS = 2


@login_not_required
def home(request):
    """Anonymous visitors go to the login page, signed-in users to their work."""
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("worklist")


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


# Jobs count every patient of every centre: for criteria admins, who publish, only.
@permission_required("rules.change_ruleset", raise_exception=True)
def rescreen_job(request, pk):
    """Progress of a batch re-screen; the page refreshes itself until the job is done."""
    job = get_object_or_404(RescreenJob.objects.select_related("ruleset", "started_by"), pk=pk)
    refresh = JOB_REFRESH_SECONDS if job.finished_at is None else None
    return render(request, "candidacy/rescreen_job.html", {"job": job, "refresh": refresh})


@patient_view("patients.view_patient")
def patient_print(request, patient):
    """A one-page summary of the patient and the screening for the team meeting."""
    return render(request, "candidacy/patient_print.html", {"patient": patient})


@permission_required("rules.change_ruleset", raise_exception=True)
def rescreen_progress(request, ruleset_id):
    """The latest re-screen of a rule set (the link the publish message gives)."""
    job = RescreenJob.objects.filter(ruleset__pk=ruleset_id).order_by("-created_at").first()
    if job is None:
        raise Http404("No re-screen was started for this rule set.")
    return redirect("rescreen_job", pk=job.pk)
