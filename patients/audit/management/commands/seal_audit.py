from django.core.management.base import BaseCommand

from ...chain import seal_all


class Command(BaseCommand):
    help = (
        "Add the audit and history rows not yet in their hash chains (beat does it every minute)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="look at every row, not only the recent ids"
        )

    def handle(self, *args, full, **options):
        for chain, linked in seal_all(full=full).items():
            if linked:
                self.stdout.write(f"{chain}: {linked} rows sealed")
