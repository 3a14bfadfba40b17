"""Forms for the patient record. Every value a user sends passes through one."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from common.concurrency import OptimisticModelForm, sign, unsign
from common.formsets import CappedInlineFormSet
from common.typed import form_field
from common.vocabulary import COMORBIDITY_ITEMS

from . import items as catalogue
from .entry import NONE_OF_THESE, none_of_these, number_attrs
from .models import Centre, Patient, PriorTreatment, Relapse
from .relapses import ONSET_TWICE
from .therapy_choices import therapy_choices

NOT_RECORDED = "Not recorded"
BOOLEAN_CHOICES = [("", NOT_RECORDED), ("1", "Yes"), ("0", "No")]
NO_VALUES_MESSAGE = "Enter at least one value."
RECORDED_MEANWHILE = (
    "Another assessment of this patient was recorded while you were filling in this form "
    "(below). Save again to record yours as well, or cancel if it is the same one."
)
RELAPSE_WINDOW_MESSAGE = "Relapses in 24 months cannot be fewer than relapses in 12 months."


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError("This date cannot be in the future.")


class PatientSearchForm(forms.Form):
    q = forms.CharField(label="Name or MRN", max_length=100, required=False)
    page = forms.IntegerField(min_value=1, max_value=1_000_000, required=False)


COMORBIDITY_FIELDS = list(COMORBIDITY_ITEMS)


class PatientForm(OptimisticModelForm):
    class Meta:
        model = Patient
        fields = [
            "centre",
            "mrn",
            "given_name",
            "family_name",
            "birth_date",
            "sex",
            "deceased",
            "death_date",
            "disease",
            "diagnosis_date",
            *COMORBIDITY_FIELDS,
        ]
        widgets = {
            "birth_date": DateInput(),
            "death_date": DateInput(),
            "diagnosis_date": DateInput(),
            **{
                name: forms.NullBooleanSelect(attrs={"data-comorbidity": name})
                for name in COMORBIDITY_FIELDS
            },
        }
        help_texts = {
            name: "HCT-CI item (Sorror 2005). Leave as Unknown if not assessed."
            for name in COMORBIDITY_FIELDS
        }

    sections = (
        (
            "Identity",
            [
                "centre",
                "mrn",
                "given_name",
                "family_name",
                "birth_date",
                "sex",
                "deceased",
                "death_date",
            ],
        ),
        ("Diagnosis", ["disease", "diagnosis_date"]),
        ("Comorbidities (HCT-CI)", [NONE_OF_THESE, *COMORBIDITY_FIELDS]),
    )

    none_of_these = forms.BooleanField(
        label="None of these",
        required=False,
        help_text="The patient has none of the comorbidities below: every one left as Unknown "
        "is saved as No.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        centres = Centre.objects.of_user(user)
        centre = form_field(self, "centre", forms.ModelChoiceField)
        centre.queryset = centres
        if centres.count() == 1 and not self.instance.pk:
            centre.initial = centres.first()
        self.fields["diagnosis_date"].help_text = "Date of onset or diagnosis."
        self.fields["birth_date"].help_text = "Age is worked out from it."

    def clean(self):
        super().clean()
        return none_of_these(self, COMORBIDITY_FIELDS)

    def field_sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.sections]


class AssessmentForm(forms.Form):
    """A dated assessment with a field per catalogue item; blank items are not recorded."""

    taken_on = forms.DateField(label="Date taken", widget=DateInput(), validators=[not_in_future])
    note = forms.CharField(max_length=500, required=False)

    # One key per opened form: a resubmit stores nothing new (services.assessment_record).
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # The patient's newest assessment when the form opened, signed (common/concurrency.py).
    edit_base = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.recorded_meanwhile: list = []
        self.fields["taken_on"].initial = timezone.localdate()
        self.fields["submission_key"].initial = uuid.uuid4
        newest = patient.assessments.order_by("-pk").values_list("pk", flat=True).first()
        self.fields["edit_base"].initial = sign({"newest": newest or 0})
        for section in catalogue.SECTIONS:
            for item in section.items:
                self.fields[item.key] = self._field_for(item)
                if item.key in catalogue.UNIT_CONVERSIONS:
                    units = list(catalogue.UNIT_CONVERSIONS[item.key])
                    self.fields[f"{item.key}_unit"] = forms.ChoiceField(
                        label="Unit",
                        choices=[(u, u) for u in units],
                        initial=units[0],
                        required=False,
                    )

    @staticmethod
    def _field_for(item: catalogue.Item) -> forms.Field:
        if item.boolean or item.choices:
            choices = BOOLEAN_CHOICES
            if item.choices:
                choices = [("", NOT_RECORDED)] + [
                    (f"{value:g}", word.capitalize()) for value, word in item.choices
                ]
            return forms.TypedChoiceField(
                label=item.label,
                choices=choices,
                required=False,
                coerce=float,
                empty_value=None,
                help_text=item.help,
            )
        return forms.FloatField(
            label=f"{item.label} ({item.unit})" if item.unit else item.label,
            required=False,
            help_text=f"{item.range_text}. {item.help}".strip(),
            widget=forms.NumberInput(attrs=number_attrs(item)),
        )

    def sections(self):
        """Sections with their bound fields, open when the patient's disease needs them."""
        group = self.patient.disease.group if self.patient.disease else None
        result = []
        for section, is_open in catalogue.sections_for(group):
            rows = []
            for item in section.items:
                unit_field = (
                    self[f"{item.key}_unit"] if item.key in catalogue.UNIT_CONVERSIONS else None
                )
                rows.append((self[item.key], item, unit_field))
            has_errors = any(self[item.key].errors for item in section.items)
            result.append((section, is_open or has_errors, rows))
        return result

    def clean_taken_on(self):
        taken_on = self.cleaned_data["taken_on"]
        if taken_on < self.patient.birth_date:
            raise ValidationError("The date cannot be before the patient's date of birth.")
        return taken_on

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns, typed without its Optional
        values = {}
        for key, item in catalogue.ITEMS.items():
            value = cleaned.get(key)
            if value is None:
                continue
            if key in catalogue.UNIT_CONVERSIONS:
                unit = cleaned.get(f"{key}_unit") or next(iter(catalogue.UNIT_CONVERSIONS[key]))
                value = round(value * catalogue.UNIT_CONVERSIONS[key][unit], 4)
            message = item.validate(value)
            if message:
                self.add_error(key, message)
                continue
            values[key] = value
        if (
            "relapses_12m" in values
            and "relapses_24m" in values
            and values["relapses_24m"] < values["relapses_12m"]
        ):
            self.add_error("relapses_24m", RELAPSE_WINDOW_MESSAGE)
        if not values and not self.errors:
            raise ValidationError(NO_VALUES_MESSAGE)
        cleaned["values"] = values
        if not self.errors:
            self._check_recorded_meanwhile(cleaned.get("submission_key"))
        return cleaned

    def _check_recorded_meanwhile(self, key) -> None:
        """Another assessment stored since the form opened (not this form's own resubmit) is
        shown before this one is stored: two clinicians may be entering the same visit."""
        base = unsign(self.data.get("edit_base"))
        if base is None:
            return  # a new assessment overwrites nothing: without a base there is no warning
        meanwhile = self.patient.assessments.filter(pk__gt=base["newest"])
        if key is not None:
            meanwhile = meanwhile.exclude(submission_key=key)
        self.recorded_meanwhile = list(meanwhile.prefetch_related("values").order_by("pk"))
        if self.recorded_meanwhile:
            data = QueryDict(mutable=True)
            data.update(self.data)
            data["edit_base"] = sign({"newest": self.recorded_meanwhile[-1].pk})
            self.data = data  # saving again records this one as well, knowingly
            raise ValidationError(RECORDED_MEANWHILE)


class MarkInErrorForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PriorTreatmentForm(OptimisticModelForm):
    class Meta:
        model = PriorTreatment
        fields = ["therapy", "start_date", "end_date", "outcome", "stop_reason"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, therapies=None, disease=None, **kwargs):
        super().__init__(*args, **kwargs)
        if therapies is not None:
            form_field(self, "therapy", forms.ModelChoiceField).choices = therapy_choices(
                therapies, disease
            )
        if self.instance.pk:
            start = self.instance.start_date
            self.conflict_label = f"{self.instance.therapy}" + (
                f" from {start:%d %b %Y}" if start else ""
            )


PriorTreatmentFormSet = forms.inlineformset_factory(
    Patient,
    PriorTreatment,
    form=PriorTreatmentForm,
    formset=CappedInlineFormSet,
    extra=2,
    can_delete=True,
    max_num=60,
    absolute_max=60,  # Django's default is max_num + 1000 forms built from a forged count
    validate_max=True,
)


class RelapseForm(forms.ModelForm):
    class Meta:
        model = Relapse
        fields = ["onset", "note"]
        widgets = {"onset": DateInput()}
        help_texts = {"onset": "The day the relapse began."}


class BaseRelapseFormSet(CappedInlineFormSet):
    def clean(self):
        """One relapse per day, counting the rows already stored that the page did not post.

        The database constraint has the patient in it, which an inline form leaves out of its
        own checks, so without this a second relapse on a stored day would fail on saving.
        """
        super().clean()
        posted = {form.instance.pk for form in self.forms if form.instance.pk}
        taken = set(
            Relapse.objects.filter(patient=self.instance)
            .exclude(pk__in=posted)
            .values_list("onset", flat=True)
        )
        for form in self.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            onset = form.cleaned_data.get("onset")
            if onset is None:
                continue
            if onset in taken:
                form.add_error("onset", ONSET_TWICE)
            taken.add(onset)


MAX_RELAPSES = 100  # far more than any record; keeps a forged TOTAL_FORMS from building more

RelapseFormSet = forms.inlineformset_factory(
    Patient,
    Relapse,
    form=RelapseForm,
    formset=BaseRelapseFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_RELAPSES,
    absolute_max=MAX_RELAPSES,
    validate_max=True,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class FhirUploadForm(forms.Form):
    """One or several FHIR bundle files (JSON) to import into one of the user's centres."""

    # An upload is read and written within the request, and gunicorn gives a request 60 s: 10 bundles of
    # up to 5 MB stay well inside it (a Synthea bundle is at most 2.6 MB; import_fhir takes larger batches).
    MAX_FILES = 10
    MAX_FILE_MB = 5
    MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
    LIMITS = f"Up to {MAX_FILES} files at a time, each at most {MAX_FILE_MB} MB."
    TOO_MANY_MESSAGE = f"Upload at most {MAX_FILES} files at a time."
    TOO_LARGE_MESSAGE = "{name} is larger than " + f"{MAX_FILE_MB} MB."

    centre = forms.ModelChoiceField(queryset=Centre.objects.none())
    # Declared fields leave the class for base_fields, so this does not replace BaseForm.files (the
    # request's uploads); django-stubs sees a class attribute of another type.
    files = MultipleFileField(label="FHIR bundles (JSON)", help_text=LIMITS)  # type: ignore[assignment]

    none_of_these = forms.BooleanField(
        label="None of these",
        required=False,
        help_text="The patient has none of the comorbidities below: every one left as Unknown "
        "is saved as No.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        centres = Centre.objects.of_user(user)
        centre = form_field(self, "centre", forms.ModelChoiceField)
        centre.queryset = centres
        if centres.count() == 1:
            centre.initial = centres.first()

    def clean_files(self):
        files = self.cleaned_data["files"]
        errors = [ValidationError(self.TOO_MANY_MESSAGE)] if len(files) > self.MAX_FILES else []
        errors += [
            ValidationError(self.TOO_LARGE_MESSAGE.format(name=upload.name))
            for upload in files
            if upload.size > self.MAX_FILE_BYTES
        ]
        if errors:
            raise ValidationError(errors)  # beside the field; nothing of the upload is imported
        return files
