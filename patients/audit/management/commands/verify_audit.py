import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...chain import chain_verify, chained_models

BROKEN = "The audit chain is broken: {count} of {total} chains do not verify."


class Command(BaseCommand):
    help = (
        "Recompute the hash chains of the audit and history tables and report the first broken "
        "link of each; exits with an error if any is broken. Prints each chain's head: keep "
        "them elsewhere, since no chain can show its own tail cut off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chain", help="one chain, e.g. audit.accessevent")
        parser.add_argument(
            "--since",
            type=datetime.date.fromisoformat,
            help="check only links sealed since this date (YYYY-MM-DD), trusting the one before",
        )

    def handle(self, *args, chain=None, since=None, **options):
        models = [m for m in chained_models() if chain in (None, m._meta.label_lower)]
        if not models:
            raise CommandError(f"No chain {chain!r}.")
        start = None
        if since is not None:
            start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
        reports = [chain_verify(model=model, since=start) for model in models]
        for report in reports:
            self.stdout.write(_line(report))
        broken = [r for r in reports if not r.ok]
        if broken:
            raise CommandError(BROKEN.format(count=len(broken), total=len(reports)))
        self.stdout.write(self.style.SUCCESS(f"All {len(reports)} chains verify."))


def _line(report) -> str:
    if not report.ok:
        return (
            f"BROKEN {report.chain}: first broken link #{report.broken_at} (row id "
            f"{report.row_id}): {report.problem}"
        )
    unsealed = f", {report.unsealed} rows not yet sealed" if report.unsealed else ""
    return (
        f"ok {report.chain}: {report.links} links checked, head #{report.head_position} "
        f"{report.head_hash}{unsealed}"
    )
