# Candidacy: `make run` serves the app with demo data; `make test` runs the tests.
# With no DATABASE_URL the app uses SQLite in this folder; with no CELERY_BROKER_URL
# Celery tasks run in-process.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_PATIENTS ?= 300
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint audit migrate demo bench bench-install bench-1m clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --noinput

demo: migrate
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py seed_demo --patients $(DEMO_PATIENTS)
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py screen_all

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (demo logins are in README.md)"
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# mypy checks the `files` in pyproject.toml: every package, migrations and tests aside.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Known vulnerabilities in the installed dependencies: pip-audit --strict. Exits 2, saying
# "could not reach the vulnerability database (...); nothing was checked", when the database
# does not answer (offline, or an index mirror only): an unchecked audit is not a pass.
audit: install
	$(BIN)/python tools/audit_dependencies.py

test: install lint
	$(BIN)/python -m pytest

# Benchmarks print figures; they are not tests (docs/performance.md says what each means).
# They run with production settings, DEBUG off (with DEBUG on Django keeps every query in
# memory, 830 MB per Celery child), plain http on localhost, and need PostgreSQL and Redis:
# BENCH_DATABASE_URL and BENCH_BROKER_URL (defaults below).
BENCH_PATIENTS ?= 100000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/candidacy_bench
BENCH_1M_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/candidacy_bench_1m
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/14
BENCH_SECRET_KEY := bench-only-$(shell od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
BENCH_SETTINGS = CELERY_BROKER_URL=$(BENCH_BROKER_URL) CELERY_RESULT_BACKEND=$(BENCH_BROKER_URL) \
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$(BENCH_SECRET_KEY) \
	DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost,testserver \
	DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_HSTS_SECONDS=0
BENCH = DATABASE_URL=$(BENCH_DATABASE_URL) $(BENCH_SETTINGS) $(BIN)/python manage.py

bench-install: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'

bench: bench-install
	$(BENCH_SETTINGS) $(BIN)/python manage.py bench_engine
	createdb -h 127.0.0.1 -U postgres candidacy_bench 2>/dev/null || true
	$(BENCH) migrate --noinput -v0
	$(BENCH) bench_worklist --patients $(BENCH_PATIENTS)
	$(BENCH) explain_worklist
	$(BENCH) bench_load
	$(BENCH) bench_rescreen
	$(BENCH) bench_preview

# The query plans at a million patients: a copy of the bench database, grown in SQL.
bench-1m: bench-install
	dropdb -h 127.0.0.1 -U postgres --if-exists candidacy_bench_1m
	createdb -h 127.0.0.1 -U postgres -T candidacy_bench candidacy_bench_1m
	DATABASE_URL=$(BENCH_1M_DATABASE_URL) $(BENCH_SETTINGS) $(BIN)/python manage.py \
		bench_multiply --patients 1000000 --yes-this-is-a-bench-database
	DATABASE_URL=$(BENCH_1M_DATABASE_URL) $(BENCH_SETTINGS) $(BIN)/python manage.py explain_worklist

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache db.sqlite3
