"""Attaching a file to a referral, and the one view that hands a stored file out.

Both sides of the referral may read its attachments; each read is logged against the patient,
with the file's name, like any other read of the record.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from patients.audit.log import access_logged, clip, note_access

from ..interop.fhir import FHIR_JSON
from . import services
from .attachments import ReferralAttachment
from .fhir import letter_communication
from .forms import AttachmentForm
from .views import _render_detail, _visible_referral


@require_POST
@access_logged("Referral attachment upload")
def referral_attach(request, referral_id):
    referral = _visible_referral(request, referral_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            _, message = services.referral_attach(
                referral=referral,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                content_type=form.content_type,
                by=request.user,
            )
        except services.ReferralError as error:
            form.add_error(None, str(error))
    if form.errors:
        return _render_detail(request, referral, attachment_form=form, status=400)
    messages.success(request, message)
    return redirect("referrals:detail", referral_id=referral.public_id)


@require_GET
@permission_required("candidacy.view_referral", raise_exception=True)
@access_logged("Referral attachment")
def referral_attachment(request, referral_id, attachment_id):
    referral = _visible_referral(request, referral_id)
    attachment = get_object_or_404(
        ReferralAttachment.objects.filter(referral=referral), public_id=attachment_id
    )
    note_access(request, what=clip(f"Referral attachment: {attachment.name}", 200))
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        filename=attachment.name,
        as_attachment=False,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@permission_required("candidacy.view_referral", raise_exception=True)
@access_logged("FHIR Communication: referral letter")
def referral_letter_fhir(request, referral_id):
    """The letter as a FHIR Communication, for the referring hospital's EHR."""
    referral = _visible_referral(request, referral_id)
    return HttpResponse(letter_communication(referral).model_dump_json(), content_type=FHIR_JSON)
