"""Decision concordance, the selectors: the counts, the departure rates by group, the filters."""

import datetime

import pytest

from candidacy.reviews.concordance.departures import departures_page
from candidacy.reviews.concordance.selectors import (
    MIN_DECISIONS,
    NO_BAND,
    NO_VERSION,
    Breakdown,
    Filters,
    Rate,
    age_group_index,
    age_in_years,
    concordance_report,
    wilson_interval,
)
from rules.specs import EXCLUDED, POSSIBLE, STRONG, UNLIKELY

from ..clock import FROZEN_NOW, days_ago
from ..factories import CentreFactory
from .concordance_cases import (
    CROHNS,
    MS,
    SLE,
    SSC,
    State,
    decided,
    make_cases,
)

pytestmark = pytest.mark.django_db
REFERRED, DEFERRED, DECLINED = (d.label for d in (State.REFERRED, State.DEFERRED, State.DECLINED))


@pytest.fixture
def second(coordinator):
    """The coordinator's second centre."""
    centre = CentreFactory(code="srh", name="Southside Referring Hospital")
    centre.members.add(coordinator)
    return centre


@pytest.fixture
def cases(centre, second, other_centre):
    return make_cases(centre, second, other_centre)


def groups(report, key):
    breakdown = next(b for b in report.breakdowns if b.key == key)
    return [(g.label, g.decisions, g.departures) for g in breakdown.groups]


# --- The counts ---------------------------------------------------------------------------------


def test_it_counts_the_decisions_of_the_users_centres_and_how_many_depart(coordinator, cases):
    report = concordance_report(coordinator, Filters())
    # Eight decisions in ntc and srh, four departures; far's decision and the open review never.
    assert (report.overall.decisions, report.overall.departures) == (8, 4)
    assert report.overall.percent == 50


def test_the_decision_by_band_table_marks_the_departures(coordinator, cases):
    matrix = concordance_report(coordinator, Filters()).matrix
    assert matrix.bands[:3] == [STRONG, POSSIBLE, "Incomplete"] and matrix.bands[-1] == NO_BAND
    table = {
        (label, matrix.bands[i]): (cell.count, cell.departs)
        for label, cells, _total in matrix.rows
        for i, cell in enumerate(cells)
        if cell.count
    }
    assert table == {
        (REFERRED, STRONG): (1, False),
        (REFERRED, POSSIBLE): (1, False),
        (REFERRED, UNLIKELY): (1, True),  # referring a patient the score did not call a candidate
        (REFERRED, NO_BAND): (1, True),
        (DEFERRED, POSSIBLE): (1, False),
        (DEFERRED, STRONG): (1, True),  # deferring a Strong candidate
        (DECLINED, STRONG): (1, True),
        (DECLINED, EXCLUDED): (1, False),
    }
    assert [(label, total) for label, _cells, total in matrix.rows] == [
        (REFERRED, 4),
        (DEFERRED, 2),
        (DECLINED, 2),
    ]


def test_it_breaks_the_departures_down_by_rule_set_version(coordinator, cases):
    report = concordance_report(coordinator, Filters())
    assert groups(report, "version") == [("v1", 2, 1), ("v2", 5, 2), (NO_VERSION, 1, 1)]


def test_it_breaks_the_departures_down_by_centre(coordinator, cases):
    report = concordance_report(coordinator, Filters())
    assert groups(report, "centre") == [
        ("North Transplant Centre", 5, 2),
        ("Southside Referring Hospital", 3, 2),
    ]


def test_it_breaks_the_departures_down_by_disease_by_name(coordinator, cases):
    report = concordance_report(coordinator, Filters())
    assert groups(report, "disease") == [(CROHNS, 1, 1), (MS, 5, 1), (SLE, 1, 1), (SSC, 1, 1)]


def test_it_breaks_the_departures_down_by_sex(coordinator, cases):
    report = concordance_report(coordinator, Filters())
    assert groups(report, "sex") == [("Female", 6, 3), ("Male", 2, 1)]


def test_it_breaks_the_departures_down_by_age_group_at_decision(coordinator, cases):
    report = concordance_report(coordinator, Filters())
    # Ages 30, 34, 40, 40, 45, 50, 60, 70.
    assert groups(report, "age") == [
        ("18–39", 2, 0),
        ("40–54", 4, 2),
        ("55–64", 1, 1),
        ("65 and over", 1, 1),
    ]


@pytest.mark.parametrize(
    "born, group",
    [
        (datetime.date(1986, 4, 2), "18–39"),  # 40 tomorrow
        (datetime.date(1986, 4, 1), "40–54"),  # 40 today, in London: UTC is still 31 March
        (datetime.date(1971, 4, 1), "55–64"),  # 55 today
        (datetime.date(2009, 4, 2), "Under 18"),
        (datetime.date(1961, 3, 31), "65 and over"),  # 65 yesterday
        (datetime.date(1964, 2, 29), "55–64"),  # 62, born on a leap day
    ],
)
def test_the_age_is_counted_on_the_day_of_the_decision_in_the_clinics_time_zone(
    coordinator, centre, born, group
):
    # Declining a Strong candidate departs: the departures list counts the age too.
    decided(centre, band=STRONG, decision=State.DECLINED, decided_at=FROZEN_NOW, born=born)
    report = concordance_report(coordinator, Filters())
    assert [label for label, _n, _d in groups(report, "age")] == [group]
    page = departures_page(coordinator, Filters(), report.matrix.departing, None)
    assert [row.age_group for row in page.rows] == [group]


def test_the_age_counts_a_leap_day_birthday_from_1_march_in_other_years():
    born = datetime.date(2000, 2, 29)
    assert age_in_years(born, datetime.date(2001, 2, 28)) == 0
    assert age_in_years(born, datetime.date(2001, 3, 1)) == 1
    assert age_in_years(born, datetime.date(2004, 2, 29)) == 4
    assert [age_group_index(age) for age in (17, 18, 39, 40, 54, 55, 64, 65, 110)] == [
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]


def test_a_group_too_small_has_no_rate_rather_than_a_misleading_one():
    assert MIN_DECISIONS == 5
    small = Rate("Few", MIN_DECISIONS - 1, MIN_DECISIONS - 1)
    assert (small.meaningful, small.percent, small.likely_range) == (False, None, None)
    enough = Rate("Enough", MIN_DECISIONS, 1)
    assert enough.percent == 20 and enough.likely_range is not None


def test_a_chart_compares_the_meaningful_rates_when_there_are_two():
    few, north, south = Rate("Few", 2, 1), Rate("North", 10, 1), Rate("South", 5, 4)
    assert Breakdown("centre", "Centre", [few, north, south]).charted == [north, south]
    assert Breakdown("centre", "Centre", [few, north]).charted == []


def test_the_likely_range_is_the_wilson_interval():
    low, high = wilson_interval(5, 10)
    assert (round(low, 1), round(high, 1)) == (23.7, 76.3)
    low, high = wilson_interval(0, 10)
    assert (low, round(high, 1)) == (0.0, 27.8)


# --- The filters --------------------------------------------------------------------------------


def test_it_filters_by_rule_set_version(coordinator, cases):
    report = concordance_report(coordinator, Filters(version="1"))
    assert (report.overall.decisions, report.overall.departures) == (2, 1)


def test_it_filters_by_one_of_the_users_centres(coordinator, second, cases):
    report = concordance_report(coordinator, Filters(centre_id=second.pk))
    assert (report.overall.decisions, report.overall.departures) == (3, 2)


def test_it_filters_by_the_day_of_the_decision(coordinator, cases):
    report = concordance_report(
        coordinator, Filters(decided_from=days_ago(4), decided_to=days_ago(2))
    )
    # Decided 4, 3 and 2 days ago, all three departures (the 5-day-old deferral is not).
    assert (report.overall.decisions, report.overall.departures) == (3, 3)


def test_a_decision_just_after_midnight_counts_on_the_clinics_day(coordinator, centre):
    decided(centre, band=STRONG, decision=State.REFERRED, decided_at=FROZEN_NOW)  # 31 Mar in UTC
    today = FROZEN_NOW.date()
    assert concordance_report(coordinator, Filters(decided_from=today)).overall.decisions == 1
    yesterday = today - datetime.timedelta(days=1)
    assert concordance_report(coordinator, Filters(decided_to=yesterday)).overall.decisions == 0


# --- The departures -----------------------------------------------------------------------------


def test_a_departure_row_is_in_words(coordinator, cases):
    report = concordance_report(coordinator, Filters())
    page = departures_page(coordinator, Filters(), report.matrix.departing, None)
    row = next(d for d in page.rows if d.mrn == "D-3")
    assert (row.version, row.band, row.decision, row.reason) == (
        "v1",
        STRONG,
        DEFERRED,
        "Awaiting MRI",
    )
    assert (row.centre, row.disease, row.sex, row.age_group) == (
        "Southside Referring Hospital",
        MS,
        "Female",
        "40–54",
    )
