"""Configuration mistakes surface as system checks with ids (common/checks.py)."""

import pytest

from common import checks


def ids(messages):
    return {m.id for m in messages}


@pytest.mark.parametrize(
    "url", ["", "candidacy.example.org", "ftp://candidacy.example.org", "https://"]
)
def test_a_base_url_that_is_not_an_http_address_is_an_error(settings, url):
    settings.CANDIDACY_BASE_URL = url
    assert ids(checks.check_base_url()) == {"candidacy.E001"}


def test_a_proper_base_url_passes(settings):
    settings.CANDIDACY_BASE_URL = "https://candidacy.example.org/"
    assert checks.check_base_url() == []
    assert checks.check_production_base_url() == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "https://localhost", "http://[::1]:8000"])
def test_production_refuses_a_base_url_on_this_machine(settings, url):
    settings.CANDIDACY_BASE_URL = url
    assert ids(checks.check_production_base_url()) == {"candidacy.E002"}


def test_production_refuses_a_plain_http_base_url(settings):
    settings.CANDIDACY_BASE_URL = "http://candidacy.example.org"
    assert ids(checks.check_production_base_url()) == {"candidacy.E003"}


def test_production_needs_a_broker_and_not_sqlite():
    errors = checks.production_service_errors(
        broker_url="", database_engine="django.db.backends.sqlite3"
    )
    assert ids(errors) == {"candidacy.E004", "candidacy.E005"}


def test_production_with_a_broker_and_postgresql_passes():
    errors = checks.production_service_errors(
        broker_url="redis://redis:6379/0", database_engine="django.db.backends.postgresql"
    )
    assert errors == []


@pytest.mark.parametrize("idle, absolute", [(0, 100), (100, 0), (200, 100)])
def test_session_timeouts_must_be_positive_and_idle_within_absolute(settings, idle, absolute):
    settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_TIMEOUT = idle, absolute
    assert ids(checks.check_session_timeouts()) == {"candidacy.W001"}


@pytest.mark.parametrize(
    "behind, proxies, expected",
    [(True, 0, {"candidacy.W002"}), (True, 1, set()), (False, 0, set())],
)
def test_behind_a_proxy_the_lock_out_must_count_the_proxies(settings, behind, proxies, expected):
    settings.BEHIND_PROXY, settings.AXES_IPWARE_PROXY_COUNT = behind, proxies
    assert ids(checks.check_proxy_addresses()) == expected
