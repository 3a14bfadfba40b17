"""Publishing a draft through a confirmation page, never in one click.

The page shows what the draft's latest preview expects (how many patients change band, and
from which band to which), says when that preview is stale or missing, lists every problem
that would stop publication, and publishes only on an explicit POST.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from . import services
from .models import RuleSet
from .previews.models import RuleSetPreview
from .signals import publish_follow_ups
from .specs import (
    EXCLUDED,
    INCOMPLETE,
    NOT_INDICATED,
    POSSIBLE,
    STRONG,
    TRIAL_ONLY,
    UNLIKELY,
    Problem,
)

PUBLISHED = "Version {version} is published and now active."
NOT_PUBLISHED = "Not published: {problem}"
ONLY_DRAFTS = services.ONLY_DRAFTS_PUBLISH
PREVIEW_STALE = (
    "The draft changed after this preview: it may not show what this version will do. "
    "Run a new preview before publishing."
)
NO_PREVIEW = "No preview of this draft has finished yet, so nothing shows what it will change."
NOTHING_STOPS_IT = "The draft passes every check publishing runs."
PROBLEMS_STOP_IT = "Publishing would fail. Fix these first:"

# Bands as the worklist ranks them (most actionable first), for the rows and columns of the
# movement table; a band the preview names that is not here goes last.
BAND_ORDER = (STRONG, POSSIBLE, INCOMPLETE, TRIAL_ONLY, UNLIKELY, EXCLUDED, NOT_INDICATED)


@dataclass(frozen=True)
class MovementTable:
    """Patients by band under the active version (rows) and under the draft (columns)."""

    bands: list[str]
    rows: list[tuple[str, list[tuple[int, bool]]]]  # (band before, [(count, moved), ...])


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _matrix_cells(matrix: Any) -> dict[tuple[str, str], int]:
    """{(before, after): patients} from ``{before: {after: n}}`` or ``[[before, after, n]]``;
    empty for any other shape, so an unexpected summary shows no table rather than a wrong one."""
    cells: dict[tuple[str, str], int] = {}
    entries: list[tuple[Any, ...]]
    if isinstance(matrix, dict):
        entries = [
            (before, after, n)
            for before, row in matrix.items()
            for after, n in (row.items() if isinstance(row, dict) else [(None, None)])
        ]
    elif isinstance(matrix, list):
        entries = [tuple(e) if isinstance(e, list | tuple) else (None, None) for e in matrix]
    else:
        return {}
    for entry in entries:
        if len(entry) != 3:
            return {}
        before, after, count = entry
        if not (isinstance(before, str) and isinstance(after, str) and _is_count(count)):
            return {}
        cells[(before, after)] = count
    return cells


def movement_table(matrix: Any) -> MovementTable | None:
    cells = _matrix_cells(matrix)
    if not cells:
        return None
    named = {band for pair in cells for band in pair}
    bands = [b for b in BAND_ORDER if b in named] + sorted(named - set(BAND_ORDER))
    rows = [
        (before, [(cells.get((before, after), 0), before != after) for after in bands])
        for before in bands
    ]
    return MovementTable(bands=bands, rows=rows)


def band_counts(summary: dict, cells: dict[tuple[str, str], int]) -> list[tuple[str, int, int]]:
    """(band, patients now, patients under the draft): the summary's own counts when it has
    them, else the matrix's row and column totals."""
    before, after = summary.get("bands_before"), summary.get("bands_after")
    if not (isinstance(before, dict) and isinstance(after, dict)):
        before, after = {}, {}
        for (was, will), count in cells.items():
            before[was] = before.get(was, 0) + count
            after[will] = after.get(will, 0) + count
    named = {str(band) for band in (*before, *after)}
    bands = [b for b in BAND_ORDER if b in named] + sorted(named - set(BAND_ORDER))
    return [
        (band, before.get(band, 0), after.get(band, 0))
        for band in bands
        if _is_count(before.get(band, 0)) and _is_count(after.get(band, 0))
    ]


def _url(name: str, pk: int) -> str:
    """The URL, or "" in a build without that page (previews live in their own module)."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def preview_start_url(ruleset: RuleSet) -> str:
    """Where a POST starts a preview of the draft, or "" in a build without previews."""
    return _url("rules:preview_start", ruleset.pk)


def preview_context(ruleset: RuleSet) -> dict:
    """The latest finished preview of the draft, read defensively (its summary is JSON)."""
    preview = ruleset.previews.filter(status=RuleSetPreview.Status.FINISHED).first()
    running = ruleset.previews.filter(status=RuleSetPreview.Status.RUNNING).first()
    context: dict[str, Any] = {
        "preview": preview,
        "running": running,
        "start_url": preview_start_url(ruleset),
    }
    if preview is not None:
        summary = preview.summary if isinstance(preview.summary, dict) else {}
        moved = summary.get("moved")
        context.update(
            stale=preview.is_stale(),
            moved=moved if _is_count(moved) else None,
            matrix=movement_table(summary.get("matrix")),
            bands=band_counts(summary, _matrix_cells(summary.get("matrix"))),
            preview_url=_url("rules:preview", preview.pk),
        )
    return context


def problem_links(ruleset: RuleSet, problems: list[Problem]) -> list[tuple[Problem, str]]:
    """Each problem with the page that fixes it: the criterion's own, or the rule set's."""
    criteria = {f"criterion {key!r}": pk for pk, key in ruleset.criteria.values_list("pk", "key")}
    ruleset_url = reverse("admin:rules_ruleset_change", args=[ruleset.pk])
    return [
        (
            problem,
            reverse("admin:rules_criterion_change", args=[criteria[problem.where]])
            if problem.where in criteria
            else ruleset_url,
        )
        for problem in problems
    ]


def publish_view(model_admin, request, object_id):
    """GET: the confirmation page. POST: publish, then list the follow-ups (the re-screen)."""
    if not request.user.has_perm("rules.change_ruleset"):
        raise PermissionDenied
    ruleset = model_admin.get_object(request, unquote(object_id))
    if ruleset is None:
        raise Http404("No such rule set.")
    change_url = reverse("admin:rules_ruleset_change", args=[ruleset.pk])
    if not ruleset.is_editable:
        model_admin.message_user(request, ONLY_DRAFTS, messages.ERROR)
        return HttpResponseRedirect(change_url)
    if request.method == "POST":
        return _publish(model_admin, request, ruleset)
    problems = services.ruleset_problems(ruleset)
    active = RuleSet.objects.active()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": RuleSet._meta,
        "title": f"Publish version {ruleset.version}?",
        "ruleset": ruleset,
        "active": active,
        "compare_url": (
            f"{reverse('rules:diff')}?a={active.pk}&b={ruleset.pk}" if active is not None else ""
        ),
        "change_url": change_url,
        "problems": problem_links(ruleset, problems),
        "messages_text": {"pass": NOTHING_STOPS_IT, "fail": PROBLEMS_STOP_IT},
        "stale_text": PREVIEW_STALE,
        "no_preview_text": NO_PREVIEW,
        **preview_context(ruleset),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/rules/ruleset/publish.html", context)


def _expected_active(request) -> object:
    """The version the confirmation page showed as active (None: none), from its form."""
    if "expected_active" not in request.POST:
        return services.UNCHECKED
    posted = request.POST["expected_active"]
    if not posted.isdigit():
        return None
    # A version deleted since cannot be the active one: any other then counts as a change.
    return RuleSet.objects.filter(pk=int(posted)).first() or RuleSet(pk=0)


def _publish(model_admin, request, ruleset: RuleSet):
    try:
        services.ruleset_publish(
            ruleset=ruleset, by=request.user, expected_active=_expected_active(request)
        )
    except ValidationError as error:
        for message in error.messages:
            model_admin.message_user(request, NOT_PUBLISHED.format(problem=message), messages.ERROR)
        return HttpResponseRedirect(request.path)
    # Publishing queues a re-screen of every patient; the app that runs it says where to watch.
    links = format_html_join(
        " ", '<a href="{}">{}</a>.', ((f.url, f.text) for f in publish_follow_ups(ruleset))
    )
    model_admin.message_user(
        request,
        format_html("{} {}", PUBLISHED.format(version=ruleset.version), links),
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:rules_ruleset_changelist"))
