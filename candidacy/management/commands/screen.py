"""``manage.py screen MRN --centre CODE [--json]``: screen one patient now and print the result."""

import json

from django.core.management.base import BaseCommand, CommandError

from candidacy.screening import selectors
from candidacy.screening.services import NO_ACTIVE_RULESET, screening_record
from patients.models import Patient
from rules.engine import DECEASED_NOT_SCREENED
from rules.models import RuleSet
from rules.result import render_text


class Command(BaseCommand):
    help = "Screen one patient against the active rule set, store it, and print band, score and explanation."

    def add_arguments(self, parser):
        parser.add_argument("mrn")
        parser.add_argument(
            "--centre", required=True, metavar="CODE", help="The patient's centre code."
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print the structured result, criteria and input facts in full.",
        )

    def handle(self, *args, mrn, centre, as_json, **options):
        try:
            patient = Patient.objects.select_related("disease", "centre").get(
                mrn=mrn, centre__code=centre
            )
        except Patient.DoesNotExist as error:
            raise CommandError(f"No patient with MRN {mrn} in centre {centre}.") from error
        if patient.is_deceased:
            raise CommandError(DECEASED_NOT_SCREENED)
        if RuleSet.objects.active() is None:
            raise CommandError(NO_ACTIVE_RULESET)
        current = screening_record(patient=patient)
        if current is None:  # only if the record or the rule set changed since the checks above
            raise CommandError(f"No screening was stored for MRN {mrn}; run the command again.")
        if as_json:
            # In full, as it read before results were stored slim: what a script expects.
            full = selectors.result_of(current).to_dict()
            self.stdout.write(json.dumps(full, indent=2, sort_keys=True))
        else:
            self.stdout.write(render_text(selectors.result_of(current)))
