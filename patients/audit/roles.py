"""Two PostgreSQL roles: the owner, who migrates, and the app, which cannot rewrite the record.

The owner creates and alters the tables: migrations run with ``DATABASE_URL`` set to the
owner and ``DATABASE_APP_ROLE`` naming the app's role. The app (its own ``DATABASE_URL``)
reads and writes the working tables, but on the audit
tables (the access log, the chain's links, every history table, review events) it may only
SELECT and INSERT: no UPDATE, DELETE or TRUNCATE. So neither a bug nor an injected query nor
a stolen app password can rewrite who did what; the owner could, and the hash chain
(chain.py) is what shows that.

``manage.py migrate`` run so grants after every migration (post_migrate, below),
so a new table gets the app's rights at once; ``manage.py grant_app_role ROLE`` does the
same by hand. Both are idempotent. On SQLite there are no roles and this does nothing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections

from .chain import chained_models
from .models import ChainLink

logger = logging.getLogger(__name__)


def append_only_tables() -> list[str]:
    """The tables the app may only read and add to."""
    return sorted([model._meta.db_table for model in chained_models()] + [ChainLink._meta.db_table])


def grant_statements(*, role: str, schema: str, quote) -> list[str]:
    """The SQL that gives ``role`` the app's rights: everything but rewriting the audit."""
    role, schema = quote(role), quote(schema)
    tables = ", ".join(f"{schema}.{quote(table)}" for table in append_only_tables())
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM {role}",
    ]


def app_role_grant(*, role: str, using: str = "default") -> list[str]:
    """Run the grants on the ``using`` connection (which must own the tables); the SQL run."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        statements = grant_statements(role=role, schema=schema, quote=connection.ops.quote_name)
        for statement in statements:
            cursor.execute(statement)
    return statements


def app_role_for(using: str) -> str | None:
    """The app's role to grant to after migrating on ``using``: DATABASE_APP_ROLE, when it is
    another role than the one migrating (the owner); else None."""
    role = getattr(settings, "DATABASE_APP_ROLE", "")
    return role if role and role != connections[using].settings_dict.get("USER") else None


def grant_after_migrate(sender, using="default", **kwargs) -> None:
    role = app_role_for(using)
    if role and connections[using].vendor == "postgresql":
        app_role_grant(role=role, using=using)
        logger.info("Granted the app role %s its rights; audit tables are append-only", role)
