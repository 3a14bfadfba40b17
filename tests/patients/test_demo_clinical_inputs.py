"""Clinical model v2's inputs in the demo population (patients/demo/clinical_inputs.py): pure, no
database. Shares are checked loosely, as a caseload would show them."""

from collections import Counter
from datetime import date

import pytest

from patients.demo.generator import generate_patient

AS_OF = date(2025, 6, 30)
N = 2000


@pytest.fixture(scope="module")
def population():
    return [generate_patient("7", index, AS_OF) for index in range(1, N + 1)]


def latest(patient, key):
    found = [a.values[key] for a in patient.assessments if key in a.values]
    return found[-1] if found else None


def test_malignancy_is_mostly_none_with_a_few_past_and_rare_active(population):
    status = Counter(latest(p, "malignancy") for p in population)
    recorded = sum(n for value, n in status.items() if value is not None)
    assert status[0.0] > 0.85 * recorded
    assert 0.02 * recorded < status[1.0] < 0.12 * recorded
    assert 0 < status[2.0] < 0.03 * recorded
    assert status[None] > 0  # not every record says


def test_the_activity_answer_is_given_for_the_diseases_without_their_own_threshold(population):
    activity = {"sle", "ra", "vasculitis", "myositis", "nmosd", "cidp"}
    answered = Counter(
        p.disease for p in population if latest(p, "active_despite_standard_therapy") is not None
    )
    assert set(answered) == activity
    assert all(
        latest(p, "surgery_not_an_option") is None for p in population if p.disease != "crohns"
    )
    crohns = [latest(p, "surgery_not_an_option") for p in population if p.disease == "crohns"]
    assert {0.0, 1.0} <= set(crohns)


def test_lesions_are_split_into_new_t2_and_gd_enhancing_ones(population):
    splits = [
        a.values for p in population for a in p.assessments if "new_mri_lesions_12m" in a.values
    ]
    assert splits and all(v["new_t2_lesions_12m"] == v["new_mri_lesions_12m"] for v in splits)
    assert all(0 <= v["gd_lesions_12m"] <= v["new_t2_lesions_12m"] for v in splits)
    assert any(v["gd_lesions_12m"] for v in splits)


def test_the_edss_is_raised_by_a_relapse_now_and_then_and_only_after_a_recent_one(population):
    raised = [
        (p, a)
        for p in population
        for a in p.assessments
        if a.values.get("edss_relapse_related") == 1.0
    ]
    assert raised
    for patient, assessment in raised:
        assert any(0 <= (assessment.taken_on - day).days <= 90 for day in patient.relapses)


def test_the_residual_fraction_is_recorded_only_where_camitta_needs_it(population):
    aa = [a.values for p in population if p.disease == "aa" for a in p.assessments]
    residual = [v for v in aa if "marrow_residual_haematopoietic_pct" in v]
    assert residual
    assert all(25 <= v["marrow_cellularity"] < 50 for v in residual)
    worked_up = [v for v in aa if "marrow_cellularity" in v]
    assert sum("pnh_clone_pct" in v for v in worked_up) > 0.7 * len(worked_up)


def test_some_nmosd_patients_have_had_an_approved_targeted_therapy(population):
    targeted = {"satralizumab", "inebilizumab", "eculizumab", "ravulizumab"}
    nmosd = [p for p in population if p.disease == "nmosd"]
    assert any(t.therapy in targeted for p in nmosd for t in p.treatments)


def test_only_ms_patients_have_relapse_dates_and_they_are_sorted_and_distinct(population):
    assert all(not p.relapses for p in population if not p.disease.startswith("ms"))
    with_relapses = [p for p in population if p.relapses]
    assert len(with_relapses) > 0.5 * sum(p.disease.startswith("ms") for p in population)
    for p in with_relapses:
        assert p.relapses == sorted(set(p.relapses))
        assert p.relapses[0] >= (p.diagnosis_date or p.birth_date)


def test_relapses_placed_together_are_a_month_apart():
    import random

    from patients.demo.clinical_inputs import _spread

    for seed in range(200):
        days = _spread(random.Random(seed), date(2024, 1, 1), date(2024, 12, 31), 4)
        assert len(days) == 4 and days == sorted(days)
        assert all((b - a).days >= 30 for a, b in zip(days, days[1:], strict=False))
        assert date(2024, 1, 1) <= days[0] and days[-1] <= date(2024, 12, 31)
