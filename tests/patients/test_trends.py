"""Trends on the patient page (issue #13): EDSS, LVEF, DLCO, creatinine clearance and the
disease scores over time, as charts with the same values in a table."""

import json
import re

import pytest
from django.urls import reverse

from patients.trends import trend_series

from ..clock import days_ago
from ..factories import AssessmentFactory, PatientFactory, disease

pytestmark = pytest.mark.django_db


@pytest.fixture
def ms_patient(centre):
    patient = PatientFactory(centre=centre, disease=disease("ms_rr"))
    AssessmentFactory(patient=patient, taken_on=days_ago(400), values={"edss": 2.0, "lvef": 62})
    AssessmentFactory(patient=patient, taken_on=days_ago(200), values={"edss": 3.5})
    wrong = AssessmentFactory(patient=patient, taken_on=days_ago(100), values={"edss": 9.0})
    wrong.entered_in_error = True
    wrong.save(update_fields=["entered_in_error"])
    AssessmentFactory(patient=patient, taken_on=days_ago(10), values={"edss": 4.5, "karnofsky": 80})
    return patient


def test_each_trend_is_its_values_in_date_order_without_entries_in_error(ms_patient):
    series = {s.key: s for s in trend_series(ms_patient)}
    assert list(series) == ["edss", "lvef"]  # only what was measured; no Karnofsky trend
    assert [v for _, v in series["edss"].points] == [2.0, 3.5, 4.5]
    assert [d for d, _ in series["edss"].points] == [days_ago(400), days_ago(200), days_ago(10)]


def test_the_patient_page_draws_each_trend_and_keeps_a_table_of_it(
    client_for, clinician, ms_patient
):
    html = (
        client_for(clinician)
        .get(reverse("patients:detail", args=[ms_patient.public_id]))
        .content.decode()
    )
    assert (
        'id="trends"' in html and 'canvas class="trend-chart" data-series="trend-data-edss"' in html
    )
    data = json.loads(
        re.search(r'id="trend-data-edss" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data["values"] == [2.0, 3.5, 4.5] and data["label"] == "EDSS"
    table = re.search(r'id="trend-edss".*?</table>', html, re.S).group(0)
    assert table.count("<tr>") == 4  # the header and three dated values
    assert "9" not in re.findall(r"<td>([^<]*)</td>", table)[1::2]
