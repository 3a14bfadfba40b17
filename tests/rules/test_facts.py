"""Table tests for facts computed from a patient record."""

from datetime import date, timedelta

import pytest

from common.vocabulary import COMORBIDITY_ITEMS
from rules.defaults import DEFAULT_RULESET
from rules.facts import AT_LEAST, FACTS, MISSING, OK, STALE, compute_facts
from rules.record import Measurement, PatientRecord, TreatmentLine

AS_OF = date(2026, 11, 25)
WINDOWS = DEFAULT_RULESET["freshness_days"]


def days_ago(n: int) -> date:
    return AS_OF - timedelta(days=n)


def m(value: float, age_days: int = 10) -> Measurement:
    return Measurement(float(value), days_ago(age_days))


def line(therapy, cls, start_days, end_days, outcome) -> TreatmentLine:
    return TreatmentLine(
        therapy,
        cls,
        days_ago(start_days),
        None if end_days is None else days_ago(end_days),
        outcome,
    )


def record(
    *,
    disease="ms",
    subtype=None,
    born=date(1990, 1, 1),
    sex="female",
    measurements=None,
    comorbidities=None,
    treatments=(),
    diagnosed=date(2020, 1, 1),
) -> PatientRecord:
    return PatientRecord(
        birth_date=born,
        sex=sex,
        deceased=False,
        disease=disease,
        disease_subtype=subtype,
        diagnosis_date=diagnosed,
        measurements=measurements or {},
        comorbidities=comorbidities or {},
        treatments=tuple(treatments),
    )


def fact(rec: PatientRecord, key: str):
    return compute_facts(rec, AS_OF, WINDOWS, only=[key])[key]


def test_every_fact_has_a_type_and_a_description():
    for info in FACTS.values():
        assert info.type in ("number", "bool", "choice", "list") and info.description


def test_only_the_facts_asked_for_and_their_inputs_are_computed():
    facts = compute_facts(record(), AS_OF, WINDOWS, only=["paediatric"])
    assert set(facts) == {"paediatric", "age_years"}


@pytest.mark.parametrize(
    "born, age, paediatric",
    [
        (date(1992, 5, 3), 34, False),  # adult
        (date(2014, 6, 1), 12, True),  # EBMT paediatric rows: under 18
        (date(2008, 11, 25), 18, False),  # 18th birthday on the as-of date
    ],
)
def test_age_and_paediatric(born, age, paediatric):
    rec = record(born=born)
    assert (fact(rec, "age_years").value, fact(rec, "paediatric").value) == (age, paediatric)


@pytest.mark.parametrize(
    "measurements, value, status, note",
    [
        ({"karnofsky": m(80)}, 80, OK, ""),
        ({"ecog": m(1)}, 70, OK, "from ECOG 1"),  # ECOG mapped by scales.ECOG_TO_KPS
        ({"karnofsky": m(90, 30), "ecog": m(2, 5)}, 50, OK, "from ECOG 2"),  # the more recent
        ({"karnofsky": m(90, 5), "ecog": m(2, 30)}, 90, OK, ""),
        ({"karnofsky": m(90, 91)}, 90, STALE, ""),  # performance status: 90 days (local policy)
        ({}, None, MISSING, ""),
    ],
)
def test_karnofsky_from_karnofsky_or_ecog(measurements, value, status, note):
    fv = fact(record(measurements=measurements), "kps")
    assert (fv.value, fv.status, fv.note) == (value, status, note)


@pytest.mark.parametrize(
    "key, item, age_days, status",
    [
        ("lvef_pct", "lvef", 180, OK),  # echo: 180 days (local policy)
        ("lvef_pct", "lvef", 181, STALE),
        ("creatinine_clearance_ml_min", "creatinine_clearance", 90, OK),  # labs: 90 days
        ("creatinine_clearance_ml_min", "creatinine_clearance", 91, STALE),
        ("edss", "edss", 181, STALE),  # disease activity: 180 days (local policy)
        ("lvef_pct", "lvef", -1, MISSING),  # dated after the as-of date: not known then
    ],
)
def test_a_value_older_than_its_window_is_stale(key, item, age_days, status):
    fv = fact(record(measurements={item: m(55, age_days)}), key)
    assert fv.status == status
    if status == STALE:
        assert fv.stale == (item,) and fv.value == 55  # the value is kept for display


@pytest.mark.parametrize(
    "sex, measurements, value, status",
    [
        ("male", {}, False, OK),  # not asked of men
        ("female", {}, None, MISSING),  # missing, never assumed
        ("female", {"pregnant": m(1)}, True, OK),
        ("female", {"pregnant": m(0, 100)}, False, STALE),  # clinical status: 90 days
    ],
)
def test_pregnancy(sex, measurements, value, status):
    fv = fact(record(sex=sex, measurements=measurements), "pregnant")
    assert (fv.value, fv.status) == (value, status)


@pytest.mark.parametrize(
    "measurements, value",
    [
        # ECTRIMS/EBMT 2025: relapse or new MRI lesions in 12 months.
        ({"relapses_12m": m(1), "new_mri_lesions_12m": m(0)}, True),
        ({"relapses_12m": m(0), "new_mri_lesions_12m": m(2)}, True),
        ({"new_mri_lesions_12m": m(2)}, True),  # one positive input settles it
        ({"relapses_12m": m(0), "new_mri_lesions_12m": m(0)}, False),
        ({"relapses_12m": m(0)}, None),  # no MRI: cannot say "no activity"
    ],
)
def test_ms_inflammatory_activity(measurements, value):
    assert fact(record(measurements=measurements), "ms_inflammatory_activity").value is value


@pytest.mark.parametrize(
    "organs, value",
    [
        (
            {"ssc_lung": 1, "ssc_heart": 0, "ssc_kidney": 0, "ssc_gi": 0},
            True,
        ),  # EBMT 2025: >= 1 visceral organ
        ({"ssc_gi": 1}, True),
        ({"ssc_lung": 0, "ssc_heart": 0, "ssc_kidney": 0, "ssc_gi": 0}, False),
        ({"ssc_lung": 0}, None),
    ],
)
def test_ssc_organ_involvement(organs, value):
    rec = record(disease="ssc", measurements={k: m(v) for k, v in organs.items()})
    assert fact(rec, "ssc_organ_involvement").value is value


@pytest.mark.parametrize(
    "lines, failed, classes, high",
    [
        # BEAT-MS: an inadequate response counts after >= 3 months of a DMT.
        (
            [line("natalizumab", "ms_dmt_high", 400, 20, "inadequate_response")],
            1,
            ("ms_dmt_high",),
            True,
        ),
        ([line("natalizumab", "ms_dmt_high", 80, 20, "inadequate_response")], 0, (), False),
        # Intolerance counts at any duration.
        ([line("natalizumab", "ms_dmt_high", 40, 20, "intolerance")], 1, ("ms_dmt_high",), True),
        # Ongoing or completed lines are not failures.
        ([line("ocrelizumab", "ms_dmt_high", 400, None, "ongoing")], 0, (), False),
        # A line that ends after the as-of date was still running then.
        ([line("ocrelizumab", "ms_dmt_high", 400, -10, "inadequate_response")], 0, (), False),
        # Steroids are counted apart, and a therapy retried counts once.
        (
            [
                line("prednisolone", "corticosteroid", 900, 800, "inadequate_response"),
                line("interferon", "ms_dmt_lower", 700, 500, "inadequate_response"),
                line("interferon", "ms_dmt_lower", 400, 300, "inadequate_response"),
            ],
            1,
            ("ms_dmt_lower", "corticosteroid"),
            False,
        ),
    ],
)
def test_failed_lines(lines, failed, classes, high):
    rec = record(treatments=lines)
    assert fact(rec, "failed_lines").value == failed
    assert fact(rec, "failed_line_classes").value == classes
    assert fact(rec, "failed_high_efficacy_dmt").value is high


def test_no_treatment_recorded_counts_zero_and_says_so():
    fv = fact(record(treatments=()), "failed_lines")
    assert (fv.value, fv.status, fv.note) == (0, OK, "none recorded")


def test_months_on_first_line_uses_the_earliest_line_steroids_aside():
    rec = record(
        disease="ssc",
        treatments=[
            line("prednisolone", "corticosteroid", 800, 700, "completed"),
            line("mycophenolate", "immunosuppressant", 365, None, "ongoing"),
        ],
    )
    fv = fact(rec, "months_on_first_line")
    assert 11.9 < fv.value < 12.1 and fv.note == "mycophenolate"


AA_SEVERE = {"marrow_cellularity": m(10), "anc": m(0.4), "platelets": m(15), "reticulocytes": m(30)}
AA_VERY_SEVERE = {**AA_SEVERE, "anc": m(0.1)}
AA_NON_SEVERE = {**AA_SEVERE, "platelets": m(60), "reticulocytes": m(80)}
FAILED_IST = [line("atg_ciclosporin", "aa_ist", 300, 20, "inadequate_response")]
EARLY_IST = [line("atg_ciclosporin", "aa_ist", 120, None, "ongoing")]


@pytest.mark.parametrize(
    "born, counts, donor, lines, pathway",
    [
        # BSH 2024: severe, matched sibling, under 40 -> first-line transplant.
        (date(2001, 1, 1), AA_VERY_SEVERE, 1, [], "first_line_transplant"),
        # 40 to 50 with a sibling: still first-line transplant, an individual decision
        # (BSH 2024); the rule set caps it at Possible with a review.
        (date(1981, 1, 1), AA_SEVERE, 1, [], "first_line_transplant"),
        # Over 50 with a sibling and no failed course -> immunosuppression first.
        (date(1971, 1, 1), AA_SEVERE, 1, [], "ist_first"),
        # No donor, no immunosuppression yet -> immunosuppression first.
        (date(1971, 1, 1), AA_SEVERE, 0, [], "ist_first"),
        # No response 6 months after hATG + ciclosporin -> unrelated-donor transplant.
        (date(1971, 1, 1), AA_SEVERE, 0, FAILED_IST, "transplant_after_ist"),
        # Four months into IST is too early to call failure.
        (date(1971, 1, 1), AA_SEVERE, 0, EARLY_IST, "ist_first"),
        # Not severe by Camitta.
        (date(2001, 1, 1), AA_NON_SEVERE, 1, [], "not_severe"),
        # Young, severe, donor search not recorded: undecided.
        (date(2001, 1, 1), AA_SEVERE, None, [], None),
    ],
)
def test_saa_pathway(born, counts, donor, lines, pathway):
    measurements = dict(counts)
    if donor is not None:
        measurements["matched_sibling_donor"] = m(donor)
    fv = fact(
        record(disease="aa", born=born, measurements=measurements, treatments=lines), "saa_pathway"
    )
    assert fv.value == pathway
    if pathway is None:
        assert fv.missing == ("matched_sibling_donor",)


def test_camitta_from_stale_counts_is_not_evaluable_and_names_them():
    counts = {**AA_SEVERE, "anc": m(0.4, 120), "platelets": m(15, 120)}  # labs: 90 days
    fv = fact(record(disease="aa", measurements=counts), "camitta_severity")
    assert fv.value is None and fv.status == STALE and set(fv.stale) == {"anc", "platelets"}


FULL_LABS = {
    "lvef": m(60),
    "dlco": m(90),
    "fev1": m(95),
    "bmi": m(24),
    "creatinine": m(0.8),
    "bilirubin": m(0.6),
    "bilirubin_uln": m(1.2),
    "alt": m(20),
    "alt_uln": m(40),
    "ast": m(20),
    "ast_uln": m(40),
    "active_infection": m(0),
}
NO_COMORBIDITY = dict.fromkeys(COMORBIDITY_ITEMS, False)


@pytest.mark.parametrize(
    "disease, comorbidities, measurements, value, status, unknown",
    [
        ("ms", NO_COMORBIDITY, FULL_LABS, 0, OK, ()),
        ("sle", NO_COMORBIDITY, FULL_LABS, 2, OK, ()),  # Sorror: SLE scores rheumatologic 2
        ("crohns", NO_COMORBIDITY, FULL_LABS, 1, OK, ()),  # Crohn's scores IBD 1
        ("ms", {**NO_COMORBIDITY, "peptic_ulcer": None}, FULL_LABS, 0, AT_LEAST, ("peptic_ulcer",)),
        ("ms", NO_COMORBIDITY, {**FULL_LABS, "dlco": m(90, 200)}, 0, AT_LEAST, ("pulmonary",)),
        ("ms", NO_COMORBIDITY, {**FULL_LABS, "bilirubin": m(2.4)}, 3, OK, ()),  # 2 x ULN: severe
    ],
)
def test_hct_ci_from_the_record(disease, comorbidities, measurements, value, status, unknown):
    rec = record(disease=disease, comorbidities=comorbidities, measurements=measurements)
    facts = compute_facts(rec, AS_OF, WINDOWS, only=["hct_ci", "hct_ci_items_unknown"])
    assert (facts["hct_ci"].value, facts["hct_ci"].status) == (value, status)
    assert facts["hct_ci_items_unknown"].value == unknown


def test_hct_ci_lists_only_the_inputs_of_the_unknown_items():
    rec = record(
        comorbidities={**NO_COMORBIDITY, "peptic_ulcer": None},
        measurements={**FULL_LABS, "dlco": m(90, 200)},
    )
    fv = fact(rec, "hct_ci")
    assert fv.missing == ("comorbidity:peptic_ulcer",) and fv.stale == ("dlco",)


def test_hct_ci_age_adds_one_from_40():
    rec = record(born=date(1980, 1, 1), comorbidities=NO_COMORBIDITY, measurements=FULL_LABS)
    assert fact(rec, "hct_ci_age").value == 1  # Sorror 2014


def test_disease_duration_in_years():
    fv = fact(record(diagnosed=date(2016, 11, 25)), "disease_duration_years")
    assert 9.99 < fv.value < 10.01 and fv.on == date(2016, 11, 25)
