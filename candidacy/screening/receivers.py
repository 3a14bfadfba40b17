"""Where candidacy answers the other apps' announcements, always after commit."""

from django.urls import reverse

from rules.signals import PublishFollowUp

from .models import RescreenJob
from .tasks import screen_patient, start_rescreen


def rescreen_patient(sender, patient_id, **kwargs):
    screen_patient.delay_on_commit(patient_id)


def rescreen_everyone(sender, ruleset, by=None, **kwargs):
    start_rescreen(reason=RescreenJob.Reason.PUBLISHED, by=by)


def rescreen_progress_link(ruleset) -> PublishFollowUp:
    return PublishFollowUp(
        "Watch the re-screening of every patient",
        reverse("screening:ruleset_progress", args=[ruleset.pk]),
    )
