"""The production shape: deploy checks, the compose file, the database in CI."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x9$Lq2!vR7#pZ4@mW8^tK1&nB5*cH3(dF6)gJ0_sY-eU+aO=iP~lQ]oN[rT{uV}wX",
    "DJANGO_ALLOWED_HOSTS": "candidacy.example.org",
    "CANDIDACY_BASE_URL": "https://candidacy.example.org",
    "DATABASE_URL": "postgres://candidacy@db.example.org:5432/candidacy",
    "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
}


def test_check_deploy_reports_nothing_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | PRODUCTION_ENV
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def _settings_env_names() -> set[str]:
    source = (ROOT / "config" / "settings" / "base.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))


def test_compose_runs_the_production_shape_with_the_settings_variables():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    # Migrations run as the owner of the tables, in their own service that web waits for; the
    # app's role (DATABASE_URL) cannot rewrite the audit (issue 12, finding 4).
    assert "migrate" in services["migrate"]["command"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"

    def user(name):
        return services[name]["environment"]["DATABASE_URL"].split("//")[1].split(":")[0]

    assert user("migrate") == services["postgres"]["environment"]["POSTGRES_USER"]
    assert services["migrate"]["environment"]["DATABASE_APP_ROLE"] == "candidacy_app"
    assert {user(name) for name in ("web", "worker", "beat")} == {"candidacy_app"}
    assert "worker" in services["worker"]["command"] and "beat" in services["beat"]["command"]
    known = _settings_env_names()
    for name in ("migrate", "web", "worker", "beat"):
        environment = services[name]["environment"]
        assert set(environment) <= known, (
            f"{name} sets variables the settings never read: {set(environment) - known}"
        )
        for required in (
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "DJANGO_SECRET_KEY",
            "DJANGO_ALLOWED_HOSTS",
        ):
            assert required in environment
        assert environment["DJANGO_DEBUG"] == "0"
        assert (
            "@postgres:" in environment["DATABASE_URL"]
            and "redis://redis:" in environment["CELERY_BROKER_URL"]
        )


def test_database_connections_are_persistent_and_health_checked(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


@pytest.mark.skipif(
    not os.environ.get("CANDIDACY_REQUIRE_SERVICES"), reason="only CI promises PostgreSQL"
)
def test_ci_runs_the_suite_on_postgresql():
    assert connection.vendor == "postgresql"


@pytest.mark.django_db
def test_no_model_change_is_missing_its_migration():
    from django.core.management import call_command

    # --check exits non-zero (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
