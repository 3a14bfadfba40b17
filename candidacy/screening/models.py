"""Screenings and the batch jobs that re-screen everyone.

A Screening stores one engine result. A patient has at most one *current* screening
(a partial unique index makes a second impossible, whatever a retried task does);
earlier ones are kept. The current row carries copies of what the worklist sorts and
filters on (centre, disease, band rank, score, name, birth date, review state), so the
worklist reads one indexed table and never scores anything.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Func, IntegerField, Q

from patients.access import centre_ids
from patients.models import Centre, Patient
from rules.models import RuleSet
from rules.specs import (
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


# The score order, high first, as one ascending expression: keyset pagination then compares
# (score_order, sort_name, patient_id) as a row value against one index. Compared column by
# column in mixed directions, the index bounds only the score and a deep page read every row
# of an equal score before the cursor: all the gated bands, a third of a centre, share -1.
SCORE_ORDER = Func(F("sort_score"), template="(-%(expressions)s)", output_field=IntegerField())


def rank_key(band: str, score: int | None) -> int:
    """Band first (in worklist order), then the higher score first.

    A gated band stores no score: its rows tie within the band and sort by name.
    """
    return BAND_RANK[band] * 1000 + (0 if score is None else 100 - score)


class ScreeningQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)

    def visible_to(self, user):
        """Screenings of the user's centres only (the same rule as patients).

        Checks the patient's own centre as well as the screening's copy of it, so a patient
        who moved is gone from the old centre at once, not only after the re-screen.
        """
        centres = centre_ids(user)
        return self.filter(centre_id__in=centres, patient__centre_id__in=centres)

    def of_patient(self, patient_id: int):
        """The patient's current screening, if any (at most one: see the constraint)."""
        return self.current().filter(patient_id=patient_id).select_related("ruleset").first()


class Screening(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="screenings")
    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="screenings")
    ruleset_version = models.CharField(max_length=20)
    as_of = models.DateField()
    band = models.CharField(max_length=30)
    band_rank = models.PositiveSmallIntegerField()
    # None for the gated bands (Not indicated, Trial only, Excluded): a score beside them
    # would read as favourable (scoring-model.md, "Result").
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    score_upper = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The score once the data to collect are in."
    )
    # The worklist's score order, never null so a keyset can compare it: the score, or -1 for
    # a gated band (after every scored row).
    sort_score = models.SmallIntegerField(default=-1)
    # One ascending number for "band, then score (high first)": keyset pagination can then
    # compare (rank_key, sort_name, patient_id) as a row value against one index.
    rank_key = models.PositiveIntegerField()
    completeness = models.FloatField()
    result = models.JSONField(
        help_text=(
            "The engine result, structured. Slim form: each line names its criterion by key "
            "(the criterion is read from the rule set version); the input facts are in `inputs`."
        )
    )
    inputs_digest = models.CharField(
        max_length=64, help_text="Hash of the record, rule set and date it was computed from."
    )
    # The input facts, stored once per distinct content. No index: nothing looks screenings up
    # by their inputs, and an index here would add to every re-screen's storage.
    inputs = models.ForeignKey(
        "ScreeningInputs", on_delete=models.PROTECT, null=True, blank=True, db_index=False
    )
    # Patient.record_version when this was computed; None for rows stored before it existed.
    record_version = models.PositiveIntegerField(null=True, blank=True)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Copies for the worklist: filters and keyset order without joins.
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    disease_key = models.CharField(max_length=40, blank=True)
    sort_name = models.CharField(max_length=210)
    birth_date = models.DateField()
    # The state of the patient's latest review ('' for none), for the worklist's review filter:
    # read through a subquery per row, that filter read a tenth of the table at a million
    # patients. Kept by the writes that change it: a new screening takes it over from the flag
    # step (reviews/flags.py), and each review step sets it (reviews/services.py).
    review_state = models.CharField(max_length=12, blank=True, default="")

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(is_current=True),
                name="one_current_screening_per_patient",
            ),
        ]
        indexes = [
            # The worklist's keyset order, per centre, over current screenings only.
            models.Index(
                fields=["centre", "rank_key", "sort_name", "patient"],
                condition=Q(is_current=True),
                name="worklist_order_by_centre",
            ),
            models.Index(
                fields=["rank_key", "sort_name", "patient"],
                condition=Q(is_current=True),
                name="worklist_order",
            ),
            # The worklist's other keyset orders and its commonest filter (disease, then rank),
            # so that a deep page or a filtered page is an index range scan, not a sort.
            models.Index(
                fields=["centre", "sort_name", "patient"],
                condition=Q(is_current=True),
                name="worklist_by_name",
            ),
            models.Index(
                F("centre"),
                SCORE_ORDER,
                F("sort_name"),
                F("patient"),
                condition=Q(is_current=True),
                name="worklist_by_score_order",
            ),
            models.Index(
                fields=["centre", "-created_at", "-patient"],
                condition=Q(is_current=True),
                name="worklist_by_screened",
            ),
            models.Index(
                fields=["centre", "disease_key", "rank_key", "sort_name", "patient"],
                condition=Q(is_current=True),
                name="worklist_by_disease",
            ),
            models.Index(
                fields=["centre", "review_state", "rank_key", "sort_name", "patient"],
                condition=Q(is_current=True),
                name="worklist_by_review_state",
            ),
            models.Index(fields=["patient", "-created_at"], name="screening_history"),
            models.Index(
                fields=["ruleset"], condition=Q(is_current=True), name="current_by_ruleset"
            ),
            # The reconciler's anti-join: is each patient's current screening of the active
            # version and their record's version? Answered from the index alone.
            models.Index(
                fields=["patient", "ruleset", "record_version"],
                condition=Q(is_current=True),
                name="current_by_patient_version",
            ),
        ]

    def __str__(self):
        score = "" if self.score is None else f" {self.score}"
        return f"{self.band}{score} ({self.as_of:%d %b %Y}, v{self.ruleset_version})"


class ScreeningInputs(models.Model):
    """The input facts a screening was computed from, keyed by the sha256 of their canonical JSON.

    A re-screen that sees the same facts (a new rule set version, an unchanged record) points
    at the row it already has instead of storing them again.
    """

    digest = models.CharField(max_length=64, primary_key=True)
    facts = models.JSONField()

    class Meta:
        verbose_name_plural = "screening inputs"

    def __str__(self):
        return self.digest[:12]


class RescreenJob(models.Model):
    """A batch re-screen (after publishing, nightly, or from the terminal) and its progress."""

    class Reason(models.TextChoices):
        PUBLISHED = "published", "Rule set published"
        NIGHTLY = "nightly", "Nightly re-screen"
        RECONCILE = "reconcile", "Reconciler"
        MANUAL = "manual", "Started by hand"

    reason = models.CharField(max_length=12, choices=Reason.choices)
    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
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
    """One chunk of a job: its patients, where it stands, and when a worker last showed life.

    Rows are written when the job is planned, so a chunk whose message was lost is still
    there to find. A running chunk beats (``heartbeat_at``) between its sub-batches: the
    reconciler re-queues a chunk whose beat stopped (its worker died) and leaves a slow one.
    Counted on the job once, when it first becomes done, however often it was delivered.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    job = models.ForeignKey(RescreenJob, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    patient_ids = models.JSONField(default=list)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set when queued, then by the worker as it goes: the last sign of life.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Seconds spent per stage (load, evaluate, serialise, write), for bench_rescreen.
    stage_seconds = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["job", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="one_row_per_job_chunk")
        ]
        indexes = [
            # The reconciler's look for dead chunks: few rows are ever not done.
            models.Index(
                fields=["state", "heartbeat_at"],
                condition=~Q(state="done"),
                name="rescreen_chunk_unfinished",
            ),
        ]

    def __str__(self):
        return f"chunk {self.index} of job {self.job_id} ({self.state})"
