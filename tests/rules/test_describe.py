"""A criterion's rule and effect in words: every operator on every type of fact."""

import pytest

from rules import describe
from rules.describe import describe_rule
from rules.facts import FACTS
from rules.specs import OPERATORS_BY_TYPE


def test_every_fact_has_a_label_of_its_own():
    missing = [key for key, info in FACTS.items() if not info.label or info.label == key]
    assert not missing, f"facts without a label: {missing}"
    assert not [key for key, info in FACTS.items() if "_" in info.label]


CASES = [
    # numbers, with the unit where clinicians write it
    (("lvef_pct", "<", [45]), "LVEF below 45%"),
    (("lvef_pct", "<=", [50]), "LVEF 50% or less"),
    (("kps", "<=", [60]), "Karnofsky 60% or less"),
    (("kps", ">", [60]), "Karnofsky above 60%"),
    (("hct_ci", ">=", [3]), "HCT-CI 3 or more"),
    (("hct_ci", "<", [3]), "HCT-CI below 3"),
    (("creatinine_clearance_ml_min", "<", [40]), "Creatinine clearance below 40 mL/min"),
    (("mpap_mmhg", ">", [25]), "mPAP at rest above 25 mmHg"),
    (("crp_mg_l", ">", [10]), "CRP above 10 mg/L"),
    (("bilirubin_x_uln", ">", [1.5]), "Bilirubin (× upper limit of normal) above 1.5"),
    # EDSS is written with one decimal, whatever the rule set stores
    (("edss", "between", [2, 6]), "EDSS 2.0 to 6.0"),
    (("edss", "between", [6.0, 6.5]), "EDSS 6.0 to 6.5"),
    (("edss", "<", [6]), "EDSS below 6.0"),
    (("edss_not_relapse_related", ">", [6.5]), "EDSS not raised by a recent relapse above 6.5"),
    (("edss_relapse_raised", ">=", [6]), "EDSS raised by a recent relapse: 6.0 or more"),
    (("lvef_pct", "between", [45, 50]), "LVEF 45 to 50%"),
    # ages and durations: under and over
    (("age_years", "<", [45]), "Age under 45 years"),
    (("age_years", ">", [55]), "Age over 55 years"),
    (("age_years", "<=", [60]), "Age 60 years or under"),
    (("disease_duration_years", ">=", [10]), "Disease duration: 10 years or over"),
    (("months_on_first_line", ">=", [6]), "Time on the first line of therapy: 6 months or over"),
    # a label holding a number, or of several words, is set off by a colon before a number
    (("relapses_12m", ">=", [2]), "Relapses in the last 12 months: 2 or more"),
    (("relapses_12m", "<", [2]), "Relapses in the last 12 months: below 2"),
    (("failed_lines", ">=", [1]), "Therapies failed: 1 or more"),
    (("sledai_2k", ">", [7]), "SLEDAI-2K above 7"),
    # a number fact with a list of values
    (("relapses_12m", "in", [1, 2]), "Relapses in the last 12 months: 1 or 2"),
    # yes / no
    (("active_infection", "is true", []), "Active infection: yes"),
    (
        ("ms_naive_rapidly_evolving", "is false", []),
        "Treatment-naive and severe, rapidly evolving: no",
    ),
    # choices, in words
    (("camitta_severity", "in", ["very_severe"]), "Camitta severity: very severe"),
    (
        ("camitta_severity", "in", ["severe", "very_severe"]),
        "Camitta severity: severe or very severe",
    ),
    (("malignancy", "in", ["active"]), "Malignancy: active"),
    (("disease", "in", ["ms", "crohns"]), "Disease: multiple sclerosis or Crohn's disease"),
    (
        ("disease_subtype", "in", ["rr", "sp", "pp"]),
        "MS subtype: relapsing-remitting, secondary progressive or primary progressive",
    ),
    (
        ("saa_pathway", "in", ["first_line_transplant"]),
        "Aplastic anaemia pathway: transplant first, from a matched sibling donor",
    ),
    (
        ("ebmt_category", "in", ["D"]),
        "Indication category: developmental (within a clinical trial only)",
    ),
    # a list: any of the values
    (
        ("failed_line_classes", "in", ["biologic", "jak_inhibitor"]),
        "Classes of therapy failed include biologic or JAK inhibitor",
    ),
]


@pytest.mark.parametrize("rule, words", CASES)
def test_a_rule_in_words(rule, words):
    assert describe_rule(*rule) == words


def _sample_thresholds(info, operator):
    if operator in ("is true", "is false"):
        return []
    if info.choices:
        return list(info.choices[:2])
    return [1, 2] if operator in ("between", "in") else [1]


@pytest.mark.parametrize("key", sorted(FACTS))
def test_every_fact_reads_in_words_under_every_operator_it_allows(key):
    info = FACTS[key]
    for operator in OPERATORS_BY_TYPE[info.type]:
        words = describe_rule(key, operator, _sample_thresholds(info, operator))
        assert words.startswith(info.label)
        assert key not in words and "_" not in words
        if operator != "in" and operator != "between":  # ordinary words otherwise
            assert operator not in words


def test_a_rule_on_a_fact_no_longer_offered_says_so_without_its_key():
    assert describe_rule("gone_fact", "<", [3]) == "A measure no longer offered below 3"


@pytest.mark.parametrize(
    "kind, extra, words",
    [
        ("indication", {}, "gives Not indicated when not met"),
        ("exclusion", {}, "gives Excluded when met"),
        ("points", {"points": 2}, "adds 2 points to disease severity"),
        ("points", {"points": 1, "domain": "overall_health"}, "adds 1 point to overall health"),
        (
            "review",
            {"cap": "Possible candidate"},
            "marks the case for team review, Possible candidate at best while met",
        ),
        ("core", {}, "gives Unlikely when not met and Incomplete while unknown"),
        (
            "core",
            {"not_met_band": "Trial only", "points": 3, "domain": "failed_treatments"},
            "gives Trial only when not met and Incomplete while unknown, and adds 3 points to "
            "failed treatments when met",
        ),
        ("workup", {}, "lists an investigation to collect, never changing the band or the score"),
    ],
)
def test_what_a_criterion_does(kind, extra, words):
    fields = {"points": 0, "domain": "severity", "cap": "", "not_met_band": ""} | extra
    assert describe.effect(kind, **fields) == words


def test_what_a_criterion_is():
    assert describe.role("review", cap="Unlikely", not_met_band="") == "a review capped at Unlikely"
    off = describe.role("exclusion", cap="", not_met_band="", enabled=False)
    assert off == "an exclusion (switched off)"


def test_the_rule_sets_settings_in_words():
    assert describe.weight_sentences({"severity": 40, "overall_health": 60}) == [
        "Disease severity weighs 40 of 100",
        "Overall health weighs 60 of 100",
    ]
    assert describe.band_sentences({"strong": 70, "possible": 40}) == [
        "Strong candidate from a score of 70",
        "Possible candidate from a score of 40",
        "Unlikely below 40",
    ]
    assert (
        describe.freshness_sentence("labs", 90)
        == "Labs (blood tests): usable for 90 days (about 3 months)"
    )
    assert describe.freshness_sentence("marrow", 365).endswith("(about a year)")
    assert describe.freshness_sentence("labs", 30) == "Labs (blood tests): usable for 30 days"


@pytest.mark.parametrize(
    "value, places, text",
    [(45, -1, "45"), (1.5, -1, "1.5"), (6, 1, "6.0"), (6.5, 1, "6.5"), (40.0, -1, "40")],
)
def test_numbers_as_clinicians_write_them(value, places, text):
    assert describe.format_number(value, places) == text
