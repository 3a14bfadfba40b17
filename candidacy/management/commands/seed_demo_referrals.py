"""``manage.py seed_demo_referrals``: two demo referrals from Southside to North (after seed_demo).

One waits at "received", one was accepted for work-up, so the queue, "My referrals", the
letter and the access that follows a referral all have something to show. Idempotent: a
demo patient with a referral already is left alone.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from candidacy.referrals import services
from candidacy.referrals.models import Referral
from patients.demo.centres import REFERRING_CENTRE, TRANSPLANT_CENTRE
from patients.models import Centre, Patient

MESSAGES = (
    "Relapsing despite two disease-modifying treatments; would you assess for aHSCT?",
    "Progressive skin and lung involvement on mycophenolate; please consider transplant.",
)


class Command(BaseCommand):
    help = "Add two demo referrals from the referring hospital to the transplant centre."

    def handle(self, *args, **options):
        users = get_user_model().objects
        try:
            hospital = Centre.objects.get(code=REFERRING_CENTRE)
            centre = Centre.objects.get(code=TRANSPLANT_CENTRE)
            clinician = users.get(username=f"clinician-{REFERRING_CENTRE}")
            coordinator = users.get(username=f"coordinator-{TRANSPLANT_CENTRE}")
        except (Centre.DoesNotExist, users.model.DoesNotExist) as error:
            raise CommandError("Run seed_demo first.") from error
        patients = (
            Patient.objects.filter(centre=hospital, deceased=False, death_date__isnull=True)
            .exclude(referrals__isnull=False)
            .order_by("pk")
        )
        if Referral.objects.filter(from_centre=hospital).exists():
            self.stdout.write("The demo referrals exist already.")
            return
        made = []
        for patient, message in zip(patients[:2], MESSAGES, strict=False):
            made.append(
                services.referral_create(
                    patient=patient, to_centre=centre, message=message, by=clinician
                )
            )
        if made:
            services.referral_step(
                referral=made[0], to_status=Referral.Status.WORKUP, by=coordinator
            )
        self.stdout.write(f"{len(made)} demo referrals from {hospital.name} to {centre.name}.")
