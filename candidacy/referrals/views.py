"""Referral pages. Thin: scope, permission, form, service, redirect or render.

Scope first: a referral neither side of which is the user's centre is a 404. The services
check which side may take which step.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from patients.access import centre_ids, is_own_patient
from patients.audit.log import CARE, REFERRAL, Action, access_logged, note_access
from patients.views import visible_patient

from . import services
from .attachments import ReferralAttachment
from .forms import AttachmentForm, ReferralForm, StepForm, WithdrawForm
from .letter import build_letter
from .models import Referral
from .reminders import overdue, received_waits
from .selectors import referral_readers, with_people

REFERRALS_SHOWN = 200
# The wait panel counts the referrals of the last year: this year's pace, not history's.


@access_logged("Referral form")
@permission_required("candidacy.add_referral", raise_exception=True)
def referral_new(request, public_id):
    patient = visible_patient(request, public_id)
    if not is_own_patient(request.user, patient):
        raise Http404("You can refer only patients of your own centre.")
    form = ReferralForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(
                patient=patient,
                to_centre=form.cleaned_data["to_centre"],
                message=form.cleaned_data["message"],
                by=request.user,
            )
        except services.ReferralError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                services.REFERRED.format(patient=patient.name, centre=referral.to_centre.name),
            )
            return redirect("referrals:detail", referral_id=referral.public_id)
    status = 400 if form.errors else 200
    return render(
        request,
        "candidacy/referrals/referral_form.html",
        {"form": form, "patient": patient},
        status=status,
    )


@require_GET
@permission_required("candidacy.view_referral", raise_exception=True)
@access_logged("Referrals received", action=Action.LIST)
def referral_queue(request):
    show_all = request.GET.get("show") == "all"
    referrals = with_people(Referral.objects.received_by(request.user))
    if not show_all:
        referrals = referrals.open()
    received = Referral.objects.received_by(request.user)
    waits = received_waits(request.user)
    return render(
        request,
        "candidacy/referrals/referral_queue.html",
        {
            "referrals": referrals[:REFERRALS_SHOWN],
            "show_all": show_all,
            "waits": waits,
            "chart_data": {"waits": waits},
            "wait_limit": settings.CANDIDACY_REFERRAL_WAIT_DAYS,
            "overdue_count": overdue(received).count(),
            "stale_count": received.open().exclude(stale_reminded_for="").count(),
        },
    )


@require_GET
@permission_required("candidacy.view_referral", raise_exception=True)
@access_logged("My referrals", action=Action.LIST)
def referral_mine(request):
    referrals = with_people(Referral.objects.filter(referred_by=request.user))
    return render(
        request,
        "candidacy/referrals/referral_mine.html",
        {"referrals": referrals[:REFERRALS_SHOWN]},
    )


def _visible_referral(request, referral_id) -> Referral:
    referral = get_object_or_404(
        with_people(Referral.objects.visible_to(request.user)), public_id=referral_id
    )
    receiving = referral.to_centre_id in centre_ids(request.user)
    reason = REFERRAL if receiving and not is_own_patient(request.user, referral.patient) else CARE
    note_access(request, patient=referral.patient, reason=reason)
    return referral


def _render_detail(
    request, referral, *, step_form=None, withdraw_form=None, attachment_form=None, status=200
):
    user = request.user
    initial = {"seen_status": referral.status}
    context = {
        "referral": referral,
        "patient": referral.patient,
        "steps": referral.steps.select_related("actor"),
        "readers": referral_readers(referral),
        "stale": build_letter(referral).stale if referral.is_open else [],
        "next_steps": services.NEXT_STEPS.get(referral.status, ()),
        "can_step": referral.is_open
        and referral.to_centre_id in centre_ids(user)
        and user.has_perm("candidacy.change_referral"),
        "can_withdraw": referral.is_open
        and referral.from_centre_id in centre_ids(user)
        and user.has_perm("candidacy.add_referral"),
        "step_form": step_form or StepForm(initial=initial),
        "withdraw_form": withdraw_form or WithdrawForm(initial=initial),
        "attachments": ReferralAttachment.objects.filter(referral=referral).select_related(
            "uploaded_by"
        ),
        "can_attach": referral.is_open
        and (
            (
                referral.from_centre_id in centre_ids(user)
                and user.has_perm("candidacy.add_referral")
            )
            or (
                referral.to_centre_id in centre_ids(user)
                and user.has_perm("candidacy.change_referral")
            )
        ),
        "attachment_form": attachment_form or AttachmentForm(),
    }
    return render(request, "candidacy/referrals/referral_detail.html", context, status=status)


@require_GET
@permission_required("candidacy.view_referral", raise_exception=True)
@access_logged("Referral")
def referral_detail(request, referral_id):
    return _render_detail(request, _visible_referral(request, referral_id))


@require_POST
@permission_required("candidacy.change_referral", raise_exception=True)
@access_logged("Referral step")
def referral_step(request, referral_id):
    referral = _visible_referral(request, referral_id)
    form = StepForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.referral_step(
                referral=referral,
                to_status=data["to_status"],
                by=request.user,
                seen_status=data["seen_status"],
                committee_on=data["committee_on"],
                outcome=data["outcome"],
                reason=data["reason"],
                deferred_until=data["deferred_until"],
            )
        except services.ReferralError as error:
            form.add_error(None, str(error))
    if form.errors:
        return _render_detail(request, referral, step_form=form, status=400)
    referral.refresh_from_db()
    messages.success(request, services.STEP_TAKEN.format(status=referral.get_status_display()))
    return redirect("referrals:detail", referral_id=referral.public_id)


@require_POST
@permission_required("candidacy.add_referral", raise_exception=True)
@access_logged("Referral withdrawal")
def referral_withdraw(request, referral_id):
    referral = _visible_referral(request, referral_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.referral_withdraw(
                referral=referral,
                by=request.user,
                reason=form.cleaned_data["reason"],
                seen_status=form.cleaned_data["seen_status"],
            )
        except services.ReferralError as error:
            form.add_error(None, str(error))
    if form.errors:
        return _render_detail(request, referral, withdraw_form=form, status=400)
    messages.success(request, services.WITHDRAWN)
    return redirect("referrals:detail", referral_id=referral.public_id)


@require_GET
@permission_required("candidacy.view_referral", raise_exception=True)
@access_logged("Referral letter")
def referral_letter(request, referral_id):
    """The one-page letter for the referring doctor, printable."""
    referral = _visible_referral(request, referral_id)
    return render(
        request, "candidacy/referrals/referral_letter.html", {"letter": build_letter(referral)}
    )
