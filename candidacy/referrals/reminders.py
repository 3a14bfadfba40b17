"""How long referrals wait at each step, and the reminders: when one waits too long, and when
data the decision would rest on go stale.

A referral waits at a step from the moment it reached it (``status_since``). Past
CANDIDACY_REFERRAL_WAIT_DAYS the receiving centre's coordinators are emailed once for that
step (``reminded_at`` later than ``status_since``), and the nav shows the count. When values
of the patient's current screening are too old for the guideline, they are emailed once for
that set of values (``stale_reminded_for``), and the nav counts it until the data are renewed.
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
from ..screening.models import Screening
from ..screening.selectors import result_of
from .letter import stale_labels
from .models import Referral, ReferralStep

logger = logging.getLogger(__name__)

REMINDER_SUBJECT = "Candidacy: {count} referral{s} waiting at {centre}"
STALE_SUBJECT = "Candidacy: {count} referral{s} with stale data at {centre}"
REMINDER_LINE = "- MRN {mrn}: {what}: {link}"
# The median waits are over the referrals received in the last year.
WAITS_OVER = timedelta(days=365)
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
    by_centre: dict[int, list[tuple[Referral, str]]] = {}
    for referral in due.select_related("patient", "to_centre").order_by("pk"):
        claimed = Referral.objects.filter(pk=referral.pk, status_since=referral.status_since)
        claimed = claimed.filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=F("status_since")))
        if claimed.update(reminded_at=now):
            line = f"{referral.get_status_display()} for {(now - referral.status_since).days} days"
            by_centre.setdefault(referral.to_centre_id, []).append((referral, line))
    return _email_coordinators(by_centre, REMINDER_SUBJECT)


def stale_set(screening: Screening | None) -> str:
    """The labels of the values the decision would rest on that are too old now in the
    patient's current screening, one a line (sorted, so that the same set compares equal);
    empty when none are."""
    return "\n".join(sorted(set(stale_labels(result_of(screening))))) if screening else ""


def remind_stale(now=None) -> int:
    """Email each centre's coordinators about its open referrals whose decision data went
    stale, once per referral and stale set; returns the emails sent. Safe to run twice, and
    two runs at once send one email: each referral is claimed by a conditional UPDATE from the
    set it was last reminded of. A set that went away (the data were renewed) is cleared, so
    the nav stops counting it and a later stale set reminds again."""
    by_centre: dict[int, list[tuple[Referral, str]]] = {}
    referrals = list(Referral.objects.open().select_related("patient", "to_centre").order_by("pk"))
    # The current screenings of all their patients in one query, not one per referral.
    screenings = {
        s.patient_id: s
        for s in Screening.objects.current().filter(
            patient_id__in={r.patient_id for r in referrals}
        )
    }
    for referral in referrals:
        current = stale_set(screenings.get(referral.patient_id))
        if current == referral.stale_reminded_for:
            continue
        claimed = Referral.objects.filter(
            pk=referral.pk, stale_reminded_for=referral.stale_reminded_for
        ).update(stale_reminded_for=current)
        if claimed and current:
            # No value names: which data went stale is clinical detail; the page says it.
            line = "data the decision would rest on have gone stale"
            by_centre.setdefault(referral.to_centre_id, []).append((referral, line))
    return _email_coordinators(by_centre, STALE_SUBJECT)


def _email_coordinators(by_centre: dict[int, list[tuple[Referral, str]]], subject: str) -> int:
    """One email per coordinator of each centre, listing its referrals by MRN and link."""
    messages = []
    for rows in by_centre.values():
        centre = rows[0][0].to_centre
        lines = [
            REMINDER_LINE.format(
                mrn=r.patient.mrn,
                what=what,
                link=absolute_url(reverse("referrals:detail", args=[r.public_id])),
            )
            for r, what in rows
        ]
        title = subject.format(count=len(rows), s="s" if len(rows) != 1 else "", centre=centre.name)
        body = (
            "\n".join(lines) + "\n\nSign in to see them; this email carries no clinical detail.\n"
        )
        messages += [
            EmailMessage(title, body, to=[user.email])
            for user in coordinators_of(centre.pk).exclude(email="")
        ]
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:
        logger.exception("Could not email the referral reminders")
        return 0


def needing_attention(referrals, now=None):
    """The open referrals among ``referrals`` that waited too long or whose decision data went
    stale (as of the last reminder run): what the coordinators' nav badge counts."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CANDIDACY_REFERRAL_WAIT_DAYS)
    return referrals.open().filter(Q(status_since__lt=cutoff) | ~Q(stale_reminded_for=""))


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


def received_waits(user, now=None) -> list[dict]:
    """The median wait per step over the referrals the user's centres received in the last
    year: the same figures on the referrals queue and on the dashboard."""
    now = now or timezone.now()
    received = Referral.objects.received_by(user).filter(created_at__gte=now - WAITS_OVER)
    return median_waits(received, now)
