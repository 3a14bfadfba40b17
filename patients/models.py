"""The patient record: who, what disease, dated assessments, comorbidities, treatments.

Every query for patients goes through ``Patient.objects.visible_to(user)`` (the user's centres,
superusers included: clinical pages are for staff of a centre). Changes are kept by simple-history.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from simple_history.models import HistoricalRecords

from common.vocabulary import COMORBIDITY_ITEMS

from . import items as item_catalogue
from .access import centre_ids
from .relapses import Relapse as Relapse  # defined beside its checks, collected here for Django

OLDEST_PLAUSIBLE_AGE_YEARS = 120


class CentreQuerySet(models.QuerySet):
    def of_user(self, user) -> CentreQuerySet:
        """The user's centres (patients/access.py)."""
        return self.filter(pk__in=centre_ids(user))


class Centre(models.Model):
    class Kind(models.TextChoices):
        TRANSPLANT = "transplant", "Transplant centre"
        REFERRING = "referring", "Referring hospital"

    code = models.SlugField(
        max_length=20, unique=True, help_text="Short code, used as --centre CODE."
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRANSPLANT)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="centres", blank=True)
    history = HistoricalRecords()

    objects = CentreQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Disease(models.Model):
    """Reference table of diseases, seeded by a data migration, with their codes."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    group = models.CharField(
        max_length=20, help_text="Disease group the rules engine reads, e.g. ms."
    )
    subtype = models.CharField(
        max_length=20, blank=True, help_text="Subtype within the group, e.g. rr."
    )
    snomed_codes = models.CharField(
        max_length=200, blank=True, help_text="SNOMED CT codes, comma-separated."
    )
    icd10_codes = models.CharField(
        max_length=200, blank=True, help_text="ICD-10 codes or prefixes, comma-separated."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Therapy(models.Model):
    """Reference list of therapies with their class and RxNorm ingredient codes."""

    class TherapyClass(models.TextChoices):
        MS_DMT_LOWER = "ms_dmt_lower", "MS DMT, lower efficacy"
        MS_DMT_MODERATE = "ms_dmt_moderate", "MS DMT, moderate efficacy"
        MS_DMT_HIGH = "ms_dmt_high", "MS DMT, high efficacy"
        IMMUNOSUPPRESSANT = "immunosuppressant", "Immunosuppressant"
        BIOLOGIC = "biologic", "Biologic"
        JAK_INHIBITOR = "jak_inhibitor", "JAK inhibitor"
        CORTICOSTEROID = "corticosteroid", "Corticosteroid"
        AA_IST = "aa_ist", "Aplastic anaemia IST"
        OTHER = "other", "Other"

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    therapy_class = models.CharField(max_length=30, choices=TherapyClass.choices)
    rxnorm_codes = models.CharField(
        max_length=200, blank=True, help_text="RxNorm ingredient codes, comma-separated."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "therapies"

    def __str__(self):
        return f"{self.name} ({self.get_therapy_class_display()})"


class PatientQuerySet(models.QuerySet):
    def visible_to(self, user) -> PatientQuerySet:
        """The only way views reach patients: those of the user's centres (patients/access.py)."""
        return self.filter(centre_id__in=centre_ids(user))

    def living(self) -> PatientQuerySet:
        """Patients not known to be deceased (the same rule as Patient.is_deceased)."""
        return self.filter(deceased=False, death_date__isnull=True)

    def search(self, text: str) -> PatientQuerySet:
        if not (text := text.strip()):
            return self
        query = Q(mrn__iexact=text)  # each an index condition (patients migration 0010)
        for word in text.split():
            query |= Q(family_name__icontains=word) | Q(given_name__icontains=word)
        return self.filter(query)


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Unknown"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=40)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    death_date = models.DateField(null=True, blank=True)
    deceased = models.BooleanField(
        default=False, help_text="Known deceased, with or without a date."
    )
    disease = models.ForeignKey(
        Disease, on_delete=models.PROTECT, null=True, blank=True, related_name="patients"
    )
    diagnosis_date = models.DateField("date of onset or diagnosis", null=True, blank=True)
    fhir_id = models.CharField(
        max_length=64, blank=True, help_text="The id of the Patient resource it was imported from."
    )

    # HCT-CI comorbidities (Sorror 2005), as the clinician records them: yes, no, or not assessed.
    arrhythmia = models.BooleanField(
        "arrhythmia (AF/flutter, sick sinus, ventricular)", null=True, blank=True
    )
    cardiac = models.BooleanField(
        "cardiac (coronary disease, heart failure, myocardial infarction)", null=True, blank=True
    )
    ibd = models.BooleanField("inflammatory bowel disease", null=True, blank=True)
    diabetes = models.BooleanField(
        "diabetes treated with insulin or oral agents", null=True, blank=True
    )
    cerebrovascular = models.BooleanField(
        "cerebrovascular disease (TIA or stroke)", null=True, blank=True
    )
    psychiatric = models.BooleanField(
        "depression or anxiety needing treatment", null=True, blank=True
    )
    chronic_hepatitis = models.BooleanField(null=True, blank=True)
    cirrhosis = models.BooleanField(null=True, blank=True)
    infection = models.BooleanField(
        "infection needing continued antimicrobial treatment", null=True, blank=True
    )
    rheumatologic = models.BooleanField(
        "rheumatologic (SLE, RA, polymyositis, MCTD, PMR)", null=True, blank=True
    )
    peptic_ulcer = models.BooleanField("peptic ulcer needing treatment", null=True, blank=True)
    renal_dialysis_or_transplant = models.BooleanField(
        "on dialysis or prior renal transplant", null=True, blank=True
    )
    dyspnoea_slight_activity = models.BooleanField(
        "dyspnoea on slight activity", null=True, blank=True
    )
    dyspnoea_at_rest_or_oxygen = models.BooleanField(
        "dyspnoea at rest or needs oxygen", null=True, blank=True
    )
    prior_solid_tumour = models.BooleanField(
        "prior solid tumour (not non-melanoma skin cancer)", null=True, blank=True
    )
    heart_valve_disease = models.BooleanField(
        "heart valve disease (not mitral valve prolapse)", null=True, blank=True
    )
    record_version = models.PositiveIntegerField(default=1, editable=False)  # patients.services
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "record_version"])
    _change_reason: str  # set before save() or delete(): simple_history's reason for the row

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "mrn"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "mrn"], name="patient_mrn_unique_in_centre"),
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            # CDS Hooks calls find the patient by the EHR's id within the client's centres.
            models.Index(fields=["centre", "fhir_id"], name="patient_fhir_id_by_centre"),
            models.Index(Upper("mrn"), name="patient_mrn_any_case"),  # for mrn__iexact
        ]

    def __str__(self):
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_deceased(self) -> bool:
        return self.deceased or self.death_date is not None

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    @property
    def age(self) -> int:
        end = self.death_date or timezone.localdate()
        return self.age_on(end)

    def comorbidities(self) -> dict[str, bool | None]:
        return {key: getattr(self, key) for key in COMORBIDITY_ITEMS}

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.birth_date:
            if self.birth_date > today:
                errors["birth_date"] = "The date of birth cannot be in the future."
            elif self.age_on(today) > OLDEST_PLAUSIBLE_AGE_YEARS:
                errors["birth_date"] = (
                    f"A date of birth more than {OLDEST_PLAUSIBLE_AGE_YEARS} years ago is not plausible."
                )
        for field in ("death_date", "diagnosis_date"):
            value = getattr(self, field)
            if value is None:
                continue
            if value > today:
                errors[field] = "This date cannot be in the future."
            elif self.birth_date and value < self.birth_date:
                errors[field] = "This date cannot be before the date of birth."
        if errors:
            raise ValidationError(errors)

    def latest_values(self) -> dict[str, AssessmentValue]:
        """The latest valid value of each item, with its assessment (and so its date)."""
        latest: dict[str, AssessmentValue] = {}
        values = (
            AssessmentValue.objects.filter(
                assessment__patient=self, assessment__entered_in_error=False
            )
            .select_related("assessment")
            .order_by("-assessment__taken_on", "-assessment__created_at", "-id")
        )
        for value in values:
            latest.setdefault(value.item, value)
        return latest


class Assessment(models.Model):
    """A dated set of values taken together (a clinic visit, a lab panel, an echo)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="assessments")
    taken_on = models.DateField("date taken")
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_in_error = models.BooleanField(default=False)
    error_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submission_key = models.UUIDField(null=True, unique=True, editable=False)  # one row per submit
    history = HistoricalRecords()

    class Meta:
        ordering = ["-taken_on", "-created_at"]
        indexes = [models.Index(fields=["patient", "-taken_on"])]

    def __str__(self):
        return f"Assessment of {self.taken_on:%d %b %Y}"

    def mark_entered_in_error(self, *, reason: str) -> None:
        self.entered_in_error, self.error_reason = True, reason
        self.save(update_fields=["entered_in_error", "error_reason"])


class AssessmentValue(models.Model):
    """One item of an assessment, stored in the catalogue's unit (patients/items.py)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="values")
    item = models.CharField(
        max_length=40, choices=[(k, i.label) for k, i in item_catalogue.ITEMS.items()]
    )
    value = models.FloatField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "item"], name="one_value_per_item_per_assessment"
            ),
        ]

    def __str__(self):
        return f"{self.get_item_display()}: {self.display}"

    @property
    def display(self) -> str:
        return item_catalogue.display_value(self.item, self.value)

    def clean(self):
        message = item_catalogue.ITEMS[self.item].validate(self.value)
        if message:
            raise ValidationError({"value": message})


class PriorTreatment(models.Model):
    class Outcome(models.TextChoices):
        ONGOING = "ongoing", "Ongoing"
        INADEQUATE_RESPONSE = "inadequate_response", "Inadequate response"
        INTOLERANCE = "intolerance", "Intolerance"
        COMPLETED = "completed", "Completed"
        UNKNOWN = "unknown", "Unknown"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="treatments")
    therapy = models.ForeignKey(Therapy, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, default=Outcome.UNKNOWN)
    stop_reason = models.CharField("reason stopped", max_length=300, blank=True)
    history = HistoricalRecords()
    _change_reason: str  # set before save() or delete(): simple_history's reason for the row

    class Meta:
        ordering = ["start_date", "id"]

    def __str__(self):
        return f"{self.therapy.name} from {self.start_date or 'unknown date'}"

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.start_date and self.start_date > today:
            errors["start_date"] = "The start cannot be in the future."
        if self.end_date and self.end_date > today:
            errors["end_date"] = "The end cannot be in the future."
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end cannot be before the start."
        if self.outcome == self.Outcome.ONGOING and self.end_date:
            errors["outcome"] = "An ongoing treatment has no end date."
        if errors:
            raise ValidationError(errors)


class ImportRun(models.Model):
    """One run of the FHIR importer (patients/fhir/importer.py): who, when, where, and its report."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload"
        COMMAND = "command", "Command"

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="import_runs")
    source = models.CharField(max_length=10, choices=Source.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField(default=0)
    bundles = models.PositiveIntegerField(default=0)
    bundles_failed = models.PositiveIntegerField(default=0)
    patients_created = models.PositiveIntegerField(default=0)
    patients_updated = models.PositiveIntegerField(default=0)
    resources_mapped = models.PositiveIntegerField(default=0)
    resources_skipped = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, help_text="One report per bundle, in the order given.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"FHIR import {self.pk} into {self.centre.code} ({self.bundles} bundles)"
