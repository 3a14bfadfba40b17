"""Migration tests with data: restore a dump at the migrations it was made on, then migrate.

A dump (tests/fixtures/db/, see the README there) is what a production database held at a
known commit. ``restored(dump)`` rebuilds the test database at exactly that commit's
migrations, loads the dump into it and hands back a ``DumpMigration``; the test then calls
``migrate_to_latest()`` and asserts on what the migrations did::

    @pytest.mark.django_db(transaction=True)
    def test_my_data_migration(django_db_use_migrations):
        with restored(MAIN_2026_12_01) as run:
            RuleSet = run.old_state.apps.get_model("rules", "RuleSet")  # today's rows, historical models
            new_state = run.migrate_to_latest()                        # every migration since
            ...

The latest migrations are read from the migration graph when the test runs, so a test
written today keeps testing the migrations added after it.

Why MigrationExecutor and ``migrate``, not django-test-migrations: its
``Migrator.apply_initial_migration(targets)`` applies the *full* migration plan up to the
last of the targets (``plan.truncate_plan``; the upstream issue is #398, "truncate_plan
should truncate each app separately"). Any later migration that sorts before that point
is applied too, before the data is loaded. Here a new ``candidacy/0005_...`` sorts
before ``patients/0005_fhir_id_index``, so the "initial" state would already contain the
rule set v2 data migration this test exists to check. It would run on an empty database,
and then the test would pass without checking it. Here the old state is built by
``migrate APP MIGRATION`` for each of the dump's leaf migrations, which applies those
migrations and their dependencies and nothing else. The move forward is a plain
``migrate``, as a deployment runs it (post_migrate included).

Loading uses the historical models of the old state (``old_state.apps``), so the dump
never meets today's model classes or module paths. Rows keep their primary keys and
``<fk>_id`` values; foreign keys to users and the groups' permissions come as natural keys
(dumpdata --natural-foreign) and are looked up. Rows the data migrations seeded (diseases,
therapies, groups, the default rule set) are replaced by the dump's, as a restore would
replace them. All of it runs in one transaction, then the PostgreSQL sequences are reset so
that later inserts do not collide with the loaded ids.

This leaves the test database at the latest migrations. Transactional tests flush it
afterwards, and tests/conftest.py's ``migration_data`` fixture puts the seeded rows back
for the transactional tests that follow.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

FIXTURES = Path(__file__).parent / "fixtures" / "db"
PROJECT_APPS = ("patients", "rules", "candidacy")

# The natural keys dumpdata --natural-foreign writes for references to these models.
NATURAL_KEYS = {
    "auth.user": ("username",),
    "auth.group": ("name",),
    "auth.permission": ("codename", "content_type__app_label", "content_type__model"),
    "contenttypes.contenttype": ("app_label", "model"),
}


@dataclass(frozen=True)
class Dump:
    """A dumpdata file and the leaf migration of each app when it was made."""

    path: Path
    leafs: dict[str, str]

    @cached_property
    def objects(self) -> list[dict]:
        opener = gzip.open if self.path.suffix == ".gz" else open
        with opener(self.path, "rt", encoding="utf-8") as f:
            return json.load(f)

    @cached_property
    def counts(self) -> Counter:
        """Rows per model label ("app_label.modelname"), as dumpdata writes it."""
        return Counter(obj["model"] for obj in self.objects)

    @cached_property
    def pks(self) -> dict[str, set]:
        found: dict[str, set] = defaultdict(set)
        for obj in self.objects:
            found[obj["model"]].add(obj["pk"])
        return dict(found)

    def targets(self, using: str = DEFAULT_DB_ALIAS) -> list[tuple[str, str]]:
        """The dump's leaf migrations that the graph still has.

        The project's apps must all be there: without them the dump cannot be restored at
        its state (a squash that removed them needs a new dump). Another app whose old
        migration is gone (a dependency that squashed its own) is left to its dependants.
        """
        graph = MigrationLoader(connections[using], ignore_no_migrations=True).graph
        missing = [
            (app, name) for app, name in self.leafs.items() if (app, name) not in graph.nodes
        ]
        lost = [node for node in missing if node[0] in PROJECT_APPS]
        if lost:
            raise LookupError(
                f"{self.path.name} was made at migrations that no longer exist: {lost}"
            )
        return sorted((app, name) for app, name in self.leafs.items() if (app, name) not in missing)


# Made at main 1fb184f on 2026-12-01: tests/fixtures/db/README.md says how.
MAIN_2026_12_01 = Dump(
    path=FIXTURES / "main-2026-12-01.json.gz",
    leafs={
        "admin": "0003_logentry_add_action_flag_choices",
        "auth": "0012_alter_user_first_name_max_length",
        "axes": "0010_accessattemptexpiration",
        "candidacy": "0004_rescreen_chunks",
        "contenttypes": "0002_remove_content_type_name",
        "patients": "0005_fhir_id_index",
        "rules": "0002_default_ruleset_and_permissions",
        "sessions": "0001_initial",
    },
)


# --- the migration steps ------------------------------------------------------------------


def latest_leafs(using: str = DEFAULT_DB_ALIAS) -> list[tuple[str, str]]:
    """The newest migration of every app, from the migration files as they are now."""
    return sorted(MigrationLoader(connections[using], ignore_no_migrations=True).graph.leaf_nodes())


def state_at(targets: list[tuple[str, str]], using: str = DEFAULT_DB_ALIAS) -> ProjectState:
    """The models (historical) as these migrations leave them."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    return loader.project_state(targets, at_end=True)


def drop_all_tables(using: str = DEFAULT_DB_ALIAS) -> None:
    """An empty database: every table goes, django_migrations included."""
    connection = connections[using]
    tables = connection.introspection.table_names(include_views=False)
    # SQLite: no foreign key checks while dropping (a no-op on PostgreSQL, where DROP ... CASCADE).
    with connection.constraint_checks_disabled(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                connection.SchemaEditorClass.sql_delete_table
                % {"table": connection.ops.quote_name(table)}
            )


def migrate_exactly(targets: list[tuple[str, str]], using: str = DEFAULT_DB_ALIAS) -> ProjectState:
    """``migrate APP MIGRATION`` for each target: those migrations and their dependencies only."""
    for app_label, name in targets:
        call_command("migrate", app_label, name, database=using, verbosity=0, interactive=False)
    ContentType.objects.clear_cache()  # content types were made afresh, with new ids
    return state_at(targets, using)


def migrate_to_latest(using: str = DEFAULT_DB_ALIAS) -> ProjectState:
    """``migrate``: every migration not applied yet, as a deployment runs them."""
    call_command("migrate", database=using, verbosity=0, interactive=False)
    ContentType.objects.clear_cache()
    return state_at(latest_leafs(using), using)


# --- loading ------------------------------------------------------------------------------


def _dependency_order(models: list) -> list:
    """Models ordered so that the targets of foreign keys come first (self-references aside)."""
    by_label = {m._meta.label_lower: m for m in models}
    ordered: list = []
    seen: set[str] = set()

    def visit(model, path: tuple[str, ...]) -> None:
        label = model._meta.label_lower
        if label in seen or label in path:
            return  # done, or a cycle (foreign keys are checked at commit, so any order loads)
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target is not None and target._meta.label_lower in by_label and target is not model:
                visit(by_label[target._meta.label_lower], (*path, label))
        seen.add(label)
        ordered.append(model)

    for model in sorted(models, key=lambda m: m._meta.label_lower):
        visit(model, ())
    return ordered


class _Resolver:
    """Natural keys to primary keys, against the historical models, remembered."""

    def __init__(self, apps, using: str):
        self.apps, self.using, self.found = apps, using, {}

    def pk(self, model, value):
        if not isinstance(value, list):
            return value
        label = model._meta.label_lower
        key = (label, tuple(value))
        if key not in self.found:
            lookup = dict(zip(NATURAL_KEYS[label], value, strict=True))
            self.found[key] = (
                model._base_manager.using(self.using).values_list("pk", flat=True).get(**lookup)
            )
        return self.found[key]


def load_dump(dump: Dump, state: ProjectState, using: str = DEFAULT_DB_ALIAS) -> None:
    """Put the dump's rows into a database at ``state``, through its historical models."""
    apps = state.apps
    rows: dict[str, list[dict]] = defaultdict(list)
    for obj in dump.objects:
        rows[obj["model"]].append(obj)
    models = [apps.get_model(label) for label in rows]
    order = _dependency_order(models)
    resolver = _Resolver(apps, using)
    connection = connections[using]

    with transaction.atomic(using=using):
        # What the data migrations seeded in these tables gives way to the dump's rows.
        for model in reversed(order):
            model._base_manager.using(using).all().delete()
        links = []
        for model in order:
            for obj in sorted(rows[model._meta.label_lower], key=lambda o: o["pk"]):
                values = {model._meta.pk.attname: model._meta.pk.to_python(obj["pk"])}
                for name, value in obj["fields"].items():
                    field = model._meta.get_field(
                        name
                    )  # FieldDoesNotExist: the dump is not of this state
                    if field.many_to_many:
                        links.append((field, values[model._meta.pk.attname], value))
                    elif field.is_relation:
                        values[field.attname] = (
                            None if value is None else resolver.pk(field.related_model, value)
                        )
                    else:
                        values[field.attname] = field.to_python(value)
                # raw: the stored created_at/updated_at stay (auto_now would overwrite them),
                # and no signal handler of the real models runs for the historical ones.
                model(**values).save_base(raw=True, force_insert=True, using=using)
        for field, pk, targets in links:
            through = field.remote_field.through
            if not through._meta.auto_created:
                continue  # a through model of its own is dumped, and loaded, as a model
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            through._base_manager.using(using).bulk_create(
                through(
                    **{f"{source}_id": pk, f"{target}_id": resolver.pk(field.related_model, value)}
                )
                for value in targets
            )
        statements = connection.ops.sequence_reset_sql(no_style(), order)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def links_in_dump(dump: Dump, state: ProjectState) -> Counter:
    """Many-to-many links per "app_label.modelname.field" (group permissions, centre members...)."""
    found: Counter = Counter()
    for obj in dump.objects:
        model = state.apps.get_model(obj["model"])
        for name, value in obj["fields"].items():
            if model._meta.get_field(name).many_to_many:
                found[f"{obj['model']}.{name}"] += len(value)
    return found


def link_counts(state: ProjectState, keys, using: str = DEFAULT_DB_ALIAS) -> Counter:
    """Rows in each many-to-many table named as in ``links_in_dump``, read through ``state``."""
    found: Counter = Counter()
    for key in keys:
        label, name = key.rsplit(".", 1)
        through = state.apps.get_model(label)._meta.get_field(name).remote_field.through
        found[key] = through._base_manager.using(using).count()
    return found


def row_pks(state: ProjectState, labels, using: str = DEFAULT_DB_ALIAS) -> dict[str, set]:
    """The primary keys in each model's table, read through ``state``'s models."""
    return {
        label: set(
            state.apps.get_model(label)._base_manager.using(using).values_list("pk", flat=True)
        )
        for label in labels
    }


# --- the test's entry point -----------------------------------------------------------------


@dataclass
class DumpMigration:
    dump: Dump
    old_state: ProjectState
    using: str = DEFAULT_DB_ALIAS
    new_state: ProjectState | None = None

    def migrate_to_latest(self) -> ProjectState:
        self.new_state = migrate_to_latest(self.using)
        return self.new_state


@contextmanager
def restored(
    dump: Dump = MAIN_2026_12_01, using: str = DEFAULT_DB_ALIAS
) -> Iterator[DumpMigration]:
    """The database as the dump left it, at the dump's migrations; at the latest ones on exit.

    Needs a transactional test (``django_db(transaction=True)``): migrations and the
    load commit. On exit the database is at the latest migrations again whatever happened
    (after a failure it is rebuilt from nothing), so the tests after this one find the
    schema they expect.
    """
    if connections[using].in_atomic_block:
        raise RuntimeError("restored() needs a transactional test: django_db(transaction=True)")
    drop_all_tables(using)
    ok = False
    try:
        old_state = migrate_exactly(dump.targets(using), using)
        load_dump(dump, old_state, using)
        yield DumpMigration(dump=dump, old_state=old_state, using=using)
        ok = True
    finally:
        if not ok:
            drop_all_tables(using)
        migrate_to_latest(using)
