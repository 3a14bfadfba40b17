"""The default rule set on realistic records: the canonical cases land in their bands."""

import json
from dataclasses import fields
from datetime import date, timedelta

import pytest

from common.vocabulary import COMORBIDITY_ITEMS, DISEASE_GROUPS
from rules.defaults import (
    DEFAULT_CRITERIA,
    DEFAULT_INDICATIONS,
    DEFAULT_RULESET,
    default_ruleset_spec,
)
from rules.engine import CriterionSpec, IndicationSpec, compile_ruleset, evaluate, render_text
from rules.record import Measurement, PatientRecord, TreatmentLine
from rules.result import REASON_MESSAGES

AS_OF = date(2026, 11, 25)
RULES = compile_ruleset(default_ruleset_spec())


def days_ago(n: int) -> date:
    return AS_OF - timedelta(days=n)


def m(value: float, age_days: int = 14) -> Measurement:
    return Measurement(float(value), days_ago(age_days))


# A fit adult: every general input recorded within its window, nothing abnormal.
FIT = {
    "karnofsky": m(90),
    "lvef": m(62, 30),
    "dlco": m(88, 30),
    "fev1": m(94, 30),
    "pasp": m(28, 30),
    "creatinine_clearance": m(105),
    "creatinine": m(0.8),
    "bmi": m(24),
    "bilirubin": m(0.6),
    "bilirubin_uln": m(1.2),
    "alt": m(22),
    "alt_uln": m(40),
    "ast": m(20),
    "ast_uln": m(40),
    "active_infection": m(0),
    "pregnant": m(0),
    "malignancy": m(0),
}
NO_COMORBIDITY = dict.fromkeys(COMORBIDITY_ITEMS, False)


def patient(
    disease,
    *,
    age,
    subtype=None,
    years_since_diagnosis=4,
    measurements=None,
    treatments=(),
    sex="female",
    fit=True,
    relapses=(),
) -> PatientRecord:
    born = date(AS_OF.year - age, 3, 1)  # the birthday has passed by 25 November
    values = {**(FIT if fit else {}), **(measurements or {})}
    return PatientRecord(
        birth_date=born,
        sex=sex,
        deceased=False,
        disease=disease,
        disease_subtype=subtype,
        diagnosis_date=days_ago(int(years_since_diagnosis * 365.25)),
        measurements={k: v for k, v in values.items() if v is not None},
        comorbidities=NO_COMORBIDITY,
        treatments=tuple(treatments),
        relapses=tuple(relapses),
    )


def tx(therapy, cls, start_days, end_days, outcome) -> TreatmentLine:
    return TreatmentLine(
        therapy,
        cls,
        days_ago(start_days),
        None if end_days is None else days_ago(end_days),
        outcome,
    )


NATALIZUMAB_FAILED = (
    tx("interferon_beta", "ms_dmt_lower", 1500, 1000, "inadequate_response"),
    tx("natalizumab", "ms_dmt_high", 900, 20, "inadequate_response"),
)
SSC_FIRST_LINE_FAILED = (tx("mycophenolate", "immunosuppressant", 420, 60, "inadequate_response"),)
AA_MARROW = {"marrow_cellularity": m(10, 60), "platelets": m(12), "reticulocytes": m(18)}

CASES = [
    # ECTRIMS/EBMT 2025: RRMS, two relapses in a year while on natalizumab ("at least one
    # high-efficacy DMT has failed"), EDSS 3.5, age 34, fit -> the strongest case it describes.
    (
        patient(
            "ms",
            subtype="rr",
            age=34,
            measurements={
                "relapses_12m": m(2),
                "new_t2_lesions_12m": m(3),
                "gd_lesions_12m": m(1),
                "edss": m(3.5),
            },
            treatments=NATALIZUMAB_FAILED,
            relapses=(days_ago(100), days_ago(300)),
        ),
        "Strong candidate",
        None,
    ),
    # ECTRIMS/EBMT 2025: activity despite a lower-efficacy DMT only -> escalation to a
    # high-efficacy DMT is the option still open: the checklist is not met.
    (
        patient(
            "ms",
            subtype="rr",
            age=38,
            measurements={"relapses_12m": m(1), "new_mri_lesions_12m": m(0), "edss": m(3.0)},
            treatments=(tx("interferon_beta", "ms_dmt_lower", 900, 30, "inadequate_response"),),
        ),
        "Unlikely",
        "core_not_met",
    ),
    # ECTRIMS/EBMT 2025: progressive MS without inflammatory activity is not indicated.
    (
        patient(
            "ms",
            subtype="sp",
            age=48,
            years_since_diagnosis=15,
            measurements={"relapses_12m": m(0), "new_mri_lesions_12m": m(0), "edss": m(5.5)},
        ),
        "Not indicated",
        "indication_not_met",
    ),
    # ECTRIMS/EBMT 2025: the progressive-MS rule needs the subtype; without it, Incomplete.
    (
        patient(
            "ms",
            age=34,
            measurements={"relapses_12m": m(2), "new_mri_lesions_12m": m(3), "edss": m(3.5)},
            treatments=NATALIZUMAB_FAILED,
        ),
        "Incomplete",
        "required_missing",
    ),
    # ASTIS protocol / EBMT 2017: LVEF below 45% excludes SSc patients from HSCT.
    (
        patient(
            "ssc",
            age=45,
            years_since_diagnosis=2,
            measurements={"lvef": m(40, 30), "mrss": m(26), "ssc_lung": m(1), "crp_mg_l": m(14)},
            treatments=SSC_FIRST_LINE_FAILED,
        ),
        "Excluded",
        "excluded",
    ),
    # EBMT 2025 RMD: mRSS > 15 with lung involvement, < 5 years, failed 6 months of MMF, fit.
    (
        patient(
            "ssc",
            age=45,
            years_since_diagnosis=2,
            measurements={
                "mrss": m(26),
                "ssc_lung": m(1),
                "ssc_heart": m(0),
                "ssc_kidney": m(0),
                "ssc_gi": m(0),
                "crp_mg_l": m(14),
            },
            treatments=SSC_FIRST_LINE_FAILED,
        ),
        "Strong candidate",
        None,
    ),
    # Missing is not zero: an SSc patient without an echo is Incomplete (LVEF and PASP to collect).
    (
        patient(
            "ssc",
            age=45,
            years_since_diagnosis=2,
            measurements={
                "lvef": None,
                "pasp": None,
                "mrss": m(26),
                "ssc_lung": m(1),
                "crp_mg_l": m(14),
            },
            treatments=SSC_FIRST_LINE_FAILED,
        ),
        "Incomplete",
        "required_missing",
    ),
    # BSH 2024: very severe aplastic anaemia at 25 with a matched sibling -> first-line transplant.
    (
        patient(
            "aa", age=25, measurements={**AA_MARROW, "anc": m(0.1), "matched_sibling_donor": m(1)}
        ),
        "Strong candidate",
        None,
    ),
    # BSH 2024: severe aplastic anaemia at 55, no donor, no immunosuppression yet -> IST first.
    (
        patient(
            "aa",
            age=55,
            sex="male",
            measurements={**AA_MARROW, "anc": m(0.3), "matched_sibling_donor": m(0)},
        ),
        "Unlikely",
        "ist_first",
    ),
    # BSH 2024: no response six months after hATG + ciclosporin -> unrelated-donor transplant;
    # above 50, an individual decision (older patients often have a second course first).
    (
        patient(
            "aa",
            age=52,
            sex="male",
            measurements={**AA_MARROW, "anc": m(0.3), "matched_sibling_donor": m(0)},
            treatments=(tx("hatg_ciclosporin", "aa_ist", 300, 30, "inadequate_response"),),
        ),
        "Possible candidate",
        "review_cap",
    ),
    # Camitta: not severe -> transplant is not the treatment of choice.
    (
        patient(
            "aa",
            age=30,
            measurements={
                "marrow_cellularity": m(30, 60),
                "anc": m(0.9),
                "platelets": m(45),
                "reticulocytes": m(70),
            },
        ),
        "Unlikely",
        "not_severe",
    ),
    # ASTIC: CDAI >= 250 despite three biologics/immunosuppressants and steroids, not amenable
    # to surgery, age 18-50.
    (
        patient(
            "crohns",
            age=29,
            measurements={"cdai": m(320), "surgery_not_an_option": m(1)},
            treatments=(
                tx("azathioprine", "immunosuppressant", 2000, 1500, "inadequate_response"),
                tx("infliximab", "biologic", 1400, 900, "inadequate_response"),
                tx("adalimumab", "biologic", 850, 400, "intolerance"),
                tx("prednisolone", "corticosteroid", 380, 200, "inadequate_response"),
            ),
        ),
        "Strong candidate",
        None,
    ),
    # EBMT 2012: type 1 diabetes, autologous D -> only within a trial.
    (patient("t1d", age=22), "Trial only", "category_d"),
    # Myasthenia gravis: no verified category; seeded as D (UNVERIFIED) -> trial only.
    (patient("mg", age=40), "Trial only", "category_d"),
    # EBMT 2012 has paediatric rows, this rule set does not: a child of 12 is not screened.
    (patient("sle", age=12), "Not indicated", "paediatric"),
]


@pytest.mark.parametrize("record, band, reason", CASES)
def test_canonical_cases_land_in_their_bands(record, band, reason):
    result = evaluate(record, RULES, AS_OF)
    assert result.band == band, render_text(result)
    if reason:
        assert reason in [r.code for r in result.reasons]


def test_missing_lvef_is_listed_to_collect_and_not_counted_as_zero():
    record = next(c[0] for c in CASES if c[0].disease == "ssc" and "lvef" not in c[0].measurements)
    result = evaluate(record, RULES, AS_OF)
    collect = {(t.item, t.reason, t.required) for t in result.to_collect}
    # Either pulmonary pressure will do: the echo PASP or, deciding when both exist, the mPAP.
    assert {
        ("lvef", "missing", True),
        ("pasp", "missing", True),
        ("mpap", "missing", True),
    } <= collect
    lvef_line = next(line for line in result.lines if line.key == "ssc_lvef")
    assert lvef_line.outcome == "not_evaluable" and lvef_line.points == 0


def test_the_ist_first_reason_says_immunosuppression_first():
    result = evaluate(next(c[0] for c in CASES if c[2] == "ist_first"), RULES, AS_OF)
    assert "immunosuppression first" in render_text(result)
    assert REASON_MESSAGES["ist_first"].startswith("immunosuppression first")


def test_the_paediatric_reason_is_the_documented_sentence():
    result = evaluate(CASES[-1][0], RULES, AS_OF)
    assert "paediatric indications are not covered by this rule set" in render_text(result)


def test_the_strong_ms_case_scores_100_and_explains_every_line():
    result = evaluate(CASES[0][0], RULES, AS_OF)
    assert result.score == 100 and result.completeness == 1.0
    assert result.to_collect == () and result.review_marks == ()
    assert all(line.citation for line in result.lines)


# --- The data itself ---------------------------------------------------------------------------


def test_default_data_is_plain_json_with_spec_field_names():
    json.dumps([DEFAULT_RULESET, DEFAULT_INDICATIONS, DEFAULT_CRITERIA])
    criterion_fields = {f.name for f in fields(CriterionSpec)}
    indication_fields = {f.name for f in fields(IndicationSpec)}
    assert all(set(c) == criterion_fields for c in DEFAULT_CRITERIA)
    assert all(set(i) == indication_fields for i in DEFAULT_INDICATIONS)


def test_every_seeded_disease_has_a_screened_indication():
    screened = {i["disease"] for i in DEFAULT_INDICATIONS if i["screened"] and not i["paediatric"]}
    assert set(DISEASE_GROUPS) <= screened


def test_later_categories_are_unverified_alternatives_never_the_gate():
    for row in DEFAULT_INDICATIONS:
        if row["evidence"] == "UNVERIFIED" and row["screened"]:
            assert row["disease"] == "mg"  # the one disease with no verified category


def test_unverified_criteria_follow_the_seeding_rule():
    # scoring-model.md: an UNVERIFIED criterion that can only lower a band is seeded enabled
    # (a screen that errs must err towards review); one that adds points is switched off.
    for c in DEFAULT_CRITERIA:
        assert c["citation"], c["key"]
        if c["evidence"] != "UNVERIFIED":
            continue
        if c["kind"] == "points":
            assert c["enabled"] is False, c["key"]
        else:
            assert c["kind"] in ("exclusion", "review", "core") and c["enabled"], c["key"]


def test_every_review_names_its_cap_and_every_core_criterion_its_band():
    for c in DEFAULT_CRITERIA:
        if c["kind"] == "review":
            assert c["cap"] in ("Possible candidate", "Unlikely"), c["key"]
        if c["kind"] == "core":
            assert c["not_met_band"] in ("Unlikely", "Trial only"), c["key"]


def test_the_default_rule_set_passes_publication():
    from rules.validation import publication_problems

    assert publication_problems(default_ruleset_spec()) == []


def test_exclusions_for_all_diseases_are_only_pregnancy_and_active_malignancy():
    general = {
        c["key"] for c in DEFAULT_CRITERIA if c["kind"] == "exclusion" and c["diseases"] == ["all"]
    }
    assert general == {"pregnancy", "malignancy_active"}


def test_age_windows_are_review_marks_or_points_never_exclusions():
    for c in DEFAULT_CRITERIA:
        if c["fact"] == "age_years":
            assert c["kind"] in ("review", "points"), c["key"]


@pytest.mark.parametrize("record, band, reason", CASES)
def test_every_canonical_result_round_trips_through_json_and_renders(record, band, reason):
    from rules.result import Result

    result = evaluate(record, RULES, AS_OF)
    assert Result.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    score = "-" if result.score is None else result.score
    assert render_text(result).startswith(f"Band: {band}\nScore: {score}\n")


def test_an_ms_patient_without_a_relapse_count_is_incomplete_not_outranking_a_recorded_zero():
    # ECTRIMS/EBMT 2025: relapse activity defines highly active MS, so it must be recorded.
    unknown = patient("ms", subtype="rr", age=34, measurements={"edss": m(3.5)})
    recorded_zero = patient(
        "ms",
        subtype="rr",
        age=34,
        measurements={"edss": m(3.5), "relapses_12m": m(0), "new_mri_lesions_12m": m(0)},
    )
    missing = evaluate(unknown, RULES, AS_OF)
    assert missing.band == "Incomplete"
    assert ("relapses_12m", "missing", True) in {
        (t.item, t.reason, t.required) for t in missing.to_collect
    }
    assert evaluate(recorded_zero, RULES, AS_OF).band != "Incomplete"
