"""Screenings, coordinator reviews and the audit of exports.

A Screening stores one engine result. A patient has at most one *current* screening
(a partial unique index makes a second impossible, whatever a retried task does);
earlier ones are kept. The current row carries copies of what the worklist sorts and
filters on (centre, disease, band rank, score, name, birth date), so the worklist reads
one indexed table and never scores anything.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from patients.models import Centre, Patient
from rules.models import RuleSet
from rules.ruleset import (
    EXCLUDED,
    INCOMPLETE,
    NOT_INDICATED,
    POSSIBLE,
    STRONG,
    TRIAL_ONLY,
    UNLIKELY,
)

# The worklist ranks by how actionable a band is, candidates first. The design lists bands
# in order of *precedence* (which band applies when several could); ranking a worklist by
# that order would put "Not indicated" on top, so the worklist uses this order instead.
WORKLIST_BAND_ORDER = (STRONG, POSSIBLE, INCOMPLETE, TRIAL_ONLY, UNLIKELY, EXCLUDED, NOT_INDICATED)
BAND_RANK = {band: rank for rank, band in enumerate(WORKLIST_BAND_ORDER)}
CANDIDATE_BANDS = (STRONG, POSSIBLE)


def rank_key(band: str, score: int) -> int:
    """Band first (in worklist order), then the higher score first."""
    return BAND_RANK[band] * 1000 + (100 - score)


class ScreeningQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)

    def visible_to(self, user):
        """Screenings of the user's centres only (the same rule as patients).

        Checks the patient's own centre as well as the screening's copy of it, so a patient
        who moved is gone from the old centre at once, not only after the re-screen.
        """
        if not user.is_authenticated:
            return self.none()
        centres = Centre.objects.filter(members=user).values("pk")
        return self.filter(centre_id__in=centres, patient__centre_id__in=centres)


class Screening(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="screenings")
    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="screenings")
    ruleset_version = models.CharField(max_length=20)
    as_of = models.DateField()
    band = models.CharField(max_length=30)
    band_rank = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    # One ascending number for "band, then score (high first)": keyset pagination can then
    # compare (rank_key, sort_name, patient_id) as a row value against one index.
    rank_key = models.PositiveIntegerField()
    completeness = models.FloatField()
    result = models.JSONField(help_text="The engine result, structured (explanation lines and input facts).")
    inputs_digest = models.CharField(max_length=64, help_text="Hash of the record, rule set and date it was computed from.")
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Copies for the worklist: filters and keyset order without joins.
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    disease_key = models.CharField(max_length=40, blank=True)
    sort_name = models.CharField(max_length=210)
    birth_date = models.DateField()

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(is_current=True), name="one_current_screening_per_patient"
            ),
        ]
        indexes = [
            # The worklist's keyset order, per centre, over current screenings only.
            models.Index(
                fields=["centre", "rank_key", "sort_name", "patient"], condition=Q(is_current=True),
                name="worklist_order_by_centre",
            ),
            models.Index(
                fields=["rank_key", "sort_name", "patient"], condition=Q(is_current=True), name="worklist_order"
            ),
            # The worklist's other keyset orders and its commonest filter (disease, then rank),
            # so that a deep page or a filtered page is an index range scan, not a sort.
            models.Index(
                fields=["centre", "sort_name", "patient"], condition=Q(is_current=True), name="worklist_by_name"
            ),
            models.Index(
                fields=["centre", "-score", "sort_name", "patient"], condition=Q(is_current=True),
                name="worklist_by_score",
            ),
            models.Index(
                fields=["centre", "-created_at", "-patient"], condition=Q(is_current=True), name="worklist_by_screened"
            ),
            models.Index(
                fields=["centre", "disease_key", "rank_key", "sort_name", "patient"], condition=Q(is_current=True),
                name="worklist_by_disease",
            ),
            models.Index(fields=["patient", "-created_at"], name="screening_history"),
            models.Index(fields=["ruleset"], condition=Q(is_current=True), name="current_by_ruleset"),
        ]

    def __str__(self):
        return f"{self.band} {self.score} ({self.as_of:%d %b %Y}, v{self.ruleset_version})"


class RescreenJob(models.Model):
    """A batch re-screen (after publishing, nightly, or from the terminal) and its progress."""

    class Reason(models.TextChoices):
        PUBLISHED = "published", "Rule set published"
        NIGHTLY = "nightly", "Nightly re-screen"
        RECONCILE = "reconcile", "Reconciler"
        MANUAL = "manual", "Started by hand"

    reason = models.CharField(max_length=12, choices=Reason.choices)
    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_reason_display()} of {self.created_at:%d %b %Y %H:%M}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))


class RescreenChunk(models.Model):
    """A chunk of a job that is done. Counted once however often its task was delivered."""

    job = models.ForeignKey(RescreenJob, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    size = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="one_row_per_job_chunk")]

    def __str__(self):
        return f"chunk {self.index} of job {self.job_id}"


class Review(models.Model):
    """A coordinator's work on one flagged candidate, from flag to decision."""

    class State(models.TextChoices):
        FLAGGED = "flagged", "Flagged"
        IN_REVIEW = "in_review", "In review"
        REFERRED = "referred", "Referred for transplant evaluation"
        DEFERRED = "deferred", "Deferred"
        DECLINED = "declined", "Declined"

    OPEN_STATES = (State.FLAGGED, State.IN_REVIEW)

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reviews")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.FLAGGED)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_reviews")
    flagged_at = models.DateTimeField(auto_now_add=True)
    flag_screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="+", help_text="The screening that raised the flag.")
    decision_screening = models.ForeignKey(Screening, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision_band = models.CharField(max_length=30, blank=True)
    decision_score = models.PositiveSmallIntegerField(null=True, blank=True)
    decision_ruleset_version = models.CharField(max_length=20, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    re_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-flagged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(state__in=["flagged", "in_review"]), name="one_open_review_per_patient"
            ),
        ]
        indexes = [
            models.Index(fields=["centre", "state", "-flagged_at"]),
            models.Index(fields=["patient", "-flagged_at"]),
        ]

    def __str__(self):
        return f"Review of {self.patient} ({self.get_state_display()})"


class ReviewNote(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="notes")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Note by {self.author} on {self.created_at:%d %b %Y %H:%M}"


class ReviewEvent(models.Model):
    """The audit of a review: every state change and assignment, who, when, from, to."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.from_state or 'new'} → {self.to_state} by {self.actor} on {self.created_at:%d %b %Y %H:%M}"


class ExportLog(models.Model):
    """Every worklist export: who, when, with which filters, how many rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filters = models.JSONField()
    row_count = models.PositiveIntegerField(default=0)
    finished = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Export by {self.user} on {self.created_at:%d %b %Y %H:%M}: {self.row_count} rows"


class CdsClient(models.Model):
    """An EHR allowed to call the CDS Hooks service (see docs/fhir-export.md).

    The EHR signs every call with its private key; we keep only its public key. It sees
    screenings of the centres listed here and of no other, whatever it asks for.
    Registered by an administrator in Django admin (superusers, or staff given the
    ``candidacy.*_cdsclient`` permissions; no role group has them).
    """

    name = models.CharField(max_length=200, help_text="Who this is, e.g. the EHR of North Transplant Centre.")
    issuer = models.CharField(
        max_length=255, unique=True,
        help_text="The iss claim of the client's tokens (CDS Hooks: its identifier, usually a URL).",
    )
    public_key = models.TextField(
        help_text="The client's public key: a JWK, a JWK Set ({\"keys\": [...]}) or PEM text. "
                  "EC P-384 (ES384) or RSA of 2048 bits or more (RS384). Never a private key.",
    )
    centres = models.ManyToManyField(Centre, related_name="+", blank=True, help_text="The centres whose patients it may see.")
    is_active = models.BooleanField("active", default=True, help_text="Untick to refuse its calls at once.")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()  # who registered or changed which EHR's key, and when

    class Meta:
        ordering = ["name"]
        verbose_name = "CDS Hooks client"

    def __str__(self):
        return f"{self.name} ({self.issuer})"

    def clean(self):
        # Imported here: cds imports this module for the replay table.
        from .cds import CdsKeyError, parse_public_keys

        try:
            parse_public_keys(self.public_key)
        except CdsKeyError as error:
            raise ValidationError({"public_key": str(error)}) from error


class CdsTokenUse(models.Model):
    """A token id (jti) already accepted from a client, kept until the token expires.

    CDS Hooks asks the service to refuse a replayed token; the unique constraint makes a
    second use fail even when two requests race. Rows past ``expires_at`` are deleted as
    new tokens arrive (a replay after that is refused anyway: the token has expired).
    """

    client = models.ForeignKey(CdsClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "jti"], name="cds_token_used_once")]

    def __str__(self):
        return f"{self.jti} until {self.expires_at:%d %b %Y %H:%M:%S}"
