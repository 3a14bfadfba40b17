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

.PHONY: install run test lint audit migrate demo bench bench-install bench-1m clean backup restore faults bench-faults

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

# The fault suite: PostgreSQL and Redis behind proxies that cut or pause them, a worker killed
# mid-job. Needs DATABASE_URL and CELERY_BROKER_URL; prints each scenario's time to
# consistency and its lost, stale and duplicate screenings. FAULT_PATIENTS=10000 for the
# figures the README gives.
faults: install
	$(BIN)/python -m pytest -m faults tests/faults -p no:cacheprovider

# The same scenarios at the size of the README's figures (10,000 patients).
bench-faults: install
	FAULT_PATIENTS=$${FAULT_PATIENTS:-10000} FAULT_CHUNK_PATIENTS=200 FAULT_WAIT_SECONDS=900 \
		$(BIN)/python -m pytest -m faults tests/faults -p no:cacheprovider

# Backups of the PostgreSQL database named by DATABASE_URL (README, "Backup and restore").
# `make backup` writes BACKUP_DIR/candidacy-<UTC time>.dump (pg_dump's custom format);
# `make restore DUMP=file` restores one into DATABASE_URL, in one transaction: a restore
# that fails leaves the database as it was. Restore into a new, empty database.
BACKUP_DIR ?= backups

backup:
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL to the database to back up."; exit 2; }
	mkdir -p $(BACKUP_DIR)
	pg_dump --format=custom --file="$(BACKUP_DIR)/candidacy-$$(date -u +%Y%m%dT%H%M%SZ).dump" \
		--dbname="$$DATABASE_URL"
	@ls -l $(BACKUP_DIR) | tail -n 1

restore:
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL to the (new, empty) database to restore into."; exit 2; }
	@test -f "$(DUMP)" || { echo "Name the dump: make restore DUMP=backups/candidacy-....dump"; exit 2; }
	pg_restore --single-transaction --exit-on-error --dbname="$$DATABASE_URL" "$(DUMP)"
	@echo "Restored $(DUMP). Next: manage.py migrate --check, then start web, worker and beat."

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache db.sqlite3
