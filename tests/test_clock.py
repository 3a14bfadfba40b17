"""The clock the tests run on: tests/clock.py's FROZEN_NOW, however the app reads it."""

import datetime
import time

import pytest
from django.utils import timezone

from .clock import FROZEN_NOW, TODAY

A_MINUTE = datetime.timedelta(minutes=1)


def test_every_way_of_reading_the_clock_starts_at_the_frozen_instant():
    assert FROZEN_NOW <= timezone.now() < FROZEN_NOW + A_MINUTE  # it ticks from there
    assert FROZEN_NOW.timestamp() <= time.time() < (FROZEN_NOW + A_MINUTE).timestamp()
    assert timezone.localdate() == datetime.date.today() == TODAY
    # Why this instant: in London it is already the day UTC has not reached (tests/clock.py).
    assert timezone.now().date() == TODAY - datetime.timedelta(days=1)


@pytest.mark.parametrize("run", ["first", "second"])
def test_each_test_starts_at_the_frozen_instant_whatever_the_one_before_did(clock, run):
    assert timezone.localdate() == TODAY
    clock.shift(datetime.timedelta(days=40))
    assert timezone.localdate() == TODAY + datetime.timedelta(days=40)


@pytest.mark.real_clock
def test_a_real_clock_test_reads_the_real_clock(clock):
    # The real clock has passed FROZEN_NOW for good; nothing here depends on today's date.
    assert clock is None
    assert time.time() > (FROZEN_NOW + datetime.timedelta(days=1)).timestamp()
