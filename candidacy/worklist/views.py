"""Worklist and dashboard pages. Thin: check permission, validate the query, call a selector, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render

from patients.audit.log import Action, access_logged, note_access
from rules.result import DECISION_SUPPORT, reason_text

from ..referrals.panels import dashboard_waits
from ..screening.presenters import explanation_rows
from ..screening.selectors import result_of
from . import dashboard as dashboard_selectors
from . import selectors
from .export import export_filename, export_lines, export_start
from .forms import WorklistForm
from .keyset import SORTS
from .selectors import visible_screening, worklist_page, worklist_total
from .why import rank_sentences

INVALID_QUERY = "Some of the filters could not be used; correct them and search again."


def _form(request) -> WorklistForm:
    return WorklistForm(request.GET, user=request.user)


def _invalid(request, form):
    """Bad query parameters: the page, with the fields at fault named, and status 400."""
    return render(
        request,
        "candidacy/worklist/worklist.html",
        {"form": form, "invalid": INVALID_QUERY, "decision_support": DECISION_SUPPORT},
        status=400,
    )


@permission_required("patients.view_patient", raise_exception=True)
@access_logged("Worklist", action=Action.LIST)  # one row for the list and its filters
def worklist(request):
    form = _form(request)
    if not form.is_valid():
        return _invalid(request, form)
    params = form.filter_params()
    page = worklist_page(request.user, form)
    start = form.cleaned_data.get("start") or 1
    context = {
        "form": form,
        "page": page,
        "rows": list(enumerate(page.rows, start=start)),
        "position": position_text(start, len(page.rows), worklist_total(request.user, form)),
        "next_start": start + len(page.rows),
        "previous_start": max(1, start - selectors.PAGE_SIZE),
        "filters_query": urlencode(params),
        "sort": form.cleaned_data["sort"],
        "sort_links": sort_links(params),
        "filtered": any(k != "sort" for k in params),
        "decision_support": DECISION_SUPPORT,
    }
    return render(request, "candidacy/worklist/worklist.html", context)


def position_text(start: int, shown: int, total) -> str:
    """ "1–50 of 237", "51–100 of about 66,000", "No patients"."""
    if not shown:
        return "No patients"
    if total.exact:
        return f"{start:,}–{start + shown - 1:,} of {total.count:,}"
    rounded = round(total.count, -3 if total.count >= 10_000 else -2)
    return f"{start:,}–{start + shown - 1:,} of about {rounded:,}"


def sort_links(params: dict) -> dict[str, str]:
    """The query of each sortable column: the filters in force with that sort, first page."""
    filters = {k: v for k, v in params.items() if k != "sort"}
    return {sort: urlencode({**filters, "sort": sort}) for sort in SORTS}


@permission_required("patients.view_patient", raise_exception=True)
@access_logged("Why this rank: the screening's explanation")
def worklist_why(request, public_id):
    """The stored screening's explanation, as a fragment opened in place on the worklist."""
    screening = visible_screening(request.user, public_id)
    if screening is None:
        raise Http404("No current screening for this patient.")
    note_access(request, patient=screening.patient)
    result = result_of(screening)
    context = {
        "screening": screening,
        "patient": screening.patient,
        "reasons": [reason_text(r) for r in result.reasons],
        "rank": rank_sentences(result, screening.ruleset.band_thresholds),
        "rows": explanation_rows(result),
        "decision_support": DECISION_SUPPORT,
    }
    return render(request, "candidacy/worklist/_why.html", context)


@permission_required("patients.view_patient", raise_exception=True)
@access_logged("Worklist CSV export", action=Action.EXPORT)
def worklist_export(request):
    form = _form(request)
    if not form.is_valid():
        return _invalid(request, form)
    log = export_start(user=request.user, form=form)
    response = StreamingHttpResponse(
        export_lines(user=request.user, form=form, log=log), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required("patients.view_patient", raise_exception=True)
def dashboard(request):
    context = dashboard_selectors.dashboard_context(request.user)
    context["decision_support"] = DECISION_SUPPORT
    context["chart_data"] = {
        "bands": [{"label": b["band"], "count": b["count"]} for b in context["bands"]],
        "diseases": [{"label": d["disease"], "count": d["count"]} for d in context["diseases"]],
        "histogram": [{"label": h["bin"], "count": h["count"]} for h in context["histogram"]],
        "funnel": [
            {"label": s.label, "passed": s.passed, "excluded": s.excluded}
            for s in context["funnel"]
        ],
    }
    context["referral_waits"] = dashboard_waits(request.user)
    context["referral_chart_data"] = {"waits": context["referral_waits"]}
    return render(request, "candidacy/worklist/dashboard.html", context)
