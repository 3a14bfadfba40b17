"""Access to one patient granted to a centre that is not the patient's own.

A transplant centre that receives a referral must read the referred patient's record, and no
other patient of the referring hospital. The referral workflow (candidacy/referrals) writes a
grant when a patient is referred and dates its end when the referral closes; the centre scope
(patients/access.py) reads grants and nothing of referrals, so patients stays below candidacy.
A grant is read-only access: changing the record stays with the patient's own centre.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class PatientAccessGrantQuerySet(models.QuerySet):
    def in_force(self, at=None) -> PatientAccessGrantQuerySet:
        """Grants that give access at ``at`` (now): begun, and not yet ended."""
        at = at or timezone.now()
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at), starts_at__lte=at)


class PatientAccessGrant(models.Model):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="access_grants"
    )
    centre = models.ForeignKey(
        "patients.Centre", on_delete=models.CASCADE, related_name="patient_grants"
    )
    reason = models.CharField(max_length=200, help_text="Why, in words: shown and logged.")
    source = models.CharField(
        max_length=100, unique=True, help_text="What granted it, e.g. referral:<public id>."
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty while what granted it is open."
    )
    history = HistoricalRecords()

    objects = PatientAccessGrantQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["centre", "ends_at"], name="patients_grant_centre")]

    def __str__(self):
        return f"{self.centre} may read patient {self.patient_id}: {self.reason}"
