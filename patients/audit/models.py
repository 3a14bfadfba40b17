"""The access log and the links of the tamper-evident chain. Both are append-only.

Append-only twice over: here, a row can be created and never saved again or deleted (the
model and its queryset refuse); on PostgreSQL, the app's database role has no UPDATE or
DELETE on these tables at all (patients/audit/roles.py), so a bug or an injected query cannot
either. The chain (patients/audit/chain.py) shows whether anyone with more rights did.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

APPEND_ONLY = "{model} rows are append-only: they are never changed or deleted."


class AppendOnlyError(Exception):
    """An attempt to change or delete an append-only row through the app."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(APPEND_ONLY.format(model=self.model.__name__))

    def delete(self):
        raise AppendOnlyError(APPEND_ONLY.format(model=self.model.__name__))

    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class AppendOnlyModel(models.Model):
    """A model whose rows are written once: ``save`` of a stored row and ``delete`` refuse."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(APPEND_ONLY.format(model=type(self).__name__))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(APPEND_ONLY.format(model=type(self).__name__))


class AccessEvent(AppendOnlyModel):
    """One access to patient data, or one refusal, with what ASTM E2147 asks a log to hold:
    when, who (and from where), which patient, what was accessed, the outcome and the reason.

    The user and the patient are kept as plain ids (no database constraint, nothing done on
    delete) beside a snapshot of their names, so the log never changes when they do.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        LIST = "list", "Listed"
        EXPORT = "export", "Exported"
        CHANGE = "change", "Changed"
        DENIED = "denied", "Refused"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.CharField(max_length=300, help_text="Username, or the EHR that called.")
    address = models.GenericIPAddressField(null=True, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    patient_ref = models.CharField(
        max_length=100, blank=True, help_text="The id asked for: the page's or the EHR's."
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    what = models.CharField(max_length=200)
    reason = models.CharField(max_length=300, blank=True)
    status = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=500, blank=True, help_text="Filters, or why refused.")

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["patient", "-id"], name="audit_access_patient"),
            models.Index(fields=["user", "-id"], name="audit_access_user"),
        ]

    def __str__(self):
        return f"{self.actor} {self.get_action_display()} {self.what} at {self.at:%Y-%m-%d %H:%M}"


class ChainLink(AppendOnlyModel):
    """One row of one chained table, in the order it was sealed.

    ``digest`` is the SHA-256 of the row's content; ``hash`` that of the previous link's hash,
    this link's place and the digest. Changing, adding or deleting a sealed row, or a link,
    breaks the recomputation from that link on (patients/audit/chain.py).
    """

    chain = models.CharField(max_length=100, help_text="The table's model label.")
    position = models.PositiveBigIntegerField()
    row_id = models.BigIntegerField()
    digest = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One successor per link: two sealers racing cannot fork the chain.
            models.UniqueConstraint(fields=["chain", "position"], name="audit_chain_position"),
            models.UniqueConstraint(fields=["chain", "row_id"], name="audit_chain_row"),
        ]

    def __str__(self):
        return f"{self.chain} #{self.position} (row {self.row_id})"


class SecurityEvent(AppendOnlyModel):
    """A change to how someone signs in, or a refused second step: who did what to whose account.

    Kept beside the access log, append-only and in its own hash chain, because "who reset
    whose two-step sign-in" must survive an administrator who would rather it did not.
    """

    class Action(models.TextChoices):
        MFA_ENROLLED = "mfa_enrolled", "Set up two-step sign-in"
        MFA_RECOVERY_USED = "mfa_recovery", "Signed in with a recovery code"
        MFA_REFUSED = "mfa_refused", "Refused a wrong sign-in code"
        MFA_RESET = "mfa_reset", "Reset two-step sign-in"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who acted.",
    )
    actor = models.CharField(max_length=300)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="Whose sign-in it concerns.",
    )
    subject_name = models.CharField(max_length=300)
    action = models.CharField(max_length=20, choices=Action.choices)
    address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["subject", "-id"], name="audit_security_subject")]

    def __str__(self):
        return f"{self.actor} {self.get_action_display()} ({self.subject_name})"
