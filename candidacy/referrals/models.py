"""A referral: a patient sent from a referring hospital to a transplant centre, and its steps.

Received -> accepted for work-up -> discussed at committee -> accepted for transplant, declined
or deferred; withdrawn by the referring side at any open step. Each step is a ReferralStep
(append-only: who, when, from, to, what was said), and the referral keeps its history.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from patients.access import centre_ids
from patients.audit.models import AppendOnlyModel
from patients.models import Centre, Patient

from ..screening.models import Screening


class ReferralQuerySet(models.QuerySet):
    def received_by(self, user):
        """Referrals to the user's centres (the transplant centre's queue)."""
        return self.filter(to_centre_id__in=centre_ids(user))

    def sent_by(self, user):
        """Referrals from the user's centres (the referring hospital's side)."""
        return self.filter(from_centre_id__in=centre_ids(user))

    def visible_to(self, user):
        """Either side of the referral; nobody else learns that it exists."""
        centres = centre_ids(user)
        return self.filter(Q(to_centre_id__in=centres) | Q(from_centre_id__in=centres))

    def open(self):
        return self.filter(status__in=Referral.OPEN_STATUSES)


class Referral(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        WORKUP = "workup", "Accepted for work-up"
        COMMITTEE = "committee", "Discussed at committee"
        ACCEPTED = "accepted", "Accepted for transplant"
        DECLINED = "declined", "Declined"
        DEFERRED = "deferred", "Deferred"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN_STATUSES = (Status.RECEIVED, Status.WORKUP, Status.COMMITTEE)
    DECISIONS = (Status.ACCEPTED, Status.DECLINED, Status.DEFERRED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    from_centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    to_centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    message = models.TextField(max_length=4000)
    # The screening as the referring clinician saw it: the row, and its band in case the row
    # is retired later.
    screening = models.ForeignKey(
        Screening, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    screening_band = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    created_at = models.DateTimeField(auto_now_add=True)
    status_since = models.DateTimeField(help_text="When the referral reached its status.")
    committee_on = models.DateField(null=True, blank=True)
    committee_outcome = models.TextField(max_length=4000, blank=True)
    decline_reason = models.TextField(max_length=4000, blank=True)
    deferred_until = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The coordinators were reminded that the referral waits at its step (reminders.py).
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The values the decision would rest on that had gone stale when the coordinators were
    # last told (labels, one a line; empty when none were): reminded once per set.
    stale_reminded_for = models.TextField(blank=True, default="")
    history = HistoricalRecords()

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "to_centre"],
                condition=Q(status__in=["received", "workup", "committee"]),
                name="one_open_referral_per_patient_and_centre",
            ),
        ]
        indexes = [
            models.Index(fields=["to_centre", "status", "-created_at"]),
            models.Index(fields=["from_centre", "-created_at"]),
        ]

    def __str__(self):
        return f"Referral of {self.patient} to {self.to_centre} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ReferralStep(AppendOnlyModel):
    """One step of a referral: who took it, when, from which status to which, and the words."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="steps")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    detail = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or 'new'} → {self.to_status} by {self.actor} at {self.at:%d %b %Y %H:%M}"
