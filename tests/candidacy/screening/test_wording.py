"""The explanation in a clinician's words: the misleading phrases of issue #13, one by one.

Built from the default rule set's own criteria (rules/rulesets/ebmt-autoimmune-v2.yaml), so
each case is the criterion a clinician meets on the page.
"""

import pytest

from candidacy.screening import wording
from rules.defaults import default_ruleset_spec
from rules.describe import threshold_words
from rules.result import MET, NOT_EVALUABLE, NOT_MET, Line, sentence
from rules.specs import NOT_APPLICABLE

CRITERIA = {c.key: c for c in default_ruleset_spec().criteria}


def line(key, value, outcome, status="ok", points=0.0, possible=0.0):
    return Line(CRITERIA[key], value, None, status, outcome, points, possible)


@pytest.mark.parametrize(
    "operator, thresholds, unit, words",
    [
        (">=", [3], "", "at least 3"),  # HCT-CI high-risk group (Sorror 2005)
        ("<", [45], "%", "below 45%"),  # SSc: LVEF below 45% excludes (EBMT 2025)
        ("<=", [60], "%", "at most 60%"),
        (">", [50], "years", "above 50 years"),
        ("between", [2, 5.5], "", "2 to 5.5"),  # the EDSS window
        ("is true", [], "", "yes"),
        ("is false", [], "", "no"),
        ("in", ["rr", "sp"], "", "relapsing-remitting or secondary progressive"),
    ],
)
def test_a_threshold_reads_in_words_never_as_an_operator(operator, thresholds, unit, words):
    assert threshold_words(operator, thresholds, unit) == words


def test_an_hct_ci_review_that_is_not_known_does_not_call_the_patient_high_risk():
    # The issue: "HCT-CI at least 0: high-risk group" for a patient with two comorbidities
    # not yet assessed. The template states a finding; without it, say what was checked.
    text = sentence(line("hct_ci_high_review", 0, NOT_EVALUABLE, status="at_least"))
    assert "high-risk" not in text
    assert text == (
        "HCT-CI 3 or more (besides the disease itself) — not evaluable (lower bound only): "
        "the value is at least 0."
    )
    met = sentence(line("hct_ci_high_review", 4, MET))
    assert met.startswith("HCT-CI 4 besides the disease's own items: the high-risk group")


def test_a_coded_value_and_a_threshold_in_a_template_read_as_words():
    text = sentence(line("ms_subtype_known", "rr", MET))
    assert "rr" not in text.split() and "relapsing-remitting" in text


@pytest.mark.parametrize(
    "key, value, outcome, effect",
    [
        ("pregnancy", False, NOT_MET, "—"),  # the issue: "exclusion" beside an unmet exclusion
        ("pregnancy", True, MET, "gives Excluded"),
        ("hct_ci_high_review", 4, MET, "team review: Possible candidate at best"),
        ("hct_ci_high_review", 1, NOT_MET, "—"),
    ],
)
def test_the_points_column_says_what_a_criterion_did(key, value, outcome, effect):
    assert wording.effect_text(line(key, value, outcome)) == effect


def test_a_domain_waiting_on_a_missing_edss_says_so_rather_than_not_applicable():
    from types import SimpleNamespace

    ms_points = [c for c in CRITERIA.values() if c.fact == "edss" and c.kind == "points"]
    assert ms_points
    lines = tuple(Line(c, None, None, "missing", NOT_EVALUABLE, 0, 0) for c in ms_points)
    result = SimpleNamespace(lines=lines)
    assert wording.domain_unscored(result, "severity") == "not yet known: EDSS to collect"
    empty = SimpleNamespace(lines=(Line(ms_points[0], None, None, "ok", NOT_APPLICABLE, 0, 0),))
    assert wording.domain_unscored(empty, "severity") == wording.DOMAIN_NOT_SCORED


def test_an_evidence_mark_is_shown_in_words_with_its_meaning():
    mark = wording.evidence("V")
    assert mark.words == "read in the source"
    assert mark.meaning == "Read in the source itself."


def test_a_comorbidity_and_a_record_field_to_collect_read_as_the_form_asks_them():
    assert wording.input_label("comorbidity:ibd") == "inflammatory bowel disease"
    assert wording.input_label("edss") == "EDSS"
    assert wording.input_label("birth_date") == "date of birth"
