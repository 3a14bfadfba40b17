"""The worklist as CSV: the filtered rows in order, formula-safe, every export logged."""

import csv
import io

import pytest
from django.urls import reverse

from candidacy.worklist import selectors as worklist
from candidacy.worklist.models import ExportLog
from rules.specs import EXCLUDED, POSSIBLE, STRONG

from ..factories import PatientFactory
from ..factories_candidacy import ScreeningFactory

pytestmark = pytest.mark.django_db


def screened(centre, family, band, score, **fields):
    return ScreeningFactory(
        patient=PatientFactory(
            centre=centre, family_name=family, **{"given_name": "Ann", **fields}
        ),
        band=band,
        score=score,
    )


def export(client, **params):
    response = client.get(reverse("worklist:export"), params)
    assert response.status_code == 200, response
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return response, list(csv.reader(io.StringIO(text)))


@pytest.fixture
def rows(centre, other_centre):
    return [
        screened(centre, "Baker", STRONG, 70, mrn="B-1"),
        screened(centre, "Able", STRONG, 90, mrn="A-1"),
        screened(centre, "Cole", POSSIBLE, 95, mrn="C-1"),
        screened(other_centre, "Zed", STRONG, 99, mrn="Z-1"),
    ]


def test_it_exports_the_worklist_in_rank_order_as_an_attachment(
    client_for, clinician, rows, monkeypatch
):
    monkeypatch.setattr(worklist, "EXPORT_CHUNK", 1)  # several keyset chunks
    response, table = export(client_for(clinician))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *body = table
    assert header[:4] == ["Rank", "Family name", "Given name", "MRN"] and "Band" in header
    assert [(r[0], r[1], r[3]) for r in body] == [
        ("1", "Able", "A-1"),
        ("2", "Baker", "B-1"),
        ("3", "Cole", "C-1"),
    ]
    band, score = header.index("Band"), header.index("Score")
    assert (body[0][band], body[0][score]) == (STRONG, "90")


def test_it_applies_the_filters_and_logs_who_with_which_filters(client_for, coordinator, rows):
    _response, table = export(client_for(coordinator), band=POSSIBLE, q="cole")
    assert [r[1] for r in table[1:]] == ["Cole"]
    log = ExportLog.objects.get()
    assert log.user == coordinator
    assert log.filters == {"band": POSSIBLE, "q": "cole"}
    assert (log.row_count, log.finished) == (1, True)


def test_an_export_is_logged_with_its_row_count(client_for, clinician, rows):
    export(client_for(clinician))
    export(client_for(clinician), sort="name")
    logs = list(ExportLog.objects.order_by("id"))
    assert [(entry.row_count, entry.filters, entry.finished) for entry in logs] == [
        (3, {}, True),
        (3, {"sort": "name"}, True),
    ]


def test_a_gated_row_has_an_empty_score_cell(client_for, clinician, centre):
    screened(centre, "Gated", EXCLUDED, None, mrn="G-1")
    _response, (header, row) = export(client_for(clinician))
    assert row[header.index("Band")] == EXCLUDED and row[header.index("Score")] == ""


def test_cells_that_would_run_as_formulas_are_neutralised(client_for, clinician, centre):
    screened(centre, '=HYPERLINK("http://evil")', STRONG, 80, mrn="+1-2", given_name="@SUM(A1)")
    _response, table = export(client_for(clinician))
    row = table[1]
    assert row[1] == '\'=HYPERLINK("http://evil")'
    assert row[2] == "'@SUM(A1)"
    assert row[3] == "'+1-2"


def test_full_width_signs_pipes_and_leading_spaces_are_neutralised(client_for, clinician, centre):
    screened(centre, "＝HYPERLINK(1)", STRONG, 80, mrn="|calc", given_name="  =1+1")
    _response, table = export(client_for(clinician))
    assert table[1][1:4] == ["'＝HYPERLINK(1)", "'  =1+1", "'|calc"]


def test_another_centres_patients_are_never_exported(client_for, other_clinician, rows):
    _response, table = export(client_for(other_clinician))
    assert [r[1] for r in table[1:]] == ["Zed"]


def test_bad_filters_give_400_and_no_log(client_for, clinician, rows):
    assert client_for(clinician).get(reverse("worklist:export"), {"q": "\x00"}).status_code == 400
    assert not ExportLog.objects.exists()


def test_the_worklist_links_to_the_export_with_its_filters(client_for, clinician, rows):
    page = (
        client_for(clinician)
        .get(reverse("worklist:list"), {"band": STRONG, "q": "a"})
        .content.decode()
    )
    assert 'href="/worklist/export.csv?q=a&amp;band=Strong+candidate"' in page
