"""The access log for auditors: filter, page back, export as CSV. Each look is logged too."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from common.spreadsheet import safe_cell

from .forms import AccessLogFilterForm
from .log import AUDIT, Action, access_logged
from .models import AccessEvent

PAGE_SIZE = 100
CSV_CHUNK = 2000
INVALID_FILTERS = "Some filters could not be used; correct them and search again."
HEADER = [
    "Time",
    "User",
    "Address",
    "Patient MRN",
    "Patient id asked for",
    "Action",
    "What",
    "Reason",
    "Status",
    "Method",
    "Path",
    "Detail",
]


@require_GET
@permission_required("audit.view_accessevent", raise_exception=True)
@access_logged("Access log", reason=AUDIT, action=Action.LIST)
def access_log(request):
    form = AccessLogFilterForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "invalid": INVALID_FILTERS, "events": []}
        return render(request, "audit/access_log.html", context, status=400)
    rows = form.events().select_related("patient")
    if form.cleaned_data.get("before"):
        rows = rows.filter(id__lt=form.cleaned_data["before"])
    events = list(rows[: PAGE_SIZE + 1])
    context = {
        "form": form,
        "events": events[:PAGE_SIZE],
        "older": events[PAGE_SIZE - 1].pk if len(events) > PAGE_SIZE else None,
        "filters_query": urlencode(form.filter_params()),
    }
    return render(request, "audit/access_log.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows) -> Iterator[str]:
    """The CSV, read in keyset chunks (newest first): never the whole log in memory."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    before = None
    while True:
        chunk = list((rows.filter(id__lt=before) if before else rows)[:CSV_CHUNK])
        for event in chunk:
            yield writer.writerow([safe_cell(v) for v in csv_row(event)])
        if len(chunk) < CSV_CHUNK:
            return
        before = chunk[-1].pk


def csv_row(event: AccessEvent) -> list:
    return [
        timezone.localtime(event.at).isoformat(timespec="seconds"),
        event.actor,
        event.address or "",
        event.patient.mrn if event.patient else "",
        event.patient_ref,
        event.get_action_display(),
        event.what,
        event.reason,
        event.status,
        event.method,
        event.path,
        event.detail,
    ]


@require_GET
@permission_required("audit.view_accessevent", raise_exception=True)
@access_logged("Access log CSV", reason=AUDIT, action=Action.EXPORT)
def access_log_csv(request):
    form = AccessLogFilterForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "invalid": INVALID_FILTERS, "events": []}
        return render(request, "audit/access_log.html", context, status=400)
    rows = form.events().select_related("patient")
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
