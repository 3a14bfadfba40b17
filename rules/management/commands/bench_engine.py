"""``manage.py bench_engine [--records N]``: engine evaluations per second on one core."""

from django.core.management.base import BaseCommand

from rules import loader
from rules.bench import evaluations_per_second
from rules.models import RuleSet


class Command(BaseCommand):
    help = "Evaluate the default rule set on synthetic records on one core and print evaluations/s."

    def add_arguments(self, parser):
        parser.add_argument(
            "--records", type=int, default=20000, help="Synthetic records per pass."
        )
        parser.add_argument("--repeat", type=int, default=3, help="Passes; the best is reported.")
        parser.add_argument(
            "--active", action="store_true", help="Use the active published rule set instead."
        )

    def handle(self, *args, records, repeat, active, **options):
        compiled = None
        label = "the default rule set (rules/defaults.py)"
        if active:
            ruleset = RuleSet.objects.active()
            if ruleset is not None:
                compiled = loader.compiled(ruleset)
                label = f"{ruleset.name} version {ruleset.version}"
        self.stdout.write(
            f"Evaluating {label} on {records:,} synthetic records, best of {repeat} passes, one core"
        )
        rate = evaluations_per_second(records, ruleset=compiled, repeat=repeat)
        self.stdout.write(f"{rate:,.0f} evaluations/s".replace(",", ""))
