"""The letter as a FHIR R4B Communication, with the letter itself attached as HTML.

The receiving EHR files it like any letter: ``payload[0].contentAttachment`` is the same page
the doctor prints (no 0-100 score in it), ``about`` is nothing more than the referral's id,
and ``subject`` the patient by the same logical reference as the RiskAssessment export.
"""

from __future__ import annotations

import base64

from django.template.loader import render_to_string
from django.utils import timezone
from fhir.resources.R4B.communication import Communication

from common.users import display_name

from ..interop.fhir import URI_SYSTEM, patient_reference
from .letter import build_letter
from .models import Referral

LETTER_TITLE = "Transplant referral: reply from {centre}"


def letter_html(referral: Referral) -> str:
    return render_to_string(
        "candidacy/referrals/_letter_body.html", {"letter": build_letter(referral)}
    )


def letter_communication(referral: Referral) -> Communication:
    html = letter_html(referral)
    # Built from FHIR JSON, which model_validate takes as it is (as the RiskAssessment export).
    return Communication.model_validate(
        {
            "resourceType": "Communication",
            "status": "completed",
            "identifier": [{"system": URI_SYSTEM, "value": f"urn:uuid:{referral.public_id}"}],
            "subject": patient_reference(referral.patient),
            "sent": timezone.now().isoformat(),
            "sender": {"display": referral.to_centre.name},
            "recipient": [{"display": display_name(referral.referred_by)}],
            "topic": {"text": LETTER_TITLE.format(centre=referral.to_centre.name)},
            "payload": [
                {
                    "contentAttachment": {
                        "contentType": "text/html; charset=utf-8",
                        "language": "en-GB",
                        "data": base64.b64encode(html.encode()).decode(),
                        "title": LETTER_TITLE.format(centre=referral.to_centre.name),
                    }
                }
            ],
        }
    )
