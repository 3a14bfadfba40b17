"""Table tests for the pure clinical scales, each case against its source."""

from datetime import date

import pytest

from rules import scales
from rules.scales import HctCiInputs

# A patient with every HCT-CI input assessed and normal: the baseline each case changes.
NORMAL = HctCiInputs(
    disease="ms",
    **{
        name: False
        for name in (
            "arrhythmia",
            "cardiac",
            "ibd",
            "diabetes",
            "cerebrovascular",
            "psychiatric",
            "chronic_hepatitis",
            "cirrhosis",
            "infection",
            "rheumatologic",
            "peptic_ulcer",
            "renal_dialysis_or_transplant",
            "dyspnoea_slight_activity",
            "dyspnoea_at_rest_or_oxygen",
            "prior_solid_tumour",
            "heart_valve_disease",
        )
    },
    lvef_pct=60.0,
    bmi=24.0,
    creatinine_mg_dl=0.8,
    dlco_pct=95.0,
    fev1_pct=98.0,
    bilirubin_x_uln=0.5,
    alt_x_uln=0.6,
    ast_x_uln=0.5,
)


@pytest.mark.parametrize(
    "birth, as_of, expected",
    [
        (date(1990, 6, 15), date(2026, 6, 14), 35),  # the day before the birthday
        (date(1990, 6, 15), date(2026, 6, 15), 36),  # on the birthday
        (date(2000, 2, 29), date(2026, 2, 28), 25),  # leap-day birthday counts on 1 March
        (date(2000, 2, 29), date(2026, 3, 1), 26),
    ],
)
def test_age_in_completed_years(birth, as_of, expected):
    assert scales.age_in_years(birth, as_of) == expected


@pytest.mark.parametrize(
    "age, expected",
    [
        (17, True),  # EBMT 2012 paediatric rows: under 18
        (18, False),  # adult from 18
    ],
)
def test_paediatric_below_18(age, expected):
    assert scales.is_paediatric(age) is expected


@pytest.mark.parametrize(
    "ecog, kps",
    [
        (0, 90),  # Oken 1982: ECOG 0 = KPS 90-100, lower end
        (1, 70),  # ECOG 1 = KPS 70-80
        (2, 50),  # ECOG 2 = KPS 50-60, so ECOG >= 2 <=> KPS <= 60 (EBMT 2025 RMD)
        (3, 30),  # ECOG 3 = KPS 30-40
        (4, 10),  # ECOG 4 = KPS 10-20
        (5, 0),  # ECOG 5 = dead
    ],
)
def test_ecog_maps_to_the_lower_end_of_the_karnofsky_range(ecog, kps):
    assert scales.ecog_to_kps(ecog) == kps


@pytest.mark.parametrize("bad", [-1, 6, 1.5])
def test_ecog_outside_the_scale_is_an_error(bad):
    with pytest.raises(scales.ScaleError):
        scales.ecog_to_kps(bad)


def test_hct_ci_weights_sum_to_the_published_maximum():
    # Sorror 2005: 17 items; the hepatic and pulmonary tiers score once, so 29 - 1 - 2 = 26.
    assert len(scales.HCT_CI_WEIGHTS) == 17
    assert sum(scales.HCT_CI_WEIGHTS.values()) - 1 - 2 == scales.HCT_CI_MAX == 26


def test_hct_ci_of_a_fully_assessed_healthy_patient_is_zero():
    result = scales.hct_ci(NORMAL)
    assert (result.score, result.unknown) == (0, ())


@pytest.mark.parametrize(
    "change, item, points",
    [
        ({"arrhythmia": True}, "arrhythmia", 1),  # Sorror 2005: AF, flutter, SSS, VT
        ({"cardiac": True}, "cardiac", 1),  # CAD, CHF, MI
        ({"lvef_pct": 50.0}, "cardiac", 1),  # EF <= 50%
        ({"lvef_pct": 51.0}, "cardiac", 0),
        ({"ibd": True}, "ibd", 1),  # Crohn's or UC
        ({"disease": "crohns"}, "ibd", 1),  # Crohn's disease scores IBD by itself
        ({"diabetes": True}, "diabetes", 1),  # on insulin or oral agents
        ({"disease": "t1d"}, "diabetes", 1),  # type 1 diabetes is insulin-treated
        ({"cerebrovascular": True}, "cerebrovascular", 1),  # TIA or CVA
        ({"psychiatric": True}, "psychiatric", 1),  # needing treatment
        ({"chronic_hepatitis": True}, "hepatic_mild", 1),  # chronic hepatitis
        ({"bilirubin_x_uln": 1.5}, "hepatic_mild", 1),  # bilirubin > ULN to 1.5 x ULN
        ({"alt_x_uln": 2.5}, "hepatic_mild", 1),  # AST/ALT > ULN to 2.5 x ULN
        ({"bmi": 35.1}, "obesity", 1),  # BMI > 35
        ({"bmi": 35.0}, "obesity", 0),
        ({"infection": True}, "infection", 1),  # needing antimicrobials
        ({"rheumatologic": True}, "rheumatologic", 2),  # SLE, RA, PM, MCTD, PMR
        ({"disease": "sle"}, "rheumatologic", 2),  # SLE scores 2 by itself (section 3a)
        ({"disease": "ra"}, "rheumatologic", 2),  # RA too
        ({"disease": "myositis"}, "rheumatologic", 2),  # polymyositis
        ({"disease": "ssc"}, "rheumatologic", 0),  # SSc is not in Sorror's list
        ({"peptic_ulcer": True}, "peptic_ulcer", 2),  # needing treatment
        ({"creatinine_mg_dl": 2.1}, "renal", 2),  # creatinine > 2 mg/dL
        ({"renal_dialysis_or_transplant": True}, "renal", 2),  # dialysis or renal transplant
        ({"dlco_pct": 80.0}, "pulmonary_moderate", 2),  # DLCO and/or FEV1 66-80%
        ({"fev1_pct": 66.0}, "pulmonary_moderate", 2),
        ({"dyspnoea_slight_activity": True}, "pulmonary_moderate", 2),
        ({"prior_solid_tumour": True}, "prior_solid_tumour", 3),  # any time, not NMSC
        ({"heart_valve_disease": True}, "heart_valve", 3),  # except MVP
        ({"dlco_pct": 65.0}, "pulmonary_severe", 3),  # DLCO and/or FEV1 <= 65%
        ({"dyspnoea_at_rest_or_oxygen": True}, "pulmonary_severe", 3),  # at rest or on O2
        ({"cirrhosis": True}, "hepatic_moderate_severe", 3),  # cirrhosis
        ({"bilirubin_x_uln": 1.6}, "hepatic_moderate_severe", 3),  # bilirubin > 1.5 x ULN
        ({"ast_x_uln": 2.6}, "hepatic_moderate_severe", 3),  # AST/ALT > 2.5 x ULN
    ],
)
def test_each_hct_ci_item_scores_its_weight(change, item, points):
    result = scales.hct_ci(NORMAL._replace(**change))
    assert result.points[item] == points
    assert result.score == points
    assert result.unknown == ()


@pytest.mark.parametrize(
    "change, score",
    [
        # Sorror 2005: tiers count once, the highest one.
        ({"chronic_hepatitis": True, "cirrhosis": True}, 3),
        ({"chronic_hepatitis": True, "bilirubin_x_uln": 1.2, "alt_x_uln": 3.0}, 3),
        ({"dyspnoea_slight_activity": True, "dlco_pct": 60.0}, 3),
        ({"dlco_pct": 75.0, "fev1_pct": 70.0}, 2),
        # Cardiac (1) and heart valve disease (3) are separate items and add up.
        ({"cardiac": True, "heart_valve_disease": True}, 4),
        # Everything at once reaches the maximum of 26.
        (
            {
                "arrhythmia": True,
                "cardiac": True,
                "ibd": True,
                "diabetes": True,
                "cerebrovascular": True,
                "psychiatric": True,
                "infection": True,
                "bmi": 40.0,
                "rheumatologic": True,
                "peptic_ulcer": True,
                "creatinine_mg_dl": 3.0,
                "prior_solid_tumour": True,
                "heart_valve_disease": True,
                "dlco_pct": 50.0,
                "cirrhosis": True,
                "chronic_hepatitis": True,
                "dyspnoea_slight_activity": True,
            },
            26,
        ),
    ],
)
def test_hct_ci_tiers_count_once(change, score):
    assert scales.hct_ci(NORMAL._replace(**change)).score == score


@pytest.mark.parametrize(
    "change, at_least, unknown",
    [
        # Not assessed is not zero: the score is a lower bound with the items listed.
        ({"arrhythmia": None}, 0, ("arrhythmia",)),
        ({"arrhythmia": None, "peptic_ulcer": True}, 2, ("arrhythmia",)),
        ({"lvef_pct": None}, 0, ("cardiac",)),
        ({"cardiac": None, "lvef_pct": 45.0}, 1, ()),  # EF <= 50% settles the item
        ({"dlco_pct": None}, 0, ("pulmonary",)),
        ({"dlco_pct": None, "fev1_pct": 70.0}, 2, ("pulmonary",)),  # could still be severe
        ({"dlco_pct": None, "fev1_pct": 60.0}, 3, ()),  # already the top tier
        ({"ast_x_uln": None}, 0, ("hepatic",)),
        ({"rheumatologic": None, "disease": "sle"}, 2, ()),  # SLE settles the item
        ({"rheumatologic": None}, 0, ("rheumatologic",)),
    ],
)
def test_hct_ci_reports_at_least_n_with_the_items_it_could_not_assess(change, at_least, unknown):
    result = scales.hct_ci(NORMAL._replace(**change))
    assert (result.score, result.unknown) == (at_least, unknown)


@pytest.mark.parametrize(
    "hct_ci, age, expected",
    [
        (0, 39, 0),  # Sorror 2014: age >= 40 adds 1
        (0, 40, 1),
        (3, 65, 4),
    ],
)
def test_hct_ci_age(hct_ci, age, expected):
    assert scales.hct_ci_age(hct_ci, age) == expected


@pytest.mark.parametrize(
    "cellularity, anc, platelets, retics, grade, needs",
    [
        # Camitta: cellularity < 25% plus >= 2 of ANC < 0.5, platelets < 20, retics < 60 (BSH).
        (10, 0.4, 15, 30, "severe", ()),
        (10, 0.8, 15, 30, "severe", ()),  # platelets and retics suffice
        (10, 0.8, 25, 30, "non_severe", ()),  # one blood criterion only
        # 25-49% needs the residual haematopoietic fraction: to collect, never "not severe".
        (30, 0.1, 10, 10, None, ("marrow_residual_haematopoietic_pct",)),
        (60, 0.1, 10, 10, "non_severe", ()),  # marrow not hypocellular enough
        (10, 0.15, 10, 10, "very_severe", ()),  # Bacigalupo: severe plus ANC < 0.2
        (10, 0.2, 10, 10, "severe", ()),  # ANC 0.2 is not < 0.2
        (None, 0.1, 10, 10, None, ("marrow_cellularity",)),
        (10, None, 10, None, None, ("anc", "reticulocytes")),
        (10, None, 10, 10, None, ("anc",)),  # severe, but very severe needs the ANC
        (10, None, 50, 80, "non_severe", ()),  # two counts normal: cannot be severe
    ],
)
def test_camitta_grades(cellularity, anc, platelets, retics, grade, needs):
    result = scales.camitta(
        marrow_cellularity=cellularity, anc=anc, platelets=platelets, reticulocytes=retics
    )
    assert (result.grade, result.needs) == (grade, needs)


@pytest.mark.parametrize(
    "cellularity, residual, grade, needs",
    [
        # Camitta (V): "< 50% with < 30% residual haematopoietic cells" is a severe marrow.
        (30, 20, "very_severe", ()),
        (49, 29, "very_severe", ()),
        (30, 30, "non_severe", ()),  # 30% residual is not < 30%
        (30, None, None, ("marrow_residual_haematopoietic_pct",)),
        (24, None, "very_severe", ()),  # below 25% the fraction is not needed
        (50, 10, "non_severe", ()),
    ],
)
def test_camitta_reads_the_residual_fraction_between_25_and_49_percent(
    cellularity, residual, grade, needs
):
    result = scales.camitta(
        marrow_cellularity=cellularity,
        anc=0.1,
        platelets=10,
        reticulocytes=10,
        residual_haematopoietic_pct=residual,
    )
    assert (result.grade, result.needs) == (grade, needs)
