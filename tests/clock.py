"""The one instant every test runs at, and dates counted from it.

tests/conftest.py travels there with time-machine, so ``timezone.now()``,
``timezone.localdate()``, ``date.today()`` and ``time.time()`` read it in this process and
its threads (the live server, Celery's test worker), whatever day the tests run on.
Build test data from these constants, not from the clock.
"""

import datetime as dt
from zoneinfo import ZoneInfo

# Wednesday 1 April 2026, 00:30 in London (settings.TIME_ZONE), which is 23:30 UTC on
# Tuesday 31 March. Chosen so that date mistakes fail here instead of passing by luck:
# - British Summer Time, in the one hour when the UTC date is still the day before, in the
#   month and quarter before: `timezone.now().date()` where `timezone.localdate()` was meant
#   is a different day (in winter, London and UTC agree and hide it);
# - the clocks went forward three days earlier: a few days counted in hours is not a few
#   days here;
# - the months before have 31 and 28 days: a month is not 30 days here;
# - not the day these tests were written (1 December 2026), and in the past, where the real
#   clock only moves further away: anything still reading the real clock disagrees;
# - after every date that tests date records from (the Synthea bundles end in 2022,
#   seed_demo's tests seed as of 30 June 2025). The migration test's dump of 1 December
#   2026 is later, but it is only restored and read back, never dated against today.
FROZEN_NOW = dt.datetime(2026, 4, 1, 0, 30, tzinfo=ZoneInfo("Europe/London"))
TODAY = FROZEN_NOW.date()


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def days_ahead(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)
