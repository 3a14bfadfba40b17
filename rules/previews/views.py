"""Preview pages, for criteria admins only: start a preview, watch it, read what it found.

Every view checks the permission to change rule sets (criteria admins) first: anyone else
gets the styled 403. Patients are listed and opened only within the user's centres (404
otherwise); the summary's counts are aggregates over every centre.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from patients.access import centre_ids
from patients.audit.log import CRITERIA, access_logged, note_access
from patients.models import Centre, Disease, Patient

from .. import loader
from ..engine import DECEASED_NOT_SCREENED, NotScreenable, evaluate
from ..models import RuleSet
from ..result import DECISION_SUPPORT
from . import presenters, services
from .forms import MoversForm
from .job import draft_compiled
from .models import RuleSetPreview
from .selectors import movers_page

CRITERIA_ADMINS = "rules.change_ruleset"
REFRESH_SECONDS = 2
PREVIEWS_LISTED = 20
STALE = (
    "This preview is out of date: the draft was edited after it started. "
    "Run it again before relying on it."
)
NO_PREVIEW_YET = "No preview of this version yet."


def criteria_admins_only(view):
    """Signed in, and allowed to change rule sets (criteria admins); else the styled 403."""
    return login_required(permission_required(CRITERIA_ADMINS, raise_exception=True)(view))


@require_POST
@criteria_admins_only
def preview_start(request, pk):
    """Start a preview of a draft (or show why it cannot start), then watch it run."""
    ruleset = get_object_or_404(RuleSet, pk=pk)
    try:
        preview = services.preview_start(ruleset=ruleset, by=request.user)
    except ValidationError as error:
        context = {"ruleset": ruleset, "problems": error.messages}
        return render(request, "rules/preview_refused.html", context, status=400)
    return redirect("rules:preview", pk=preview.pk)


@criteria_admins_only
def ruleset_previews(request, pk):
    """A version's previews, newest first: a draft's to start one, a published version's to
    show what it was expected to do (its last finished preview)."""
    ruleset = get_object_or_404(RuleSet, pk=pk)
    previews = list(ruleset.previews.select_related("baseline", "started_by")[:PREVIEWS_LISTED])
    expected = next((p for p in previews if p.status == RuleSetPreview.Status.FINISHED), None)
    context = {
        "ruleset": ruleset,
        "previews": previews,
        "expected": expected,
        "stale": expected.is_stale() if expected else False,
        "no_preview": NO_PREVIEW_YET,
        "band_css": presenters.BAND_CSS,
    }
    return render(request, "rules/preview_list.html", context)


def _preview(pk) -> RuleSetPreview:
    return get_object_or_404(
        RuleSetPreview.objects.select_related("ruleset", "baseline", "started_by"), pk=pk
    )


@criteria_admins_only
def preview_detail(request, pk):
    """A preview: its progress while it runs, then what the draft would change."""
    preview = _preview(pk)
    context = {
        "preview": preview,
        "stale": preview.is_stale(),
        "stale_message": STALE,
        "decision_support": DECISION_SUPPORT,
        "band_css": presenters.BAND_CSS,
    }
    if preview.status == RuleSetPreview.Status.RUNNING:
        context["refresh"] = REFRESH_SECONDS
    elif preview.status == RuleSetPreview.Status.FINISHED:
        context.update(_finished_context(request, preview))
    return render(request, "rules/preview.html", context)


def _finished_context(request, preview: RuleSetPreview) -> dict:
    summary = preview.summary
    matrix = presenters.matrix_rows(summary)
    diseases = list(Disease.objects.order_by("name").values_list("key", "name"))
    centres = list(Centre.objects.filter(pk__in=centre_ids(request.user)).order_by("name"))
    form = MoversForm(request.GET or None, diseases=diseases, centres=centres)
    cursor = form.cleaned_data.get("cursor") if form.is_valid() else None
    page = movers_page(preview, request.user, form.filters(), cursor)
    return {
        "summary": summary,
        "matrix": matrix,
        "attrition": presenters.attrition_rows(summary),
        "scores": presenters.score_rows(summary),
        "chart_data": presenters.chart_data(summary, matrix),
        "form": form,
        "invalid": form.is_bound and not form.is_valid(),
        "filters_query": form.query(),
        "page": page,
        "disease_names": dict(diseases),
        "limit_labels": presenters.limit_labels(summary),
        "active": RuleSet.objects.active(),
    }


@criteria_admins_only
@access_logged("Rule-set preview: the patient under both versions", reason=CRITERIA)
def preview_patient(request, pk, public_id):
    """One patient under the active version and under the draft, side by side.

    Computed now with the engine, from the record as of the preview's date, with the draft
    as the preview saw it.
    """
    preview = _preview(pk)
    patient = get_object_or_404(
        Patient.objects.visible_to(request.user).select_related("centre", "disease"),
        public_id=public_id,
    )
    note_access(request, patient=patient)
    context = {
        "preview": preview,
        "patient": patient,
        "decision_support": DECISION_SUPPORT,
        "band_css": presenters.BAND_CSS,
    }
    if preview.baseline is None or not preview.draft_spec:
        context["not_screened"] = services.NO_ACTIVE_VERSION
        return render(request, "rules/preview_patient.html", context)
    record = loader.record_for(patient, as_of=preview.as_of)
    try:
        before = evaluate(record, loader.compiled(preview.baseline), preview.as_of)
        after = evaluate(record, draft_compiled(preview), preview.as_of)
    except NotScreenable:
        context["not_screened"] = DECEASED_NOT_SCREENED
        return render(request, "rules/preview_patient.html", context)
    context.update(
        sides=[
            {
                "title": f"Version {preview.baseline.version} (active at the preview)",
                "result": presenters.result_summary(before),
            },
            {
                "title": f"Version {preview.ruleset.version} (this preview)",
                "result": presenters.result_summary(after),
            },
        ],
        rows=presenters.compare_rows(before, after),
        not_in_version=presenters.NOT_IN_VERSION,
        stale=preview.is_stale(),
        stale_message=STALE,
    )
    return render(request, "rules/preview_patient.html", context)
