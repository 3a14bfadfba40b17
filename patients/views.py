"""Patient pages. Thin: check permission, validate a form, call a service, render."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from common.typed import field_label

from . import services
from .access import centre_ids, is_own_patient
from .audit.log import REFERRAL, Action, access_logged, note_access
from .audit.selectors import recent_access
from .fhir.importer import Source, import_run, totals_line
from .forms import (
    AssessmentForm,
    FhirUploadForm,
    MarkInErrorForm,
    PatientForm,
    PatientSearchForm,
    PriorTreatmentFormSet,
    RelapseFormSet,
)
from .history import edit_history
from .items import ITEMS
from .models import Assessment, ImportRun, Patient, Therapy
from .panels import render_patient_panels
from .relapses import count_in_last_year
from .trends import trend_series

PATIENTS_PER_PAGE = 50
RELAPSES_SAVED = "The relapse dates were saved."
ASSESSMENT_RECORDED = "The assessment was recorded."


def visible_patient(request, public_id) -> Patient:
    """A patient of the user's centres, or 404: never another centre's data."""
    patient = get_object_or_404(
        Patient.objects.visible_to(request.user).select_related("centre", "disease"),
        public_id=public_id,
    )
    note_access(request, patient=patient)  # the access log has the patient without a query
    if not is_own_patient(request.user, patient):
        note_access(request, reason=REFERRAL)  # seen only because it was referred to them
    return patient


def patient_view(permission: str):
    """Load the patient of the URL, scoped to the user's centres, then check the permission.

    Scope comes first, so a user of another centre gets 404 whatever their role and
    cannot even learn that the patient exists.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, public_id, *args, **kwargs):
            patient = visible_patient(request, public_id)
            if not request.user.has_perm(permission):
                raise PermissionDenied
            # A referral lets the receiving centre read the record, never change it.
            writes = not permission.partition(".")[2].startswith("view_")
            if writes and not is_own_patient(request.user, patient):
                raise PermissionDenied
            return view(request, patient, *args, **kwargs)

        return wrapper

    return decorator


@permission_required("patients.view_patient", raise_exception=True)
@access_logged("Patient list", action=Action.LIST)
def patient_list(request):
    form = PatientSearchForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid search.")
    text = (form.cleaned_data["q"] or "").strip()
    patients = (
        Patient.objects.visible_to(request.user).search(text).select_related("centre", "disease")
    )
    if text and request.GET.get("from") == "header":
        # The header's search box: an MRN that names one patient opens that patient.
        by_mrn = list(Patient.objects.visible_to(request.user).filter(mrn__iexact=text)[:2])
        if len(by_mrn) == 1:
            return redirect("patients:detail", public_id=by_mrn[0].public_id)
    page = Paginator(patients, PATIENTS_PER_PAGE).get_page(form.cleaned_data["page"] or 1)
    return render(request, "patients/patient_list.html", {"form": form, "page": page})


@permission_required("patients.add_patient", raise_exception=True)
def patient_create(request):
    form = PatientForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        patient = services.patient_save(patient=form.save(commit=False))
        messages.success(request, f"{patient.name} was added.")
        return redirect("patients:detail", public_id=patient.public_id)
    return render(request, "patients/patient_form.html", {"form": form})


@access_logged("Patient details form")
@patient_view("patients.change_patient")
def patient_update(request, patient):
    form = PatientForm(request.POST or None, instance=patient, user=request.user)
    # Validated and saved in one transaction: the form locks the row to compare it with
    # what the editor opened (common/concurrency.py), and holds the lock until it is written.
    with transaction.atomic():
        if request.method == "POST" and form.is_valid():
            services.patient_save(patient=form.save(commit=False))
            messages.success(request, "The patient's details were saved.")
            return redirect("patients:detail", public_id=patient.public_id)
    context = {"form": form, "patient": patient, "changes": form.edit_changes}
    return render(request, "patients/patient_form.html", context)


@access_logged("Patient page")
@patient_view("patients.view_patient")
def patient_detail(request, patient):
    context = {
        "patient": patient,
        # Read through a referral (patients/grants.py): the record is shown, not offered for edit.
        "read_only": not is_own_patient(request.user, patient),
        "latest_values": sorted(
            patient.latest_values().values(), key=lambda v: v.get_item_display()
        ),
        "treatments": patient.treatments.select_related("therapy"),
        **_relapses(patient),
        "assessments": patient.assessments.prefetch_related("values").select_related("recorded_by")[
            :20
        ],
        "history": edit_history(patient)[:50],
        "trends": trend_series(patient),
        "viewers": recent_access(patient),
        "panels": render_patient_panels(request, patient),
        "comorbidities": [
            (field_label(Patient, name), value) for name, value in patient.comorbidities().items()
        ],
    }
    return render(request, "patients/patient_detail.html", context)


def _relapses(patient) -> dict:
    """The relapse dates, newest first, and how many began in the last 12 months."""
    relapses = list(patient.relapses.order_by("-onset"))
    onsets = [relapse.onset for relapse in relapses]
    return {
        "relapses": relapses,
        "relapses_last_year": count_in_last_year(onsets, today=timezone.localdate()),
        "shows_relapses": bool(relapses) or (patient.disease and patient.disease.group == "ms"),
    }


@access_logged("Assessment form")
@patient_view("patients.add_assessment")
def assessment_create(request, patient):
    copied = None
    initial = {}
    if request.method == "GET" and request.GET.get("copy") == "last":
        copied = patient.assessments.filter(entered_in_error=False).first()
        initial = copy_initial(copied) if copied else {}
    form = AssessmentForm(request.POST or None, patient=patient, initial=initial)
    if request.method == "POST" and form.is_valid():
        # A resubmit of the same form returns the first one's assessment: same answer.
        services.assessment_record(
            patient=patient,
            taken_on=form.cleaned_data["taken_on"],
            values=form.cleaned_data["values"],
            note=form.cleaned_data["note"],
            by=request.user,
            submission_key=form.cleaned_data["submission_key"],
        )
        messages.success(request, ASSESSMENT_RECORDED)
        return redirect("patients:detail", public_id=patient.public_id)
    has_earlier = patient.assessments.filter(entered_in_error=False).exists()
    context = {"form": form, "patient": patient, "copied": copied, "has_earlier": has_earlier}
    return render(request, "patients/assessment_form.html", context)


def copy_initial(assessment: Assessment) -> dict:
    """An earlier assessment's values as a new form's starting point (never its date: what is
    saved is dated the day it was measured)."""
    initial = {}
    for value in assessment.values.all():
        item = ITEMS.get(value.item)
        if item is None:
            continue
        initial[value.item] = f"{value.value:g}" if (item.boolean or item.choices) else value.value
    return initial


@require_POST
@access_logged("Assessment marked entered in error")
@patient_view("patients.change_assessment")
def assessment_mark_in_error(request, patient, assessment_id):
    assessment = get_object_or_404(Assessment, pk=assessment_id, patient=patient)
    form = MarkInErrorForm(request.POST)
    if form.is_valid():
        services.assessment_mark_in_error(assessment=assessment, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            f"The assessment of {assessment.taken_on:%d %b %Y} was marked entered in error.",
        )
    else:
        messages.error(
            request, "Give a reason (up to 500 characters) to mark an assessment entered in error."
        )
    return redirect("patients:detail", public_id=patient.public_id)


@access_logged("Treatment history form")
@patient_view("patients.change_priortreatment")
def treatments_edit(request, patient):
    therapies = list(Therapy.objects.order_by("name"))
    formset = PriorTreatmentFormSet(
        request.POST or None,
        instance=patient,
        form_kwargs={"therapies": therapies, "disease": patient.disease},
    )
    with transaction.atomic():  # each row locks and compares itself, as the patient form does
        if request.method == "POST" and formset.is_valid():
            services.treatments_save(patient=patient, formset=formset)
            messages.success(request, "The treatment history was saved.")
            return redirect("patients:detail", public_id=patient.public_id)
    changes = [change for form in formset.forms for change in form.edit_changes]
    context = {"formset": formset, "patient": patient, "changes": changes}
    return render(request, "patients/treatments_form.html", context)


@access_logged("Relapse dates form")
@patient_view("patients.change_relapse")
def relapses_edit(request, patient):
    formset = RelapseFormSet(request.POST or None, instance=patient)
    if request.method == "POST" and formset.is_valid():
        services.relapses_save(patient=patient, formset=formset)
        messages.success(request, RELAPSES_SAVED)
        return redirect("patients:detail", public_id=patient.public_id)
    return render(request, "patients/relapses_form.html", {"formset": formset, "patient": patient})


@permission_required("patients.add_patient", raise_exception=True)
def fhir_import(request):
    form = FhirUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        sources = [
            Source(name=upload.name, data=upload.read()) for upload in form.cleaned_data["files"]
        ]
        run = import_run(
            sources=sources,
            centre=form.cleaned_data["centre"],
            source=ImportRun.Source.UPLOAD,
            by=request.user,
        )
        return redirect("patients:import_run", pk=run.pk)
    runs = ImportRun.objects.filter(centre_id__in=centre_ids(request.user)).select_related(
        "centre", "started_by"
    )[:10]
    return render(request, "patients/import_form.html", {"form": form, "runs": runs})


@permission_required("patients.add_patient", raise_exception=True)
def fhir_import_run(request, pk):
    # Runs of the user's centres only: another centre's run is a 404, like its patients.
    run = get_object_or_404(
        ImportRun.objects.filter(centre_id__in=centre_ids(request.user)).select_related("centre"),
        pk=pk,
    )
    return render(request, "patients/import_run.html", {"run": run, "rate_line": totals_line(run)})
