"""A preview's attrition and summary: what keeps a result off Strong, and the counts (pure)."""

import datetime

import pytest

from rules.previews.attrition import SCORE_BELOW_STRONG, limit_of
from rules.previews.summary import empty, summarise, tally_add
from rules.result import Reason, Result
from rules.specs import EXCLUDED, INCOMPLETE, NOT_INDICATED, POSSIBLE, STRONG, UNLIKELY


def result(band, *reasons, score=None):
    return Result(
        band=band,
        score=score,
        score_upper=score,
        reasons=tuple(reasons),
        lines=(),
        completeness=1.0,
        to_collect=(),
        review_marks=(),
        domain_scores={},
        domain_upper={},
        indication=None,
        ruleset_name="Test",
        ruleset_version="1",
        as_of=datetime.date(2026, 4, 1),
        disease="ms",
        disease_subtype="rr",
        facts={},
    )


CAP_POSSIBLE = Reason("review_cap", "age_over_55", "Age over 55", POSSIBLE)
CAP_UNLIKELY = Reason("review_cap", "infection", "Active infection", UNLIKELY)
LVEF = Reason("excluded", "lvef_low", "LVEF below 45%")
GNR = Reason("category_gnr")
MISSING = Reason("required_missing", "edss", "EDSS")
CORE = Reason("core_not_met", "failed_dmt", "Failed a high-efficacy DMT", UNLIKELY)

CASES = [
    # A strong candidate is kept off nothing.
    (result(STRONG, score=80), None),
    # Not indicated wins over an exclusion found first (precedence, not the order found).
    (result(NOT_INDICATED, LVEF, GNR), ("not_indicated", "category_gnr")),
    (result(EXCLUDED, MISSING, LVEF), ("excluded", "lvef_low")),
    (result(INCOMPLETE, CAP_POSSIBLE, MISSING, score=50), ("incomplete", "edss")),
    # An unmet checklist item comes before the caps of review criteria.
    (result(UNLIKELY, CAP_POSSIBLE, CORE, score=75), ("core", "failed_dmt")),
    # The strictest cap first.
    (result(UNLIKELY, CAP_POSSIBLE, CAP_UNLIKELY, score=75), ("cap", "infection")),
    (
        result(POSSIBLE, Reason("strong_needs", label="infection status", band=POSSIBLE), score=80),
        ("strong_needs", "strong_needs"),
    ),
    (
        result(UNLIKELY, Reason("score_below_possible", label="30"), score=30),
        ("score", "score_below_possible"),
    ),
    # A score between the thresholds and nothing else: the score keeps it off Strong.
    (result(POSSIBLE, score=55), ("score", SCORE_BELOW_STRONG)),
]


@pytest.mark.parametrize("res, expected", CASES)
def test_the_first_reason_in_the_bands_precedence_limits_the_patient(res, expected):
    limit = limit_of(res)
    assert (limit.step, limit.id) == expected if expected else limit is None


def test_a_reason_that_names_no_criterion_reads_as_words():
    assert limit_of(result(NOT_INDICATED, GNR)).label.startswith("EBMT category GNR")
    assert (
        limit_of(result(POSSIBLE, score=55)).label == "Score below the strong-candidate threshold"
    )


def test_the_summary_adds_chunks_up_and_lists_attrition_in_order():
    one, two = empty(), empty()
    tally_add(
        one,
        result(STRONG, score=80),
        result(EXCLUDED, LVEF),
        None,
        limit_of(result(EXCLUDED, LVEF)),
    )
    tally_add(
        two,
        result(STRONG, score=72),
        result(POSSIBLE, CAP_POSSIBLE, score=72),
        None,
        limit_of(result(POSSIBLE, CAP_POSSIBLE)),
    )
    tally_add(
        two,
        result(NOT_INDICATED, GNR),
        result(NOT_INDICATED, GNR),
        limit_of(result(NOT_INDICATED, GNR)),
        limit_of(result(NOT_INDICATED, GNR)),
    )
    summary = summarise([one, two, {}])
    assert summary["total"] == 3 and summary["moved"] == 2
    assert summary["matrix"] == {
        STRONG: {EXCLUDED: 1, POSSIBLE: 1},
        NOT_INDICATED: {NOT_INDICATED: 1},
    }
    assert [(a["id"], a["draft"], a["baseline"]) for a in summary["attrition"]] == [
        ("category_gnr", 1, 1),
        ("lvef_low", 1, 0),
        ("age_over_55", 1, 0),
    ]
    assert summary["strong"] == {"draft": 0, "baseline": 2}
    assert summary["scores"]["before"][8] == 1 and summary["scores"]["before"][7] == 1
    assert summary["scores"]["gated_after"] == 2 and summary["scores"]["after"][7] == 1
