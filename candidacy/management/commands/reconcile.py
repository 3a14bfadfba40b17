"""``manage.py reconcile [--explain]``: run the reconciler once now, or show its query plan.

Beat runs it every RECONCILE_SECONDS; by hand it is for after an outage, and ``--explain``
shows that the look for patients needing a screening stays an anti-join over indexes at a
million patients (PostgreSQL's EXPLAIN ANALYZE of the very query the reconciler runs).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from candidacy.screening import services
from candidacy.screening.services import NO_ACTIVE_RULESET
from candidacy.screening.tasks import reconcile
from rules.models import RuleSet


class Command(BaseCommand):
    help = "Run the reconciler once in this process, or print the plan of its query (--explain)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--explain",
            action="store_true",
            help="Print EXPLAIN ANALYZE of the query; change nothing.",
        )

    def handle(self, *args, explain, **options):
        ruleset = RuleSet.objects.active()
        if ruleset is None:
            raise CommandError(NO_ACTIVE_RULESET)
        if not explain:
            queued = reconcile()
            self.stdout.write(f"Queued {queued} patient(s) for a re-screen.")
            return
        query = services.patients_needing_screening(ruleset).order_by("pk").values_list("pk")
        if connection.vendor != "postgresql":
            self.stdout.write(query.explain())
            return
        self.stdout.write(query.explain(analyze=True, buffers=True))
