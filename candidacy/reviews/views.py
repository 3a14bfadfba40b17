"""The review queue and the review page. Thin: scope, permission, form, service, redirect or render.

Scope comes before permission, as on patient pages: a review of another centre is a 404
whatever the user's role, so nobody learns that it exists. Clinicians have view_review
only: they see the queue and the page read-only (candidacy/reviews/permissions.py says why).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Subquery
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from common.users import display_name
from patients.audit.log import REVIEW, access_logged, note_access
from rules.result import DECISION_SUPPORT

from ..screening.models import Screening
from ..screening.staleness import staleness_of
from . import services
from .forms import (
    PRIORITY,
    AssignForm,
    DecisionForm,
    NoteForm,
    ReopenForm,
    ReviewFilterForm,
    ReviewStepForm,
)
from .models import Review, ReviewNote
from .timeline import patient_timeline

REVIEWS_PER_PAGE = 50
NOTE_INDENT_LIMIT = 4
STATE_LABELS = dict(Review.State.choices)


def with_current_screening(reviews):
    current = Screening.objects.current().filter(patient=OuterRef("patient_id"))
    return reviews.annotate(
        current_band=Subquery(current.values("band")[:1]),
        current_score=Subquery(current.values("score")[:1]),
        current_rank=Subquery(current.values("rank_key")[:1]),
    )


def _ordered(reviews, fields: tuple[str, ...]):
    # A review whose patient has no current screening has no rank: it goes last.
    return reviews.order_by(
        *(F(f).asc(nulls_last=True) if f == "current_rank" else f for f in fields)
    )


def review_view(permission: str):
    """Load the patient's latest review in the user's centres (404 otherwise), then check the permission."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, public_id, *args, **kwargs):
            review = (
                Review.objects.visible_to(request.user)
                .filter(patient__public_id=public_id)
                .select_related(
                    "patient__centre",
                    "patient__disease",
                    "assignee",
                    "decided_by",
                    "flag_screening",
                )
                .newest_first()
                .first()
            )
            if review is None:
                raise Http404("No review of this patient in your centres.")
            note_access(request, patient=review.patient)
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, review, *args, **kwargs)

        return wrapper

    return decorator


@require_GET
@permission_required("candidacy.view_review", raise_exception=True)
def review_queue(request):
    form = ReviewFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid filter.")
    reviews = form.filter(Review.objects.visible_to(request.user), request.user)
    reviews = _ordered(
        with_current_screening(reviews).select_related("patient__disease", "assignee"),
        form.ordering(),
    )
    page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(form.cleaned_data["page"] or 1)
    query = request.GET.copy()
    query.pop("page", None)
    filters = query.copy()
    filters.pop("sort", None)
    return render(
        request,
        "candidacy/reviews/review_queue.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filter_query": filters.urlencode(),
            "sort": form.cleaned_data.get("sort") or PRIORITY,
            "decision_support": DECISION_SUPPORT,
        },
    )


def _threaded(notes: list[ReviewNote]) -> list[tuple[ReviewNote, int]]:
    """Notes in reading order, each reply under its parent, with its depth."""
    children: dict[int | None, list[ReviewNote]] = {}
    for note in notes:
        children.setdefault(note.parent_id, []).append(note)
    ordered: list[tuple[ReviewNote, int]] = []

    def walk(parent_id, depth):
        for note in children.get(parent_id, []):
            ordered.append((note, min(depth, NOTE_INDENT_LIMIT)))
            walk(note.pk, depth + 1)

    walk(None, 0)
    return ordered


def _render_detail(request, review: Review, *, status: int = 200, **forms):
    screening = Screening.objects.of_patient(review.patient_id)
    band = screening.band if screening else ""
    stale = staleness_of(screening, review.patient)
    earlier = (
        Review.objects.filter(patient=review.patient, centre=review.centre)
        .exclude(pk=review.pk)
        .select_related("decided_by")
        .order_by("-flagged_at")
    )
    context = {
        "review": review,
        "patient": review.patient,
        "screening": screening,
        "staleness": stale,
        "earlier_reviews": earlier,
        "events": [
            (
                event,
                STATE_LABELS.get(event.from_state, ""),
                STATE_LABELS.get(event.to_state, event.to_state),
            )
            for event in review.events.select_related("actor")
        ],
        "notes": _threaded(list(review.notes.select_related("author"))),
        "assign_form": forms.get("assign_form") or AssignForm(review=review),
        "decision_form": forms.get("decision_form")
        or DecisionForm(review=review, band=band, stale=stale),
        "note_form": forms.get("note_form") or NoteForm(review=review),
        "reopen_form": forms.get("reopen_form") or ReopenForm(review=review),
        "timeline": patient_timeline(review.patient),
        "can_act": request.user.has_perm("candidacy.change_review"),
        "can_note": request.user.has_perm("candidacy.add_reviewnote"),
        "is_open": review.state in Review.OPEN_STATES,
        "decision_support": DECISION_SUPPORT,
    }
    return render(request, "candidacy/reviews/review_detail.html", context, status=status)


@require_GET
@access_logged("Review page", reason=REVIEW)
@review_view("candidacy.view_review")
def review_detail(request, review):
    return _render_detail(request, review)


def _stale(request, form, review) -> bool:
    if form.cleaned_data["review"] != review.pk:
        messages.error(request, services.REVIEW_CHANGED)
        return True
    return False


def _back(review):
    return redirect("reviews:detail", public_id=review.patient.public_id)


@require_POST
@access_logged("Review: assign", reason=REVIEW)
@review_view("candidacy.change_review")
def review_assign(request, review):
    """Both "Assign to me" (a hidden assignee: oneself) and "Assign" (a colleague from the list) post here."""
    form = AssignForm(request.POST, review=review)
    if not form.is_valid():
        if "assignee" in form.errors:
            messages.error(request, services.ASSIGNEE_NOT_COORDINATOR)
            return _back(review)
        return HttpResponseBadRequest("Invalid form.")
    if _stale(request, form, review):
        return _back(review)
    try:
        review = services.review_assign(
            review=review, assignee=form.cleaned_data["assignee"], by=request.user
        )
    except services.ReviewError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, services.ASSIGNED.format(name=display_name(review.assignee)))
    return _back(review)


@require_POST
@access_logged("Review: start", reason=REVIEW)
@review_view("candidacy.change_review")
def review_start(request, review):
    form = ReviewStepForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid form.")
    if _stale(request, form, review):
        return _back(review)
    try:
        services.review_start(review=review, by=request.user)
    except services.ReviewError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, services.STARTED)
    return _back(review)


@require_POST
@access_logged("Review: decision", reason=REVIEW)
@review_view("candidacy.change_review")
def review_decide(request, review):
    screening = Screening.objects.of_patient(review.patient_id)
    band, stale = (screening.band if screening else ""), staleness_of(screening, review.patient)
    form = DecisionForm(request.POST, review=review, band=band, stale=stale)
    if not form.is_valid():
        return _render_detail(request, review, decision_form=form, status=400)
    if _stale(request, form, review):
        return _back(review)
    data = form.cleaned_data
    try:
        review = services.review_decide(
            review=review,
            decision=data["decision"],
            by=request.user,
            reason=data["reason"],
            re_review_on=data["re_review_on"],
        )
    except services.DecisionIncomplete as error:
        # Errors beside the fields at fault, and named in the summary at the top of the form.
        for field, message in error.errors.items():
            form.add_error(field, message)
        return _render_detail(request, review, decision_form=form, status=400)
    except services.ReviewError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, services.DECIDED.format(state=review.get_state_display()))
    return _back(review)


@require_POST
@access_logged("Review: note", reason=REVIEW)
@review_view("candidacy.add_reviewnote")
def review_note(request, review):
    form = NoteForm(request.POST, review=review)
    if not form.is_valid():
        return _render_detail(request, review, note_form=form, status=400)
    if _stale(request, form, review):
        return _back(review)
    parent = None
    if form.cleaned_data["parent"]:
        parent = review.notes.filter(pk=form.cleaned_data["parent"]).first()
        if parent is None:
            messages.error(request, services.NOTE_PARENT_INVALID)
            return _back(review)
    try:
        services.review_add_note(
            review=review, text=form.cleaned_data["text"], by=request.user, parent=parent
        )
    except services.ReviewError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, services.NOTE_ADDED)
    return _back(review)


@require_POST
@access_logged("Review: reopen", reason=REVIEW)
@review_view("candidacy.change_review")
def review_reopen(request, review):
    """A decision taken back into review, with the reason in the audit trail."""
    form = ReopenForm(request.POST, review=review)
    if not form.is_valid():
        return _render_detail(request, review, reopen_form=form, status=400)
    if _stale(request, form, review):
        return _back(review)
    try:
        services.review_reopen(review=review, by=request.user, reason=form.cleaned_data["reason"])
    except services.ReviewError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, services.REOPENED)
    return _back(review)
