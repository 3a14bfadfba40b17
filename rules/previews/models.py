"""A preview of a draft rule set, its progress, and what it found per patient.

A criteria admin starts a preview of a draft; a background job screens every living patient
under the draft and under the active version, in memory, and stores one row per patient
(bands and scores before and after) plus a summary (the band-to-band movement matrix,
attrition per criterion, score distributions). Nothing is written to the patients'
screenings. The preview stays with the version: once published, the version records what it
was expected to do, and the re-screen's progress page compares what actually moved.

A preview is stale when the draft was edited after the preview started.

The job (rules/previews/job.py, queued by rules/tasks.py) plans the living patients into
chunks (RuleSetPreviewChunk), screens each chunk under both versions and stores its rows and
its share of the summary on the chunk; the last chunk to land adds the shares up into
``RuleSetPreview.summary`` (rules/previews/summary.py says what the keys hold; the publish
page reads ``summary["moved"]`` and ``summary["matrix"]``).
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
    # The draft as it was when the preview started (RuleSet.to_spec as plain dicts): every
    # chunk screens this same snapshot, even if the draft is edited while the job runs, and
    # a patient's explanation "under the draft" shows what the preview computed.
    draft_spec = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Preview of v{self.ruleset.version} ({self.get_status_display().lower()})"

    @property
    def percent(self) -> int:
        if not self.total:  # not planned yet, or nobody to screen
            return 0 if self.status == self.Status.RUNNING else 100
        return min(100, round(100 * self.done / self.total))

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
    # What keeps the patient off Strong under the draft, first in the band's precedence (a
    # criterion key, or a reason code such as "category_gnr"): see rules/previews/attrition.py.
    limited_by = models.CharField(max_length=60, blank=True)
    # Copies for the movers' list: filters and keyset order without joins (as the worklist's
    # screening rows carry them).
    disease_key = models.CharField(max_length=40, blank=True)
    sort_name = models.CharField(max_length=210, blank=True)
    # "From band, then to band" as one ascending number (rules.previews.summary.move_key).
    move_key = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["preview", "patient"], name="one_row_per_preview_patient"
            ),
        ]
        indexes = [
            # The movers' keyset order per centre: a page is an index range scan.
            models.Index(
                fields=["preview", "centre_id_copy", "move_key", "sort_name", "patient"],
                condition=models.Q(moved=True),
                name="preview_movers",
            ),
        ]

    def __str__(self):
        return f"{self.band_before} → {self.band_after}"


class RuleSetPreviewChunk(models.Model):
    """A slice of the living patients (by id), planned when the job starts.

    Counted once however often its task is delivered: progress moves only the first time
    the chunk lands; a re-run replaces its rows and its share of the summary.
    """

    preview = models.ForeignKey(RuleSetPreview, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    first_patient_id = models.BigIntegerField()
    last_patient_id = models.BigIntegerField()
    size = models.PositiveIntegerField()
    finished = models.BooleanField(default=False)
    # This chunk's matrix, attrition and score counts (rules/previews/summary.py).
    partial = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["preview", "index"], name="one_row_per_preview_chunk")
        ]

    def __str__(self):
        return f"chunk {self.index} of preview {self.preview_id}"
