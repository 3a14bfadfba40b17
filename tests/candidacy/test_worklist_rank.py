"""Where a patient stands on the worklist, and why (issue #13): the total, the row numbers,
the sortable headers, "why this rank" in sentences, and a CSV that leaves nothing out."""

import csv
import io

import pytest
from django.urls import reverse

from candidacy.worklist import selectors as worklist
from candidacy.worklist.selectors import Total
from candidacy.worklist.views import position_text
from rules.specs import EXCLUDED, INCOMPLETE, POSSIBLE, STRONG, UNLIKELY

from .test_review_pages import text_of
from .test_worklist import get, link, names, screened

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(centre):
    return [
        screened(centre, "Able", STRONG, 90),
        screened(centre, "Baker", POSSIBLE, 62, to_collect=["lvef", "dlco"], score_upper=80),
        screened(centre, "Carter", UNLIKELY, 30),
        screened(centre, "Dune", INCOMPLETE, 50, to_collect=["edss"]),
        screened(centre, "Eve", EXCLUDED, None),
    ]


def test_the_page_says_which_rows_of_how_many_and_numbers_them(
    client_for, clinician, five, monkeypatch
):
    monkeypatch.setattr(worklist, "PAGE_SIZE", 2)
    client = client_for(clinician)
    first = get(client)
    text = text_of(first)
    assert "1–2 of 5" in text
    assert [n for n, _ in first.context["rows"]] == [1, 2]
    second = client.get(reverse("worklist:list") + "?" + link(first, "next"))
    # Incomplete ranks before Unlikely: data can still be collected.
    assert "3–4 of 5" in text_of(second) and names(second) == ["Dune, Ann", "Carter, Ann"]
    assert [n for n, _ in second.context["rows"]] == [3, 4]
    back = client.get(reverse("worklist:list") + "?" + link(second, "prev"))
    assert "1–2 of 5" in text_of(back)


def test_past_the_cap_the_total_is_the_planners_estimate_and_says_about(
    clinician, five, monkeypatch
):
    from candidacy.worklist.forms import WorklistForm

    monkeypatch.setattr(worklist, "COUNT_CAP", 3)
    form = WorklistForm({}, user=clinician)
    assert form.is_valid()
    total = worklist.worklist_total(clinician, form)
    assert not total.exact and total.count >= 4
    assert position_text(1, 50, Total(66_213, False)) == "1–50 of about 66,000"
    assert position_text(51, 50, Total(237, True)) == "51–100 of 237"


def test_the_headers_sort_by_the_indexed_orders_and_keep_the_filters(client_for, clinician, five):
    response = get(client_for(clinician), band=STRONG)
    page = response.content.decode()
    for sort in ("rank", "name", "score", "screened"):
        assert f'href="?band=Strong+candidate&amp;sort={sort}"' in page
    by_score = get(client_for(clinician), sort="score")
    assert names(by_score)[:3] == ["Able, Ann", "Baker, Ann", "Dune, Ann"]
    assert 'aria-current="true"' in by_score.content.decode()


def why(client, screening):
    url = reverse("worklist:why", args=[screening.patient.public_id])
    return text_of(client.get(url))


def test_why_this_rank_names_the_band_the_score_and_what_would_move_the_patient(
    client_for, clinician, five
):
    client = client_for(clinician)
    able, baker, carter, dune, eve = five
    baker.result["score_upper"] = 80  # the stored result's own upper figure
    baker.save(update_fields=["result"])
    text = why(client, baker)
    assert "Possible candidate puts the patient in group 2 of 7" in text
    assert "Within Possible candidate, patients rank by score (62 here)" in text
    assert "8 more points (a score of 70) would make a Strong candidate." in text
    assert "could raise the score to 80" in text
    assert "10 more points (a score of 40) would make a Possible candidate." in why(client, carter)
    assert "The band is decided once the data are in: EDSS." in why(client, dune)
    assert "Only a change in what decided the band would move the patient" in why(client, eve)
    assert "Below a score of 70 the patient would be a Possible candidate." in why(client, able)


def test_the_csv_has_every_missing_item_and_why_a_gated_band_is_what_it_is(
    client_for, clinician, centre
):
    items = ["lvef", "dlco", "fev1", "edss", "creatinine_clearance"]
    screened(centre, "Many", INCOMPLETE, 40, to_collect=items)
    gated = screened(centre, "Gated", EXCLUDED, None)
    gated.result["reasons"] = [["excluded", "pregnancy", "Pregnancy", ""]]
    gated.save(update_fields=["result"])
    response = client_for(clinician).get(reverse("worklist:export"))
    body = b"".join(response.streaming_content).decode()
    table = {r["Family name"]: r for r in csv.DictReader(io.StringIO(body))}
    missing = table["Many"]["Missing"]
    assert "more" not in missing and missing.count(";") == len(items) - 1
    assert "EDSS" in missing and "Creatinine clearance" in missing
    assert table["Gated"]["Why this band"] == "Contraindication: Pregnancy"
    assert table["Many"]["Score once data collected"] == "40"
