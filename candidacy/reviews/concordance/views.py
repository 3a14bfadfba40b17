"""The concordance page and its CSVs. Thin: who may see it, the filters, a selector, render or stream.

Who sees it (either permission will do):
- criteria admins (``rules.change_ruleset``): they change the criteria, and the decisions
  that depart from the band are where the team says the criteria are off;
- coordinators (``candidacy.change_review``): they make the decisions, and answer for
  deciding alike for alike patients.
Clinicians do not: they see each decision on their patients' review pages; this report reads
the team's decisions across all the centre's patients, with the reasons written for them, as
an audit of the criteria and the team. They get the styled 403.

Whoever it is, superusers too, every count and row is of the user's own centres.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import wraps
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from patients.audit.log import QUALITY, Action, access_logged

from .departures import departures_page
from .export import departures_export_start, departures_lines, export_filename, summary_lines
from .forms import ConcordanceForm
from .selectors import (
    AGE_GROUPS,
    MIN_DECISIONS,
    TOO_FEW,
    Report,
    concordance_report,
    decided_reviews,
    decision_matrix,
)

ALLOWED = ("rules.change_ruleset", "candidacy.change_review")
TEMPLATE = "candidacy/reviews/concordance.html"
INVALID_QUERY = "Some of the filters could not be used; correct them and try again."


def may_see_concordance(user) -> bool:
    return any(user.has_perm(permission) for permission in ALLOWED)


def concordance_access(view):
    """Criteria admins and coordinators only; anyone else gets the 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_see_concordance(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _form(request) -> ConcordanceForm:
    return ConcordanceForm(request.GET, user=request.user)


def _invalid(request, form: ConcordanceForm):
    """Bad query parameters: the page with the form, each error beside its field, status 400."""
    context = {"form": form, "invalid": INVALID_QUERY}
    return render(request, TEMPLATE, context, status=400)


def _chart_data(report: Report) -> dict:
    """What static/js/concordance.js draws: each breakdown's meaningful rates."""
    charts = []
    for breakdown in report.breakdowns:
        rows = []
        for group in breakdown.charted:
            low, high = group.likely_range or (0.0, 0.0)
            rows.append(
                {
                    "label": group.label,
                    "percent": round(group.percent or 0.0, 1),
                    "low": round(low, 1),
                    "high": round(high, 1),
                    "decisions": group.decisions,
                    "departures": group.departures,
                }
            )
        charts.append({"id": f"chart-{breakdown.key}", "rows": rows})
    return {"charts": charts}


@require_GET
@concordance_access
@access_logged("Decision concordance and its departures", reason=QUALITY, action=Action.LIST)
def concordance(request):
    form = _form(request)
    if not form.is_valid():
        return _invalid(request, form)
    filters = form.filters()
    report = concordance_report(request.user, filters)
    page = departures_page(
        request.user, filters, report.matrix.departing, form.cleaned_data["cursor"]
    )
    params = form.filter_params()
    context = {
        "form": form,
        "report": report,
        "page": page,
        "filters_query": urlencode(params),
        "filtered": bool(params),
        "min_decisions": MIN_DECISIONS,
        "too_few": TOO_FEW,
        "age_groups": [label for _upper, label in AGE_GROUPS],
        "chart_data": _chart_data(report),
        "can_open_reviews": request.user.has_perm("candidacy.view_review"),
    }
    return render(request, TEMPLATE, context)


def _stream(lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@concordance_access
@access_logged("Concordance departures CSV", reason=QUALITY, action=Action.EXPORT)
def departures_csv(request):
    """Every departure with its reason, one row each, newest first; the export is logged."""
    form = _form(request)
    if not form.is_valid():
        return _invalid(request, form)
    filters = form.filters()
    departing = decision_matrix(decided_reviews(request.user, filters)).departing
    log = departures_export_start(user=request.user, params=form.filter_params())
    lines = departures_lines(user=request.user, filters=filters, departing=departing, log=log)
    return _stream(lines, export_filename("departures"))


@require_GET
@concordance_access
def summary_csv(request):
    """The decision x band table and every breakdown, counts and rates: no patient in it."""
    form = _form(request)
    if not form.is_valid():
        return _invalid(request, form)
    report = concordance_report(request.user, form.filters())
    return _stream(summary_lines(report), export_filename("summary"))
