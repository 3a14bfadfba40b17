"""Forms of the referral pages. They parse input; the rules live in candidacy.referrals.services."""

from __future__ import annotations

from django import forms

from patients.models import Centre

from .attachments import ReferralAttachment, check_upload
from .models import Referral

STEP_CHOICES = [
    (status.value, status.label)
    for status in (
        Referral.Status.WORKUP,
        Referral.Status.COMMITTEE,
        Referral.Status.ACCEPTED,
        Referral.Status.DECLINED,
        Referral.Status.DEFERRED,
    )
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReferralForm(forms.Form):
    to_centre = forms.ModelChoiceField(
        queryset=Centre.objects.none(),
        label="Transplant centre",
        empty_label="Choose a transplant centre",
        error_messages={"required": "Choose a transplant centre."},
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        label="Message for the transplant centre",
        help_text="Why you refer the patient, and what you would like to know.",
        error_messages={"required": "Write a message for the transplant centre."},
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["to_centre"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrows the type)
        field.queryset = Centre.objects.filter(kind=Centre.Kind.TRANSPLANT).exclude(
            pk=patient.centre_id
        )


class StepForm(forms.Form):
    """Every step carries the status the page showed, so a stale page cannot act."""

    seen_status = forms.CharField(widget=forms.HiddenInput)
    to_status = forms.ChoiceField(choices=STEP_CHOICES, label="Step")
    committee_on = forms.DateField(required=False, widget=DATE, label="Committee date")
    outcome = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Committee outcome",
    )
    reason = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason or note",
    )
    deferred_until = forms.DateField(required=False, widget=DATE, label="Deferred until")


class WithdrawForm(forms.Form):
    seen_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why withdraw",
        error_messages={"required": "Say why the referral is withdrawn."},
    )


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(choices=ReferralAttachment.Kind.choices, label="What it is")
    file = forms.FileField(
        label="File (PDF, PNG or JPEG)",
        error_messages={"required": "Choose the file to attach."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.content_type = check_upload(upload)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return upload
