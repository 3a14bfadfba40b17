"""How long referrals wait at each step, and the reminder when one waits too long.

A referral waits at a step from the moment it reached it (``status_since``). Past
CANDIDACY_REFERRAL_WAIT_DAYS the receiving centre's coordinators are emailed once for that
step (``reminded_at`` later than ``status_since``), and the nav shows the count.
"""

from __future__ import annotations

import logging
import statistics
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from common.links import absolute_url

from ..reviews.services import coordinators_of
from .models import Referral, ReferralStep

logger = logging.getLogger(__name__)

REMINDER_SUBJECT = "Candidacy: {count} referral{s} waiting at {centre}"
REMINDER_LINE = "- MRN {mrn}: {status} for {days} days: {link}"
STEP_ORDER = [Referral.Status.RECEIVED, Referral.Status.WORKUP, Referral.Status.COMMITTEE]


def overdue(referrals, now=None):
    """The open referrals among ``referrals`` that waited past the limit at their step."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CANDIDACY_REFERRAL_WAIT_DAYS)
    return referrals.open().filter(status_since__lt=cutoff)


def remind_waiting(now=None) -> int:
    """Email each centre's coordinators about its referrals newly past the limit; returns the
    emails sent. Safe to run twice: each referral is claimed by a conditional UPDATE first."""
    now = now or timezone.now()
    due = overdue(Referral.objects.all(), now).filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lt=F("status_since"))
    )
    by_centre: dict[int, list[Referral]] = {}
    for referral in due.select_related("patient", "to_centre").order_by("pk"):
        claimed = Referral.objects.filter(pk=referral.pk, status_since=referral.status_since)
        claimed = claimed.filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=F("status_since")))
        if claimed.update(reminded_at=now):
            by_centre.setdefault(referral.to_centre_id, []).append(referral)
    messages = []
    for referrals in by_centre.values():
        centre = referrals[0].to_centre
        lines = [
            REMINDER_LINE.format(
                mrn=r.patient.mrn,
                status=r.get_status_display(),
                days=(now - r.status_since).days,
                link=absolute_url(reverse("referrals:detail", args=[r.public_id])),
            )
            for r in referrals
        ]
        subject = REMINDER_SUBJECT.format(
            count=len(referrals), s="s" if len(referrals) != 1 else "", centre=centre.name
        )
        body = (
            "\n".join(lines) + "\n\nSign in to see them; this email carries no clinical detail.\n"
        )
        messages += [
            EmailMessage(subject, body, to=[user.email])
            for user in coordinators_of(centre.pk).exclude(email="")
        ]
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:
        logger.exception("Could not email the referral reminders")
        return 0


def median_waits(referrals, now=None) -> list[dict]:
    """The median days spent at each open step, over ``referrals``: finished waits (until the
    next step) and the waits still running (until now)."""
    now = now or timezone.now()
    waits: dict[str, list[float]] = {status: [] for status in STEP_ORDER}
    steps = ReferralStep.objects.filter(referral__in=referrals).order_by("referral_id", "at", "pk")
    previous = None
    for step in steps.values("referral_id", "to_status", "at"):
        if previous and previous["referral_id"] == step["referral_id"]:
            if previous["to_status"] in waits:
                waits[previous["to_status"]].append((step["at"] - previous["at"]).days)
        elif previous and previous["to_status"] in waits:
            waits[previous["to_status"]].append((now - previous["at"]).days)
        previous = step
    if previous and previous["to_status"] in waits:
        waits[previous["to_status"]].append((now - previous["at"]).days)
    return [
        {
            "step": Referral.Status(status).label,
            "median_days": statistics.median(days) if days else None,
            "count": len(days),
        }
        for status, days in waits.items()
    ]
