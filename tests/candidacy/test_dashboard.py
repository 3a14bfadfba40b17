"""The dashboard: bands, diseases, the score histogram and the exclusion funnel, per centre."""

import json
import re

import pytest
from django.urls import reverse

from candidacy.worklist import dashboard
from rules.specs import EXCLUDED, INCOMPLETE, POSSIBLE, STRONG

from ..factories import PatientFactory, disease
from ..factories_candidacy import MET, NOT_EVALUABLE, NOT_MET, ScreeningFactory, exclusion_line

pytestmark = pytest.mark.django_db

PREG, LVEF = ("pregnancy", "Pregnancy"), ("ssc_lvef", "LVEF below 45% (SSc)")


def screened(centre, band, score, disease_key="ms_rr", lines=(), **kwargs):
    patient = PatientFactory(centre=centre, disease=disease(disease_key))
    return ScreeningFactory(patient=patient, band=band, score=score, lines=list(lines), **kwargs)


@pytest.fixture
def known(centre, other_centre):
    """Five current screenings of the user's centre, one old one, and one of another centre."""
    screened(centre, STRONG, 100, lines=[exclusion_line(*PREG, NOT_MET)])
    screened(centre, STRONG, 95, lines=[exclusion_line(*PREG, NOT_MET)])
    screened(centre, POSSIBLE, 62, lines=[exclusion_line(*PREG, NOT_EVALUABLE)])
    screened(
        centre,
        EXCLUDED,
        40,
        disease_key="ssc",
        lines=[exclusion_line(*PREG, NOT_MET), exclusion_line(*LVEF, MET)],
    )
    screened(
        centre,
        INCOMPLETE,
        0,
        disease_key="ssc",
        lines=[exclusion_line(*PREG, MET), exclusion_line(*LVEF, NOT_EVALUABLE)],
    )
    screened(
        centre, EXCLUDED, 0, is_current=False, lines=[exclusion_line(*PREG, MET)]
    )  # superseded
    screened(other_centre, EXCLUDED, 5, lines=[exclusion_line(*LVEF, MET)])


def test_it_counts_patients_by_band_in_worklist_order(clinician, known):
    bands = {b["band"]: b["count"] for b in dashboard.by_band(clinician)}
    assert bands == {
        STRONG: 2,
        POSSIBLE: 1,
        INCOMPLETE: 1,
        "Trial only": 0,
        "Unlikely": 0,
        EXCLUDED: 1,
        "Not indicated": 0,
    }
    assert [b["band"] for b in dashboard.by_band(clinician)][:2] == [STRONG, POSSIBLE]


def test_it_counts_patients_by_disease(clinician, known):
    assert dashboard.by_disease(clinician) == [
        {"disease": "Multiple sclerosis, relapsing-remitting", "count": 3},
        {"disease": "Systemic sclerosis", "count": 2},
    ]


def test_the_score_histogram_has_ten_bins_of_ten(clinician, known):
    bins = {h["bin"]: h["count"] for h in dashboard.score_histogram(clinician)}
    assert list(bins) == [
        "0–9",
        "10–19",
        "20–29",
        "30–39",
        "40–49",
        "50–59",
        "60–69",
        "70–79",
        "80–89",
        "90–100",
    ]
    assert bins == {
        **dict.fromkeys(bins, 0),
        "0–9": 1,
        "40–49": 1,
        "60–69": 1,
        "90–100": 2,
    }  # 100 is in the top bin


def test_the_funnel_counts_per_exclusion_how_many_were_evaluated_and_excluded(clinician, known):
    steps = {
        s.key: (s.label, s.applies, s.evaluated, s.excluded, s.passed)
        for s in dashboard.exclusion_funnel(clinician)
    }
    assert steps == {
        "pregnancy": ("Pregnancy", 5, 4, 1, 3),  # one not evaluable, one pregnant
        "ssc_lvef": (
            "LVEF below 45% (SSc)",
            2,
            1,
            1,
            0,
        ),  # the other centre's exclusion is not counted
    }


def test_the_python_funnel_matches_the_database_one(clinician, known):
    def by_key(steps):
        return sorted(steps, key=lambda s: s.key)

    assert by_key(dashboard._funnel_python(clinician)) == by_key(
        dashboard.exclusion_funnel(clinician)
    )


def test_another_centre_sees_only_its_own(other_clinician, known):
    assert sum(b["count"] for b in dashboard.by_band(other_clinician)) == 1
    assert [(s.key, s.excluded) for s in dashboard.exclusion_funnel(other_clinician)] == [
        ("ssc_lvef", 1)
    ]


def test_the_page_has_every_chart_as_a_table_and_its_data(client_for, coordinator, known):
    response = client_for(coordinator).get(reverse("worklist:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="total">5<' in page
    assert "Supports a decision; the team decides." in page
    for table in ("table-bands", "table-diseases", "table-scores", "table-funnel"):
        assert f'id="{table}"' in page
    assert re.search(
        r'<tr data-key="pregnancy"><td>Pregnancy</td><td class="text-end">5</td><td class="text-end">4</td>'
        r'<td class="text-end">3</td><td class="text-end">1 \(25%\)</td>',
        page,
    )
    assert (
        "vendor/chartjs/chart.umd.min.js" in page
        and "js/dashboard.js" in page
        and "cdn" not in page.lower()
    )
    data = json.loads(
        re.search(
            r'<script id="dashboard-data" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )
    assert data["bands"][0] == {"label": STRONG, "count": 2}
    assert data["funnel"][0]["label"] in ("Pregnancy", "LVEF below 45% (SSc)")


def test_the_dashboard_needs_the_permission(client, centre, known):
    from ..factories import UserFactory

    user = UserFactory(username="nogroup")
    centre.members.add(user)
    client.force_login(user)
    assert client.get(reverse("worklist:dashboard")).status_code == 403
