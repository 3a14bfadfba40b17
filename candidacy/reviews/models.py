"""Coordinator reviews: one flag-to-decision cycle per Review, its notes and its audit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery

from patients.access import centre_ids
from patients.audit.models import AppendOnlyModel
from patients.models import Centre, Patient

from ..screening.models import Screening


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reviews of the user's centres only (the same rule as patients and screenings).

        The patient's own centre too: a patient who moved leaves the old centre's queue at once.
        """
        centres = centre_ids(user)
        return self.filter(centre_id__in=centres, patient__centre_id__in=centres)

    def open(self):
        return self.filter(state__in=Review.OPEN_STATES)

    def newest_first(self):
        """Newest flag first; the id breaks ties between flags raised in one transaction."""
        return self.order_by("-flagged_at", "-pk")

    def latest_per_patient(self):
        """Each patient's latest review (the one their review state is)."""
        latest = (
            Review.objects.filter(patient_id=OuterRef("patient_id")).newest_first().values("pk")[:1]
        )
        return self.filter(pk=Subquery(latest))


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
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_reviews",
    )
    flagged_at = models.DateTimeField(auto_now_add=True)
    flag_screening = models.ForeignKey(
        Screening,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The screening that raised the flag.",
    )
    decision_screening = models.ForeignKey(
        Screening, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_band = models.CharField(max_length=30, blank=True)
    decision_score = models.PositiveSmallIntegerField(null=True, blank=True)
    decision_ruleset_version = models.CharField(max_length=20, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    re_review_on = models.DateField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-flagged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(state__in=["flagged", "in_review"]),
                name="one_open_review_per_patient",
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
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Note by {self.author} on {self.created_at:%d %b %Y %H:%M}"


class ReviewEvent(AppendOnlyModel):
    """The audit of a review: every state change and assignment, who, when, from, to.

    Append-only, and a link of the hash chain (patients/audit): a decision is never rewritten."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.from_state or 'new'} → {self.to_state} by {self.actor} on {self.created_at:%d %b %Y %H:%M}"
