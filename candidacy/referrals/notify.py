"""Telling the referring doctor that the letter changed: by email, as a link only.

Health data should not travel by email: the message names the patient by MRN and links to
the letter, which the doctor reads signed in (and which logs the read).
"""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

from common.links import absolute_url

from .models import Referral

logger = logging.getLogger(__name__)

LETTER_SUBJECT = "Candidacy: news about your referral to {centre}"
LETTER_BODY = (
    "{centre} has updated its reply about the patient you referred (MRN {mrn}).\n\n"
    "Read the letter: {link}\n\n"
    "Sign in to read it; this email deliberately carries no clinical detail.\n"
)


def email_letter_link(referral_id: int) -> int:
    """Email the referring clinician the link to the letter; returns the emails sent (0 or 1)."""
    referral = Referral.objects.select_related("patient", "to_centre", "referred_by").get(
        pk=referral_id
    )
    if not referral.referred_by.email:
        return 0
    link = absolute_url(reverse("referrals:letter", args=[referral.public_id]))
    message = EmailMessage(
        LETTER_SUBJECT.format(centre=referral.to_centre.name),
        LETTER_BODY.format(centre=referral.to_centre.name, mrn=referral.patient.mrn, link=link),
        to=[referral.referred_by.email],
    )
    try:
        return get_connection().send_messages([message]) or 0
    except Exception:
        # The step is committed and shown on "My referrals"; a mail outage is not the
        # coordinator's error.
        logger.exception("Could not email the letter link of referral %s", referral_id)
        return 0
