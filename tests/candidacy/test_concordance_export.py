"""The concordance CSVs: the departures (one row each, with the reason) and the summary tables."""

import csv
import io

import pytest
from django.urls import reverse

from candidacy.reviews.concordance import departures as departures_module
from candidacy.reviews.concordance.export import (
    DEPARTS,
    DEPARTURES_HEADER,
    LOGGED_AS,
    MATRIX_TABLE,
    SUMMARY_HEADER,
)
from candidacy.reviews.concordance.forms import UNKNOWN_VERSION
from candidacy.reviews.concordance.selectors import TOO_FEW
from candidacy.worklist.models import ExportLog
from rules.specs import STRONG

from ..factories import CentreFactory
from .concordance_cases import FORMULA_REASON, MS, SSC, make_cases

pytestmark = pytest.mark.django_db
DEPARTURES = "reviews:concordance:departures_csv"
SUMMARY = "reviews:concordance:summary_csv"


@pytest.fixture
def second(coordinator, criteria_admin):
    centre = CentreFactory(code="srh", name="Southside Referring Hospital")
    centre.members.add(coordinator, criteria_admin)
    return centre


@pytest.fixture
def cases(centre, second, other_centre):
    return make_cases(centre, second, other_centre)


def download(client, name, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text))), text


def test_the_departures_csv_has_one_row_per_departure_with_its_reason(
    client_for, coordinator, cases, monkeypatch
):
    monkeypatch.setattr(departures_module, "EXPORT_CHUNK", 1)  # several keyset chunks
    rows, text = download(client_for(coordinator), DEPARTURES)
    assert text.splitlines()[0].split(",") == DEPARTURES_HEADER
    assert [r["MRN"] for r in rows] == ["D-4", "D-3", "D-2", "D-1"]  # newest first, no repeats
    first_decided = rows[-1]
    assert first_decided == {
        "Decided on": "28 Mar 2026",
        "MRN": "D-1",
        "Centre": "North Transplant Centre",
        "Disease": SSC,
        "Sex": "Male",
        "Age at decision": "55–64",
        "Rule-set version": "v2",
        "Band at decision": STRONG,
        "Decision": "Declined",
        "Reason given": "Patient prefers to wait",
    }
    assert rows[1]["Disease"] == MS and rows[1]["Reason given"] == "Awaiting MRI"
    assert "Far away reason" not in text and "FAR-1" not in text  # another centre's


def test_a_reason_that_a_spreadsheet_would_run_is_made_safe(client_for, coordinator, cases):
    rows, _text = download(client_for(coordinator), DEPARTURES)
    reason = next(r["Reason given"] for r in rows if r["MRN"] == "D-2")
    assert reason == "'" + FORMULA_REASON


def test_the_departures_export_is_logged_with_its_filters_and_row_count(
    client_for, coordinator, cases
):
    download(client_for(coordinator), DEPARTURES, centre="srh", version="1")
    log = ExportLog.objects.get()
    assert log.user == coordinator
    assert log.filters == {"report": LOGGED_AS, "version": "1", "centre": "srh"}
    assert (log.row_count, log.finished) == (1, True)


def test_the_csvs_follow_the_date_filters(client_for, coordinator, cases):
    rows, _text = download(
        client_for(coordinator), DEPARTURES, decided_from="2026-03-29", decided_to="2026-03-30"
    )
    assert [r["MRN"] for r in rows] == ["D-3", "D-2"]


def test_the_summary_csv_has_the_tables_and_no_patient(client_for, coordinator, cases):
    rows, text = download(client_for(coordinator), SUMMARY)
    assert text.splitlines()[0].split(",") == SUMMARY_HEADER
    overall = next(r for r in rows if r["Table"] == "All decisions")
    assert (overall["Decisions"], overall["Departures"], overall["Departure rate %"]) == (
        "8",
        "4",
        "50.0",
    )
    assert overall["Likely range % (95%)"] == "21.5–78.5"
    declined_strong = next(
        r
        for r in rows
        if r["Table"] == MATRIX_TABLE
        and r["Group"] == "Declined"
        and r["Band at decision"] == STRONG
    )
    assert (declined_strong["Decisions"], declined_strong["Note"]) == ("1", DEPARTS)
    southside = next(r for r in rows if r["Group"] == "Southside Referring Hospital")
    assert (southside["Table"], southside["Decisions"], southside["Departures"]) == (
        "Centre",
        "3",
        "2",
    )
    assert (southside["Departure rate %"], southside["Note"]) == ("", TOO_FEW)
    assert {r["Table"] for r in rows} == {
        MATRIX_TABLE,
        "All decisions",
        "Rule-set version",
        "Centre",
        "Disease",
        "Sex",
        "Age at decision",
    }
    for identifying in ("D-1", "A-1", "Patient prefers to wait"):
        assert identifying not in text
    assert not ExportLog.objects.exists()  # counts only: nothing to log


def test_an_invalid_filter_refuses_the_csv_with_the_reason(client_for, coordinator, cases):
    for name in (DEPARTURES, SUMMARY):
        response = client_for(coordinator).get(reverse(name), {"version": "99"})
        assert response.status_code == 400
        assert UNKNOWN_VERSION in response.content.decode()
    assert not ExportLog.objects.exists()


def test_the_page_links_to_both_csvs_with_the_filters_in_force(client_for, criteria_admin, cases):
    client = client_for(criteria_admin)
    page = client.get(reverse("reviews:concordance:report"), {"centre": "srh"}).content.decode()
    for name in (DEPARTURES, SUMMARY):
        assert f'href="{reverse(name)}?centre=srh"' in page
    rows, _text = download(client, DEPARTURES, centre="srh")  # criteria admins may download
    assert [r["MRN"] for r in rows] == ["D-4", "D-3"]
