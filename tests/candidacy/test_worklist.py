"""The worklist: the user's patients ranked, filtered, searched, sorted and paged by keyset."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidacy.reviews.models import Review
from candidacy.worklist import selectors as worklist
from candidacy.worklist.keyset import Cursor
from common.guards import NUL_REFUSED
from rules.specs import (
    EXCLUDED,
    INCOMPLETE,
    NOT_INDICATED,
    POSSIBLE,
    STRONG,
    TRIAL_ONLY,
    UNLIKELY,
)

from ..clock import TODAY
from ..factories import CentreFactory, PatientFactory, UserFactory, disease
from ..factories_candidacy import MET, ReviewFactory, ScreeningFactory, exclusion_line, minutes_ago

pytestmark = pytest.mark.django_db

NAME_LINK = re.compile(r'<a href="/patients/[0-9a-f-]+/">([^<]+)</a>')


def screened(
    centre, family, band, score, *, given="Ann", disease_key="ms_rr", age=40, mrn=None, **kwargs
):
    patient = PatientFactory(
        centre=centre,
        family_name=family,
        given_name=given,
        disease=disease(disease_key),
        birth_date=datetime.date(TODAY.year - age, 1, 1),
        **({"mrn": mrn} if mrn else {}),
    )
    return ScreeningFactory(patient=patient, band=band, score=score, **kwargs)


def names(response) -> list[str]:
    return [html.unescape(n) for n in NAME_LINK.findall(response.content.decode())]


def link(response, rel) -> str | None:
    found = re.search(rf'rel="{rel}" href="\?([^"]+)"', response.content.decode())
    return html.unescape(found.group(1)) if found else None


@pytest.fixture
def ranked(centre, other_centre):
    """Six patients of the user's centre in a known order, and one of another centre."""
    return [
        screened(
            centre,
            "Fox",
            NOT_INDICATED,
            None,
            age=70,
            completeness=0.4,
            to_collect=["lvef", "dlco"],
        ),
        screened(centre, "Carter", STRONG, 70, disease_key="sle", age=30),
        screened(centre, "Dune", POSSIBLE, 95, age=50, mrn="NTC-0042"),
        screened(centre, "Able", STRONG, 90, age=25),
        screened(
            centre,
            "Eve",
            INCOMPLETE,
            50,
            disease_key="ms_sp",
            age=60,
            completeness=0.5,
            to_collect=["edss"],
        ),
        screened(
            centre,
            "Baker",
            STRONG,
            70,
            age=35,
            lines=[exclusion_line("pregnancy", "Pregnancy", "not_met")],
        ),
        screened(other_centre, "Zed", STRONG, 99),
    ]


def get(client, **params):
    return client.get(reverse("worklist:list"), params)


# --- Scope and order ------------------------------------------------------------------------------


def test_it_ranks_by_band_then_score_then_name(client_for, clinician, ranked):
    response = get(client_for(clinician))
    assert response.status_code == 200
    assert names(response) == [
        "Able, Ann",
        "Baker, Ann",
        "Carter, Ann",
        "Dune, Ann",
        "Eve, Ann",
        "Fox, Ann",
    ]


def test_gated_rows_show_no_score_and_sort_by_band_then_name(client_for, clinician, centre):
    # A gated band stores no score; within the band, the name decides.
    screened(centre, "Zed", TRIAL_ONLY, None)
    screened(centre, "Abe", TRIAL_ONLY, None)
    screened(centre, "Kay", NOT_INDICATED, None)
    screened(centre, "Lee", EXCLUDED, None)
    screened(centre, "Moe", UNLIKELY, 20)
    response = get(client_for(clinician))
    assert names(response) == ["Abe, Ann", "Zed, Ann", "Moe, Ann", "Lee, Ann", "Kay, Ann"]
    rows = response.content.decode().split("<tr data-patient=")[1:]
    assert "score-bar" not in rows[0] and "<strong>20</strong>" in rows[2]
    # Sorted by score, they come after every scored row.
    assert names(get(client_for(clinician), sort="score"))[0] == "Moe, Ann"


def test_it_hides_patients_of_other_centres(client_for, clinician, other_clinician, ranked):
    assert "Zed, Ann" not in names(get(client_for(clinician)))
    assert names(get(client_for(other_clinician))) == ["Zed, Ann"]


def test_it_shows_what_a_row_needs(client_for, coordinator, ranked):
    page = get(client_for(coordinator)).content.decode()
    assert "Supports a decision; the team decides." in page
    assert '<span class="band band-strong">Strong candidate</span>' in page
    # The score's bar: drawn as SVG, no inline style (the Content-Security-Policy forbids it).
    assert '<rect width="90" height="10" fill="#0a58ca">' in page
    assert "Missing: LVEF" in page  # Fox's first missing item
    assert "Multiple sclerosis, relapsing-remitting" in page
    assert f"{TODAY.day} {TODAY:%b %Y}" in page  # last screened, as 1 Apr 2026
    assert "No review" in page


def test_old_screenings_are_not_listed(client_for, clinician, centre, ranked):
    ScreeningFactory(patient=ranked[3].patient, band=UNLIKELY, score=10, is_current=False)
    assert names(get(client_for(clinician))).count("Able, Ann") == 1


def test_a_user_without_the_permission_is_refused(client_for, centre, ranked):
    stranger = UserFactory(username="nogroup")
    centre.members.add(stranger)
    assert get(client_for(stranger)).status_code == 403


# --- Filters and search ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, expected",
    [
        (
            {"disease": "ms"},
            ["Able, Ann", "Baker, Ann", "Dune, Ann", "Eve, Ann", "Fox, Ann"],
        ),  # any MS subtype
        ({"disease": "sle"}, ["Carter, Ann"]),
        ({"band": STRONG}, ["Able, Ann", "Baker, Ann", "Carter, Ann"]),
        ({"band": EXCLUDED}, []),
        ({"completeness": "complete"}, ["Able, Ann", "Baker, Ann", "Carter, Ann", "Dune, Ann"]),
        ({"completeness": "missing"}, ["Eve, Ann", "Fox, Ann"]),
        ({"completeness": "under_half"}, ["Fox, Ann"]),
        ({"age_min": 35, "age_max": 60}, ["Baker, Ann", "Dune, Ann", "Eve, Ann"]),
        ({"age_max": 29}, ["Able, Ann"]),
        ({"disease": "ms", "band": STRONG}, ["Able, Ann", "Baker, Ann"]),
    ],
)
def test_each_filter_narrows_the_list(client_for, clinician, ranked, params, expected):
    assert names(get(client_for(clinician), **params)) == expected


def test_it_filters_by_centre_among_the_users_centres(client_for, clinician, centre, ranked):
    second = CentreFactory(code="ctr2", name="Second Centre")
    second.members.add(clinician)
    screened(second, "Gale", STRONG, 100)
    client = client_for(clinician)
    assert names(get(client))[0] == "Gale, Ann"
    assert names(get(client, centre="ctr2")) == ["Gale, Ann"]
    assert "Gale, Ann" not in names(get(client, centre="ntc"))
    assert get(client, centre="far").status_code == 400  # not one of the user's centres


def test_it_filters_by_the_latest_review_state(client_for, clinician, ranked):
    able, baker = ranked[3], ranked[5]
    ReviewFactory(flag_screening=able, state=Review.State.DECLINED, flagged=minutes_ago(60))
    ReviewFactory(flag_screening=able, state=Review.State.FLAGGED, flagged=minutes_ago(5))  # latest
    ReviewFactory(flag_screening=baker, state=Review.State.REFERRED)
    client = client_for(clinician)
    assert names(get(client, review="flagged")) == ["Able, Ann"]
    assert names(get(client, review="declined")) == []
    assert names(get(client, review="referred")) == ["Baker, Ann"]
    assert names(get(client, review="none")) == ["Carter, Ann", "Dune, Ann", "Eve, Ann", "Fox, Ann"]
    page = get(client).content.decode()
    assert "Referred for transplant evaluation" in page and "Flagged" in page


@pytest.mark.parametrize(
    "q, expected",
    [
        ("able", ["Able, Ann"]),
        ("ANN carter", ["Carter, Ann"]),
        ("NTC-0042", ["Dune, Ann"]),  # MRN, exact
        ("ntc-0042", ["Dune, Ann"]),
        ("nobody", []),
    ],
)
def test_it_searches_by_name_or_mrn(client_for, clinician, ranked, q, expected):
    assert names(get(client_for(clinician), q=q)) == expected


def test_search_never_finds_another_centres_patient(client_for, clinician, ranked):
    assert names(get(client_for(clinician), q="zed")) == []


# --- Sorting --------------------------------------------------------------------------------------


def test_it_sorts_by_name(client_for, clinician, ranked):
    assert names(get(client_for(clinician), sort="name")) == [
        "Able, Ann",
        "Baker, Ann",
        "Carter, Ann",
        "Dune, Ann",
        "Eve, Ann",
        "Fox, Ann",
    ]


def test_it_sorts_by_score_highest_first_then_name(client_for, clinician, ranked):
    assert names(get(client_for(clinician), sort="score")) == [
        "Dune, Ann",
        "Able, Ann",
        "Baker, Ann",
        "Carter, Ann",
        "Eve, Ann",
        "Fox, Ann",
    ]


def test_it_sorts_by_last_screened_newest_first(client_for, clinician, centre):
    for minutes, family in ((30, "Old"), (1, "New"), (10, "Mid")):
        screened(centre, family, STRONG, 50, screened_at=minutes_ago(minutes))
    assert names(get(client_for(clinician), sort="screened")) == [
        "New, Ann",
        "Mid, Ann",
        "Old, Ann",
    ]


# --- Keyset pagination ----------------------------------------------------------------------------


def walk(client, params, rel):
    """Follow the next (or previous) links from the first page, collecting every page."""
    response = get(client, **params)
    pages = [names(response)]
    while (query := link(response, rel)) is not None:
        response = client.get(reverse("worklist:list") + "?" + query)
        assert response.status_code == 200
        pages.append(names(response))
    return pages, response


@pytest.mark.parametrize("sort", ["rank", "name", "score", "screened"])
def test_next_pages_cover_every_row_once_in_order(client_for, clinician, ranked, monkeypatch, sort):
    client = client_for(clinician)
    everything = names(get(client, sort=sort))
    monkeypatch.setattr(worklist, "PAGE_SIZE", 4 if sort == "score" else 2)
    pages, _last = walk(client, {"sort": sort} if sort != "rank" else {}, "next")
    assert [n for page in pages for n in page] == everything  # no overlap, no gap
    assert all(pages)


def test_previous_pages_walk_back_to_the_first(client_for, clinician, ranked, monkeypatch):
    client = client_for(clinician)
    monkeypatch.setattr(worklist, "PAGE_SIZE", 2)
    forward, last = walk(client, {}, "next")
    assert forward == [
        ["Able, Ann", "Baker, Ann"],
        ["Carter, Ann", "Dune, Ann"],
        ["Eve, Ann", "Fox, Ann"],
    ]
    assert link(last, "next") is None
    back = [names(last)]
    response = last
    while (query := link(response, "prev")) is not None:
        response = client.get(reverse("worklist:list") + "?" + query)
        back.append(names(response))
    assert back == list(reversed(forward))


def test_paging_keeps_the_filters(client_for, clinician, ranked, monkeypatch):
    monkeypatch.setattr(worklist, "PAGE_SIZE", 1)
    pages, _ = walk(client_for(clinician), {"band": STRONG}, "next")
    assert pages == [["Able, Ann"], ["Baker, Ann"], ["Carter, Ann"]]


def test_a_deep_page_costs_the_same_queries_as_the_first(
    client_for, clinician, centre, monkeypatch
):
    for i in range(12):
        s = screened(centre, f"Person{i:02d}", STRONG, 40 + i)
        ReviewFactory(
            flag_screening=s, state=Review.State.REFERRED if i % 2 else Review.State.FLAGGED
        )
    client = client_for(clinician)
    monkeypatch.setattr(worklist, "PAGE_SIZE", 2)
    get(client)  # warm the session
    with CaptureQueriesContext(connection) as first:
        response = get(client)
    for _ in range(4):
        response = client.get(reverse("worklist:list") + "?" + link(response, "next"))
    with CaptureQueriesContext(connection) as deep:
        response = client.get(reverse("worklist:list") + "?" + link(response, "next"))
    assert response.status_code == 200 and names(response)
    assert len(deep) == len(first)
    worklist_sql = [
        q["sql"]
        for q in deep.captured_queries
        if 'FROM "candidacy_screening"' in q["sql"] and "COUNT(" not in q["sql"].upper()
    ]
    # The total ("1–50 of 237") is counted only up to a cap, whatever the page.
    (count_sql,) = [
        q["sql"]
        for q in deep.captured_queries
        if "COUNT(" in q["sql"].upper() and 'FROM "candidacy_screening"' in q["sql"]
    ]
    assert f"LIMIT {worklist.COUNT_CAP + 1}" in count_sql
    review_sql = [
        q["sql"] for q in deep.captured_queries if '"candidacy_review"."patient_id" IN' in q["sql"]
    ]
    assert (
        len(worklist_sql) == 1 and len(review_sql) == 1
    )  # one page query, one for the review states
    assert "OFFSET" not in worklist_sql[0].upper() and "COUNT(" not in worklist_sql[0].upper()


def test_a_page_stays_within_a_fixed_query_budget(
    client_for, clinician, ranked, django_assert_max_num_queries
):
    client = client_for(clinician)
    get(client)
    with django_assert_max_num_queries(
        17
    ):  # session, user, permissions, nav, choices, page, reviews, the capped count
        assert get(client).status_code == 200


# --- Bad parameters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 10_000},
        {"band": "Best candidate"},
        {"sort": "id; DROP TABLE"},
        {"age_min": "old"},
        {"age_min": "60", "age_max": "20"},
        {"age_max": "9" * 10_000},
        {"review": "whatever"},
        {"cursor": "not-a-cursor"},
        {"cursor": "x" * 10_000},
    ],
)
def test_bad_parameters_get_a_400_with_the_reason(client_for, clinician, ranked, params):
    response = get(client_for(clinician), **params)
    assert response.status_code == 400
    assert "could not be used" in response.content.decode()


@pytest.mark.parametrize("params", [{"q": "abc\x00def"}, {"disease": "\x00"}])
def test_a_nul_in_a_parameter_gets_a_400_saying_so(client_for, clinician, ranked, params):
    # The guard (common/guards.py) answers before the form: no field accepts a NUL.
    response = get(client_for(clinician), **params)
    assert response.status_code == 400
    assert NUL_REFUSED in response.content.decode()


def test_a_forged_or_mismatched_cursor_is_refused(client_for, clinician, ranked):
    client = client_for(clinician)
    valid = Cursor("rank", False, (0, "able, ann", 1)).encode()
    assert get(client, cursor=valid).status_code == 200
    assert get(client, cursor=valid, sort="name").status_code == 400  # a cursor for another order
    tampered = valid[:-3] + ("aaa" if not valid.endswith("aaa") else "bbb")
    assert get(client, cursor=tampered).status_code == 400


# --- Why this rank --------------------------------------------------------------------------------


def test_why_opens_the_stored_explanation_with_its_source(client_for, coordinator, ranked):
    baker = ranked[5]
    page = get(client_for(coordinator)).content.decode()
    why_url = reverse("worklist:why", args=[baker.patient.public_id])
    assert f'data-why-url="{why_url}"' in page
    assert f'href="/patients/{baker.patient.public_id}/#explanation"' in page  # without JavaScript
    fragment = client_for(coordinator).get(why_url)
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "Pregnancy" in text and "Test source 2026" in text and "not met" in text


def test_why_is_404_for_another_centres_patient(client_for, clinician, ranked):
    zed = ranked[6]
    assert (
        client_for(clinician).get(reverse("worklist:why", args=[zed.patient.public_id])).status_code
        == 404
    )


def test_why_is_404_for_a_patient_never_screened(client_for, clinician, centre):
    patient = PatientFactory(centre=centre)
    assert (
        client_for(clinician).get(reverse("worklist:why", args=[patient.public_id])).status_code
        == 404
    )


def test_why_lists_a_contraindication(client_for, clinician, centre):
    s = screened(centre, "Hart", EXCLUDED, 0, lines=[exclusion_line("pregnancy", "Pregnancy", MET)])
    text = (
        client_for(clinician)
        .get(reverse("worklist:why", args=[s.patient.public_id]))
        .content.decode()
    )
    assert '<span class="band band-excluded">Excluded</span>' in text and ">met<" in text
