"""The EHRs allowed to call the CDS Hooks service, and the tokens they have used."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from patients.models import Centre


class CdsClient(models.Model):
    """An EHR allowed to call the CDS Hooks service (see docs/fhir-export.md).

    The EHR signs every call with its private key; we keep only its public key. It sees
    screenings of the centres listed here and of no other, whatever it asks for.
    Registered by an administrator in Django admin (superusers, or staff given the
    ``candidacy.*_cdsclient`` permissions; no role group has them).
    """

    name = models.CharField(
        max_length=200, help_text="Who this is, e.g. the EHR of North Transplant Centre."
    )
    issuer = models.CharField(
        max_length=255,
        unique=True,
        help_text="The iss claim of the client's tokens (CDS Hooks: its identifier, usually a URL).",
    )
    public_key = models.TextField(
        help_text='The client\'s public key: a JWK, a JWK Set ({"keys": [...]}) or PEM text. '
        "EC P-384 (ES384) or RSA of 2048 bits or more (RS384). Never a private key.",
    )
    centres = models.ManyToManyField(
        Centre, related_name="+", blank=True, help_text="The centres whose patients it may see."
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Untick to refuse its calls at once."
    )
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
        constraints = [
            models.UniqueConstraint(fields=["client", "jti"], name="cds_token_used_once")
        ]

    def __str__(self):
        return f"{self.jti} until {self.expires_at:%d %b %Y %H:%M:%S}"
