"""Attachments of a referral: stored privately, checked on the way in, served only by a view.

Files live under settings.PRIVATE_FILES_ROOT, which no URL maps to; the storage refuses to
make a URL at all, so a template cannot leak one. Uploads are checked by their first bytes,
not their name: a script renamed to .pdf is refused.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models

# User-facing messages (tests assert on these).
TYPE_REFUSED = "{name} is not a PDF, PNG or JPEG file. Attach letters and reports in one of those."
TOO_LARGE = "{name} is {size:.1f} MB; attachments can be at most {limit} MB."
EMPTY = "{name} is empty."
ATTACHED = "{name} was attached."

# The first bytes of each accepted type, and the type it is served as.
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_FILES_ROOT, read from the settings at use (tests move it)."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_FILES_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; they are served by the attachment view.")


_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _storage


def attachment_path(instance, filename: str) -> str:
    """A name nobody can guess or collide with; the original name is kept on the row."""
    return f"referrals/{instance.referral.public_id}/{uuid.uuid4().hex}"


def sniff(head: bytes) -> str | None:
    """The content type the file's first bytes show, or None when it is not one we take."""
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)


def check_upload(upload) -> str:
    """The upload's content type, or ValueError with a message for the user."""
    name = os.path.basename(upload.name or "The file")
    limit = settings.CANDIDACY_ATTACHMENT_MAX_MB
    if upload.size == 0:
        raise ValueError(EMPTY.format(name=name))
    if upload.size > limit * 1024 * 1024:
        raise ValueError(TOO_LARGE.format(name=name, size=upload.size / 1024 / 1024, limit=limit))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is None:
        raise ValueError(TYPE_REFUSED.format(name=name))
    return content_type


class ReferralAttachment(models.Model):
    class Kind(models.TextChoices):
        LETTER = "letter", "Letter"
        ECHO = "echo", "Echocardiogram report"
        LUNG = "lung", "Lung-function report"
        OTHER = "other", "Other report"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(
        "candidacy.Referral", on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=200)
    name = models.CharField(max_length=200, help_text="The name it was uploaded with.")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"
