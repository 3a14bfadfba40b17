"""The decision concordance page: the filters, who sees it, the words, the paging, its cost."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidacy.reviews.concordance import departures as departures_module
from candidacy.reviews.concordance.departures import BAD_CURSOR
from candidacy.reviews.concordance.forms import (
    BAD_DATE,
    DATE_OUT_OF_RANGE,
    DATES_BACKWARDS,
    NOT_YOUR_CENTRE,
    UNKNOWN_VERSION,
)
from candidacy.reviews.concordance.selectors import TOO_FEW
from rules.specs import POSSIBLE, STRONG, UNLIKELY

from ..factories import CentreFactory
from .concordance_cases import MS, State, decided, make_cases

pytestmark = pytest.mark.django_db
URL = "reviews:concordance:report"
REFERRED, DECLINED = State.REFERRED.label, State.DECLINED.label


@pytest.fixture
def second(coordinator, criteria_admin, clinician):
    """The users' second centre: each of them belongs to it too."""
    centre = CentreFactory(code="srh", name="Southside Referring Hospital")
    centre.members.add(coordinator, criteria_admin, clinician)
    return centre


@pytest.fixture
def cases(centre, second, other_centre):
    return make_cases(centre, second, other_centre)


def get(client, **params):
    return client.get(reverse(URL), params)


# --- Filters --------------------------------------------------------------------------------


def test_it_filters_by_one_of_the_users_centres(client_for, coordinator, second, cases):
    response = get(client_for(coordinator), centre="srh")
    assert response.status_code == 200
    overall = response.context["report"].overall
    assert (overall.decisions, overall.departures) == (3, 2)


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"version": "99"}, "version", UNKNOWN_VERSION),
        ({"centre": "far"}, "centre", NOT_YOUR_CENTRE),  # a centre, but not the user's
        ({"decided_from": "last week"}, "decided_from", BAD_DATE),
        ({"decided_to": "9999-12-31"}, "decided_to", DATE_OUT_OF_RANGE),
        ({"decided_from": "2026-03-10", "decided_to": "2026-03-01"}, "decided_to", DATES_BACKWARDS),
        ({"cursor": "not-a-cursor"}, "cursor", BAD_CURSOR),
    ],
)
def test_an_invalid_filter_gets_a_400_with_the_message_beside_the_field(
    client_for, coordinator, cases, params, field, message
):
    response = get(client_for(coordinator), **params)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    page = html.unescape(response.content.decode())
    if field == "cursor":  # a hidden field: the summary at the top says it
        assert page.count(message) == 1
    else:  # in the summary at the top, and beside the field
        assert page.count(message) == 2 and f'id="id_{field}-error">{message}' in page
    assert 'id="matrix"' not in page and "Sign out" in page  # no report, the page still whole


# --- Who sees it --------------------------------------------------------------------------------


def test_criteria_admins_see_it_without_links_to_reviews_they_cannot_open(
    client_for, criteria_admin, cases
):
    response = get(client_for(criteria_admin))
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "MRN D-1" in page
        and reverse("reviews:detail", args=[cases.depart[0].patient.public_id]) not in page
    )


def test_coordinators_see_it_with_each_departure_linked_to_its_review(
    client_for, coordinator, cases
):
    page = get(client_for(coordinator)).content.decode()
    for review in cases.depart:
        link = reverse("reviews:detail", args=[review.patient.public_id])
        assert f'<a href="{link}">MRN {review.patient.mrn}</a>' in page


@pytest.mark.parametrize(
    "name", [URL, "reviews:concordance:departures_csv", "reviews:concordance:summary_csv"]
)
def test_clinicians_are_refused(client_for, clinician, cases, name):
    assert client_for(clinician).get(reverse(name)).status_code == 403


def test_the_top_bar_links_to_it_for_those_who_may_see_it(
    client_for, clinician, coordinator, criteria_admin
):
    link = f'href="{reverse(URL)}"'
    for user, shown in ((coordinator, True), (criteria_admin, True), (clinician, False)):
        page = client_for(user).get(reverse("rules:active")).content.decode()
        assert (link in page) is shown, user


def test_another_centres_coordinator_sees_only_their_own_decisions(
    client_for, other_coordinator, cases
):
    response = get(client_for(other_coordinator))
    report = response.context["report"]
    assert (report.overall.decisions, report.overall.departures) == (1, 1)
    page = response.content.decode()
    assert "Far away reason" in page and "Patient prefers to wait" not in page


# --- The page -----------------------------------------------------------------------------------


def test_the_page_speaks_in_words_and_says_when_a_rate_means_nothing(
    client_for, coordinator, cases
):
    response = get(client_for(coordinator))
    page = html.unescape(response.content.decode()).split('id="content"', 1)[1]
    for words in (REFERRED, DECLINED, STRONG, MS, "Southside Referring Hospital", "Awaiting MRI"):
        assert words in page
    for code in ("ms_rr", "ssc", ">declined<", ">referred<", ">srh<"):
        assert code not in page
    assert TOO_FEW in page  # Southside's three decisions, v1's two
    centres = response.context["chart_data"]["charts"][1]
    # North's rate alone is meaningful (Southside has three decisions): nothing to compare.
    assert centres == {"id": "chart-centre", "rows": []} and 'id="chart-centre"' not in page
    assert 'id="concordance-data"' in page and "js/concordance.js" in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "cdn" not in page.lower()


def test_the_charts_get_the_rates_they_compare_as_data(client_for, coordinator, centre, second):
    for i in range(6):
        decided(centre, band=STRONG, decision=State.DECLINED if i < 3 else State.REFERRED)
        decided(second, band=STRONG, decision=State.DECLINED if i < 1 else State.REFERRED)
    response = get(client_for(coordinator))
    chart = response.context["chart_data"]["charts"][1]
    assert chart["id"] == "chart-centre"
    assert [(r["label"], r["decisions"], r["departures"], r["percent"]) for r in chart["rows"]] == [
        ("North Transplant Centre", 6, 3, 50.0),
        ("Southside Referring Hospital", 6, 1, 16.7),
    ]
    assert chart["rows"][0]["low"] < 50 < chart["rows"][0]["high"]
    assert '<canvas id="chart-centre"' in response.content.decode()


def test_the_departures_are_paged_newest_first(client_for, coordinator, cases, monkeypatch):
    monkeypatch.setattr(departures_module, "PAGE_SIZE", 3)
    client = client_for(coordinator)
    first = get(client).context["page"]
    assert [d.mrn for d in first.rows] == ["D-4", "D-3", "D-2"] and first.newer is None
    second_page = get(client, cursor=first.older).context["page"]
    assert [d.mrn for d in second_page.rows] == ["D-1"] and second_page.older is None
    back = get(client, cursor=second_page.newer).context["page"]
    assert [d.mrn for d in back.rows] == ["D-4", "D-3", "D-2"] and back.newer is None


def test_the_page_costs_a_fixed_number_of_queries_whatever_the_volume(
    client_for, coordinator, centre, second, django_assert_max_num_queries
):
    client = client_for(coordinator)

    def measure():
        get(client)  # warm: the session, the content types
        with CaptureQueriesContext(connection) as queries:
            assert get(client).status_code == 200
        return len(queries)

    decided(centre, band=STRONG, decision=State.DECLINED, reason="r")
    few = measure()
    for i in range(30):
        decided(
            second if i % 2 else centre,
            band=(STRONG, POSSIBLE, UNLIKELY)[i % 3],
            decision=(State.REFERRED, State.DECLINED)[i % 2],
            version=str(1 + i % 2),
            disease_key=("ms_rr", "sle", "ssc")[i % 3],
            age=25 + i * 2,
            days=1 + i,
            reason=f"reason {i}",
        )
    assert measure() == few
    # The session (4, with its sliding expiry), the user and permissions (3), the versions and
    # the user's centres (3), five counts, the page of departures, the top bar (2).
    # 18, the access log's one insert, and the badge of referrals waiting too long
    with django_assert_max_num_queries(20):
        get(client)
