"""Fixtures of the fault suite (`make faults`): real PostgreSQL and Redis behind proxies."""

import os

import pytest
from django.db import connection

from .harness import FIGURES, PATIENTS, Service, service_env
from .proxy import FaultProxy

FAULT_REDIS_DB = os.environ.get("FAULT_REDIS_DB", "7")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults/" in str(item.fspath):
            # Outcomes only; the real clock, as the worker processes have it.
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.real_clock)
            item.add_marker(pytest.mark.django_db(transaction=True))


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("fault suite: time to consistency and counts")
        for figures in FIGURES:
            terminalreporter.write_line(figures.line())


@pytest.fixture
def services_required():
    reason = ""
    if connection.vendor != "postgresql":
        reason = "the fault suite needs PostgreSQL: set DATABASE_URL"
    elif not os.environ.get("CELERY_BROKER_URL"):
        reason = "the fault suite needs Redis: set CELERY_BROKER_URL"
    if reason:
        if os.environ.get("CANDIDACY_REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def db_proxy(services_required):
    proxy = FaultProxy(int(connection.settings_dict.get("PORT") or 5432)).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def redis_proxy(services_required):
    proxy = FaultProxy(6379).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def redis_url(redis_proxy):
    return redis_proxy.url("redis", FAULT_REDIS_DB)


@pytest.fixture
def web_broker(redis_url):
    """This process (the web's role) queues through the proxied broker, not in-process."""
    from config.celery import app

    before = (app.conf.broker_write_url, app.conf.task_always_eager)
    app.conf.update(broker_write_url=redis_url, task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    with app.connection_for_write() as conn:  # start from an empty queue
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    yield app
    app.conf.update(broker_write_url=before[0], task_always_eager=before[1])
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def start_service(db_proxy, redis_url, tmp_path):
    """``start_service("worker", "w1")``: a worker or beat through the proxies; killed after."""
    started = []

    def start(kind, name):
        service = Service(kind, service_env(db_proxy.port, redis_url), name, tmp_path)
        started.append(service)
        return service

    yield start
    for service in started:
        service.kill()
    connection.close()


@pytest.fixture
def population(migration_data):
    """PATIENTS demo patients (FAULT_PATIENTS), each screened with the active version."""
    from django.core.management import call_command

    from candidacy.screening import services
    from patients.models import Patient

    call_command("seed_demo", patients=PATIENTS, allow_without_debug=True, verbosity=0)
    ids = list(Patient.objects.living().order_by("pk").values_list("pk", flat=True))
    for chunk in services.chunks(ids):
        services.screenings_record_many(patient_ids=chunk)
    return ids
