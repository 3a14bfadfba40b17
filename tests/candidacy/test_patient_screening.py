"""The patient page and the terminal show the current result, explained, with its sources."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from candidacy.screening.selectors import result_of
from candidacy.screening.services import inputs_digest, screening_record
from rules import loader

from ..clock import TODAY, days_ago
from .conftest import SSC_FIRST_LINE_FAILED

pytestmark = pytest.mark.django_db


def test_the_patient_page_explains_a_strong_candidate(client_for, clinician, strong_ms_patient):
    page = (
        client_for(clinician)
        .get(reverse("patients:detail", args=[strong_ms_patient.public_id]))
        .content.decode()
    )
    assert '<span class="band band-strong">Strong candidate</span>' in page
    assert "Supports a decision; the team decides." in page
    assert "EBMT-aligned autoimmune HSCT screen v2, version 2" in page
    assert "A high-efficacy DMT has failed" in page
    assert 'id="checklist"' in page  # the guideline's own checklist, met / not met / unknown
    assert "Muraro PA et al. ECTRIMS/EBMT 2025" in page  # the citation, with its mark
    assert 'id="domain-chart"' in page and 'id="domain-data"' in page


def test_missing_lvef_in_ssc_is_listed_to_collect_with_a_link(client_for, clinician, make_patient):
    values = {"mrss": 24, "ssc_lung": 1, "crp_mg_l": 14}
    patient = make_patient(
        "ssc", age=45, values=values, treatments=[("mycophenolate", 420, 60, "inadequate_response")]
    )
    patient.assessments.get().values.filter(item="lvef").delete()
    screening_record(patient=patient)
    page = (
        client_for(clinician)
        .get(reverse("patients:detail", args=[patient.public_id]))
        .content.decode()
    )
    assert "band-incomplete" in page
    assert f'href="/patients/{patient.public_id}/assessments/new/#id_lvef">LVEF</a>' in page
    assert "(required)" in page


def test_an_excluded_patient_shows_the_contraindication(client_for, clinician, make_patient):
    # EBMT 2017 / ASTIS: SSc with LVEF 40% is excluded.
    patient = make_patient(
        "ssc",
        age=45,
        values={"lvef": 40, "mrss": 24, "ssc_lung": 1},
        treatments=SSC_FIRST_LINE_FAILED,
    )
    page = (
        client_for(clinician)
        .get(reverse("patients:detail", args=[patient.public_id]))
        .content.decode()
    )
    assert '<span class="band band-excluded">Excluded</span>' in page
    assert "Contraindication: LVEF below 45% (SSc)" in page


def test_a_deceased_patient_is_not_screened(client_for, clinician, make_patient):
    patient = make_patient("ms_rr", death_date=TODAY)
    page = (
        client_for(clinician)
        .get(reverse("patients:detail", args=[patient.public_id]))
        .content.decode()
    )
    assert "Deceased patients are not screened." in page


def test_the_screen_command_prints_band_then_score_then_the_explanation(strong_ms_patient):
    out = io.StringIO()
    call_command("screen", strong_ms_patient.mrn, "--centre", "ntc", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Band: Strong candidate"
    assert lines[1] == "Score: 100"
    assert any("A high-efficacy DMT has failed" in line for line in lines[2:])


def test_the_screen_command_prints_the_stored_form_as_json(strong_ms_patient):
    out = io.StringIO()
    call_command("screen", strong_ms_patient.mrn, "--centre", "ntc", "--json", stdout=out)
    stored = json.loads(out.getvalue())
    assert stored["band"] == "Strong candidate" and stored["ruleset_version"] == "2"
    assert {line["key"] for line in stored["lines"]} >= {
        "ms_high_efficacy_dmt_failed",
        "ms_relapses_12m",
    }


def test_without_relapse_dates_the_score_says_how_high_it_could_go(make_patient):
    # "A relapse while on a DMT" needs the relapse dates: 1 of the 5 failed-treatment points is
    # unknown, counted as not met (35 x 4/5 = 28 of 35), and the upper figure says so.
    patient = make_patient(
        "ms_rr",
        age=34,
        values={"relapses_12m": 2, "new_mri_lesions_12m": 3, "edss": 3.5},
        treatments=[("natalizumab", 900, 20, "inadequate_response")],
    )
    out = io.StringIO()
    call_command("screen", patient.mrn, "--centre", "ntc", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["Band: Strong candidate", "Score: 93"]
    assert lines[3] == "Up to: 93, up to 100 with 1 item to collect"


def test_the_screen_command_prints_no_score_for_a_gated_band(make_patient):
    # EBMT 2012: type 1 diabetes, autologous D -> Trial only: "Score: -", never a number.
    patient = make_patient("t1d", age=22)
    out = io.StringIO()
    call_command("screen", patient.mrn, "--centre", "ntc", stdout=out)
    assert out.getvalue().splitlines()[:2] == ["Band: Trial only", "Score: -"]


def test_the_screen_command_needs_the_right_centre(strong_ms_patient, other_centre):
    with pytest.raises(CommandError, match="No patient with MRN"):
        call_command("screen", strong_ms_patient.mrn, "--centre", other_centre.code)


def test_the_record_ignores_values_entered_in_error_and_values_after_the_as_of_date(make_patient):
    from ..factories import AssessmentFactory

    patient = make_patient("ssc", values={"lvef": 60})
    wrong = AssessmentFactory(patient=patient, taken_on=TODAY, values={"lvef": 30})
    assert loader.record_for(patient).measurements["lvef"].value == 30
    wrong.mark_entered_in_error(reason="wrong patient")
    assert loader.record_for(patient).measurements["lvef"].value == 60
    earlier = days_ago(30)
    assert "lvef" not in loader.record_for(patient, as_of=earlier).measurements


def test_relapse_dates_are_part_of_the_inputs_a_decision_was_made_on(make_patient):
    from patients.models import Relapse
    from rules.models import RuleSet

    patient = make_patient("ms_rr", values={"edss": 3.5})
    ruleset = RuleSet.objects.active()
    before = inputs_digest(loader.record_for(patient), ruleset)
    Relapse.objects.create(patient=patient, onset=days_ago(60))
    assert inputs_digest(loader.record_for(patient), ruleset) != before


def test_relapse_dates_to_collect_link_to_the_relapse_page(make_patient):
    from types import SimpleNamespace

    from candidacy.screening.presenters import collect_rows

    patient = make_patient("ms_rr", values={"edss": 3.5})
    missing = SimpleNamespace(
        item="relapse_dates", reason="missing", required=False, criteria=("ms_relapse_on_dmt",)
    )
    (row,) = collect_rows(SimpleNamespace(to_collect=(missing,), lines=()), patient)
    assert row.label == "MS relapse dates"
    assert row.url == reverse("patients:relapses", args=[patient.public_id])


def test_bench_engine_ends_with_evaluations_per_second():
    out = io.StringIO()
    call_command("bench_engine", "--records", "200", "--repeat", "1", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    number, unit = last.split(" ", 1)
    assert unit == "evaluations/s" and int(number) > 0


def test_unassessed_comorbidities_are_one_item_to_collect_linking_to_the_form(
    client_for, clinician, make_patient
):
    patient = make_patient(
        "ms_rr", age=34, arrhythmia=None, cardiac=None, values={"relapses_12m": 1, "edss": 3.0}
    )
    page = (
        client_for(clinician)
        .get(reverse("patients:detail", args=[patient.public_id]))
        .content.decode()
    )
    # Each in the words of the form that records it, never its field name.
    assert (
        "HCT-CI comorbidities not assessed (2): arrhythmia (AF/flutter, sick sinus, "
        "ventricular); cardiac (coronary disease, heart failure, myocardial infarction)"
    ) in page
    assert f'href="/patients/{patient.public_id}/edit/#id_arrhythmia"' in page


def test_a_45th_birthday_counts_from_the_first_minute_of_the_day_in_london(make_patient):
    # ECTRIMS/EBMT 2025: "young age (<45 years ...)": the ideal-age point is lost at 45.
    # The clock is frozen at 00:30 on 1 April 2026 in London, when UTC's date is still 31
    # March: on every run, one patient turns 45 today and the other is 44 until tomorrow.
    forty_five_years_ago = TODAY.replace(year=TODAY.year - 45)
    active_ms = {"values": {"relapses_12m": 2, "new_mri_lesions_12m": 3, "edss": 3.5}}
    turns_45_today = make_patient("ms_rr", birth_date=forty_five_years_ago, **active_ms)
    turns_45_tomorrow = make_patient(
        "ms_rr", birth_date=forty_five_years_ago + datetime.timedelta(days=1), **active_ms
    )
    today, tomorrow = (
        p.screenings.get(is_current=True) for p in (turns_45_today, turns_45_tomorrow)
    )
    assert today.as_of == tomorrow.as_of == TODAY
    assert result_of(today).facts["age_years"].value == 45
    ideal = {line.key: line.outcome for line in result_of(today).lines}["ms_age_ideal"]
    assert ideal == "not_met"
    assert result_of(tomorrow).facts["age_years"].value == 44
    assert today.score < tomorrow.score  # under 45 is the ideal age for MS


def test_an_aplastic_anaemia_record_without_the_residual_fraction_shows_what_to_collect(
    client_for, clinician, make_patient
):
    # Camitta: cellularity 25-49% needs the residual haematopoietic fraction. Without it the
    # severity is not evaluable: the page lists the item, never a 500, never "not severe".
    patient = make_patient(
        "aa",
        age=30,
        values={
            "marrow_cellularity": 35,
            "anc": 0.3,
            "platelets": 12,
            "reticulocytes": 15,
            "matched_sibling_donor": 1,
        },
    )
    response = client_for(clinician).get(reverse("patients:detail", args=[patient.public_id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "band-incomplete" in page
    assert "#id_marrow_residual_haematopoietic_pct" in page
