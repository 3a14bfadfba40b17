from django.core.management.base import BaseCommand, CommandError

from ...roles import app_role_grant


class Command(BaseCommand):
    help = (
        "Give the app's PostgreSQL role its rights: read and write every table, but only "
        "read and add to the audit tables. Run it as the owner of the tables."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "role", nargs="?", help="the role the app connects as (default: DATABASE_APP_ROLE)"
        )
        parser.add_argument("--database", default="default", help="an alias connected as owner")

    def handle(self, *args, role, database, **options):
        from django.conf import settings

        role = role or settings.DATABASE_APP_ROLE
        if not role:
            raise CommandError("Name the app's role, or set DATABASE_APP_ROLE.")
        statements = app_role_grant(role=role, using=database)
        if not statements:
            self.stdout.write("Not PostgreSQL: there are no roles to grant to.")
        for statement in statements:
            self.stdout.write(statement)
