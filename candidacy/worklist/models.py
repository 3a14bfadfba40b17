"""The audit of worklist exports."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
