"""``manage.py screen MRN --centre CODE [--json] [--as-of YYYY-MM-DD]``: one patient's screening."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from candidacy.services import ScreeningUnavailable, screening_evaluate
from patients.models import Patient
from rules.result import render_text


class Command(BaseCommand):
    help = "Screen one patient and print the band, the score and the explanation."

    def add_arguments(self, parser):
        parser.add_argument("mrn")
        parser.add_argument("--centre", required=True, metavar="CODE", help="The patient's centre code.")
        parser.add_argument("--json", action="store_true", help="Print the stored (structured) form.")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD")

    def handle(self, *args, mrn, centre, json: bool, as_of, **options):
        try:
            patient = Patient.objects.select_related("disease", "centre").get(mrn=mrn, centre__code=centre)
        except Patient.DoesNotExist as error:
            raise CommandError(f"No patient with MRN {mrn} in centre {centre}.") from error
        try:
            result = screening_evaluate(patient=patient, as_of=as_of)
        except ScreeningUnavailable as reason:
            raise CommandError(str(reason)) from reason
        if json:
            self.stdout.write(_json.dumps(result.to_dict(), indent=2, sort_keys=True))
        else:
            self.stdout.write(render_text(result))


_json = json
