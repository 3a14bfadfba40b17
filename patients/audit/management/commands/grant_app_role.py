from django.core.management.base import BaseCommand, CommandError

from ...roles import app_role_grant


class Command(BaseCommand):
    help = (
        "Give the app's PostgreSQL role its rights: read and write every table, but only "
        "read and add to the audit tables. Run it as the owner of the tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the app connects as (DATABASE_URL's user)")
        parser.add_argument(
            "--database", default="owner", help="the alias connected as the owner (default: owner)"
        )

    def handle(self, *args, role, database, **options):
        from django.db import connections

        if database not in connections:
            raise CommandError(f"No database alias {database!r}: set DATABASE_OWNER_URL.")
        statements = app_role_grant(role=role, using=database)
        if not statements:
            self.stdout.write("Not PostgreSQL: there are no roles to grant to.")
        for statement in statements:
            self.stdout.write(statement)
