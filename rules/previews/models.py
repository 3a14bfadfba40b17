"""A preview of a draft rule set, its progress, and what it found per patient.

A criteria admin starts a preview of a draft; a background job screens every living patient
under the draft and under the active version, in memory, and stores one row per patient
(bands and scores before and after) plus a summary (the band-to-band movement matrix,
attrition per criterion, score distributions). Nothing is written to the patients'
screenings. The preview stays with the version: once published, the version records what it
was expected to do, and the re-screen's progress page compares what actually moved.

A preview is stale when the draft was edited after the preview started.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from patients.models import Patient

from ..models import RuleSet


class RuleSetPreview(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="previews")
    baseline = models.ForeignKey(
        RuleSet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version that was active when the preview ran (what 'before' means).",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The draft's last edit when the preview started: a later edit makes the preview stale.
    draft_edited_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateField()
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Matrix, attrition, distributions and counts; filled in when the job finishes.
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Preview of v{self.ruleset.version} ({self.get_status_display().lower()})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))

    def is_stale(self) -> bool:
        """Whether the draft changed after this preview started."""
        last = self.ruleset.last_edited_at()
        return last is not None and self.draft_edited_at is not None and last > self.draft_edited_at


class RuleSetPreviewRow(models.Model):
    """One patient under the baseline and under the draft (only what the pages need)."""

    preview = models.ForeignKey(RuleSetPreview, on_delete=models.CASCADE, related_name="rows")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    centre_id_copy = models.BigIntegerField(help_text="The patient's centre, for scoping.")
    band_before = models.CharField(max_length=30)
    band_after = models.CharField(max_length=30)
    score_before = models.PositiveSmallIntegerField(null=True, blank=True)
    score_after = models.PositiveSmallIntegerField(null=True, blank=True)
    moved = models.BooleanField()
    # The first criterion (in the rule set's order) that keeps the patient off Strong under
    # the draft, for attrition and for filtering the movers.
    limited_by = models.CharField(max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["preview", "patient"], name="one_row_per_preview_patient"
            ),
        ]
        indexes = [models.Index(fields=["preview", "moved", "patient"], name="preview_movers")]

    def __str__(self):
        return f"{self.band_before} → {self.band_after}"
