"""What changed between two rule set versions, in sentences a clinician reads."""

from dataclasses import replace

import pytest

from rules.defaults import load_ruleset
from rules.diff import diff_rulesets
from rules.specs import CriterionSpec, IndicationSpec, RuleSetSpec

LVEF = CriterionSpec(
    key="lvef_review",
    domain="overall_health",
    diseases=("all",),
    fact="lvef_pct",
    operator="<=",
    thresholds=(50,),
    kind="review",
    label="LVEF 50% or less",
    explanation="LVEF {value}%",
    citation="Sorror 2005",
    evidence="V",
    cap="",
)
EDSS = CriterionSpec(
    key="ms_edss_below_6",
    domain="severity",
    diseases=("ms",),
    fact="edss",
    operator="<",
    thresholds=(6.0,),
    kind="points",
    points=2,
    label="EDSS below 6.0",
    explanation="EDSS {value}",
    citation="ECTRIMS/EBMT 2025",
    evidence="V2",
)
MS_AUTO = IndicationSpec("ms", "autologous", "CO", "Snowden 2012", "V")


def ruleset(*criteria, indications=(MS_AUTO,), **fields):
    base = {
        "name": "Screen",
        "version": "1",
        "domain_weights": {"severity": 40, "failed_treatments": 35, "overall_health": 25},
        "band_thresholds": {"strong": 70, "possible": 40},
        "freshness_days": {"labs": 90, "echo_lung": 180},
    }
    return RuleSetSpec(**(base | fields), indications=indications, criteria=criteria)


OLD = ruleset(LVEF)

CASES = [
    # a criterion added, with what it does and for whom
    (
        ruleset(LVEF, EDSS),
        "EDSS below 6.0 (new): adds 2 points to disease severity, for multiple sclerosis.",
    ),
    (
        ruleset(LVEF, replace(EDSS, enabled=False)),
        "EDSS below 6.0 (new): adds 2 points to disease severity, for multiple sclerosis. "
        "It is switched off.",
    ),
    # removed
    (
        ruleset(),
        "LVEF 50% or less (removed): no longer marks the case for team review, for every disease.",
    ),
    # changed, field by field
    (
        ruleset(replace(LVEF, cap="Possible candidate")),
        "LVEF 50% or less: cap changed from — to Possible candidate",
    ),
    (
        ruleset(replace(LVEF, thresholds=(45,), operator="<")),
        "LVEF 50% or less: rule changed from “LVEF 50% or less” to “LVEF below 45%”",
    ),
    (
        ruleset(replace(LVEF, kind="exclusion")),
        "LVEF 50% or less: was a review, now an exclusion",
    ),
    (
        ruleset(replace(LVEF, kind="core", not_met_band="Trial only")),
        "LVEF 50% or less: was a review, now a guideline checklist item giving Trial only when "
        "not met",
    ),
    (
        ruleset(replace(LVEF, points=1)),
        "LVEF 50% or less: points changed from 0 to 1 (local policy)",
    ),
    (
        ruleset(replace(LVEF, required=True)),
        "LVEF 50% or less: now required: without it the band is Incomplete",
    ),
    (ruleset(replace(LVEF, enabled=False)), "LVEF 50% or less: switched off"),
    (
        ruleset(replace(LVEF, diseases=("ssc",))),
        "LVEF 50% or less: applies to systemic sclerosis, was every disease",
    ),
    (
        ruleset(replace(LVEF, domain="severity")),
        "LVEF 50% or less: moved from overall health to disease severity",
    ),
    (
        ruleset(replace(LVEF, citation="Sorror 2005; SCOT")),
        "LVEF 50% or less: source changed from “Sorror 2005” to “Sorror 2005; SCOT”",
    ),
    (
        ruleset(replace(LVEF, evidence="UNVERIFIED")),
        "LVEF 50% or less: evidence mark changed from V (read in the source) to UNVERIFIED "
        "(not yet confirmed)",
    ),
    (
        ruleset(replace(LVEF, label="Reduced LVEF")),
        "Reduced LVEF: renamed from “LVEF 50% or less”",
    ),
    # indications: category per disease and transplant type
    (
        ruleset(LVEF, indications=(replace(MS_AUTO, category="S"),)),
        "Multiple sclerosis, autologous: category changed from clinical option to standard of care",
    ),
    (
        ruleset(LVEF, indications=(MS_AUTO, IndicationSpec("mg", "autologous", "D", "X", "V"))),
        "Myasthenia gravis, autologous (new): developmental (within a clinical trial only)",
    ),
    (
        ruleset(LVEF, indications=(MS_AUTO, replace(MS_AUTO, screened=False, category="S"))),
        "Multiple sclerosis, autologous (new, shown as an alternative): standard of care",
    ),
    # the rule set's settings
    (
        ruleset(LVEF, band_thresholds={"strong": 75, "possible": 40}),
        "Strong candidate threshold: 70 → 75",
    ),
    (
        ruleset(
            LVEF,
            domain_weights={"severity": 45, "failed_treatments": 30, "overall_health": 25},
        ),
        "Disease severity weight: 40 → 45",
    ),
    (
        ruleset(LVEF, freshness_days={"labs": 120, "echo_lung": 180}),
        "Labs (blood tests) usable for: 90 → 120 days",
    ),
    (
        ruleset(LVEF, freshness_days={"labs": 90, "echo_lung": 180, "marrow": 365}),
        "Marrow examination and its work-up usable for: — → 365 days",
    ),
]


@pytest.mark.parametrize("new, sentence", CASES)
def test_each_change_reads_as_a_sentence(new, sentence):
    assert sentence in diff_rulesets(OLD, new).sentences()


def test_a_change_of_kind_says_what_it_was_and_what_it_is_in_one_sentence():
    new = ruleset(replace(LVEF, kind="exclusion", cap="", enabled=False))
    old = ruleset(replace(LVEF, cap="Possible candidate"))
    assert diff_rulesets(old, new).sentences() == [
        "LVEF 50% or less: was a review capped at Possible candidate, now an exclusion "
        "(switched off)"
    ]


def test_a_version_compared_with_itself_has_no_changes():
    v2 = load_ruleset("ebmt-autoimmune-v2").spec()
    diff = diff_rulesets(v2, v2)
    assert diff.empty and diff.sentences() == []


def test_the_diff_shows_no_key_or_code():
    v1, v2 = load_ruleset("ebmt-autoimmune-v1").spec(), load_ruleset("ebmt-autoimmune-v2").spec()
    text = "\n".join(diff_rulesets(v1, v2).sentences())
    keys = {c.key for c in v1.criteria + v2.criteria if "_" in c.key} | {
        c.fact for c in v1.criteria + v2.criteria if "_" in c.fact
    }
    assert not [k for k in keys if k in text]
    assert ">=" not in text and "<=" not in text


@pytest.mark.django_db
def test_the_seeded_v1_and_v2_differ_as_the_v2_corrections_say():
    from rules.models import RuleSet

    v1, v2 = RuleSet.objects.get(version="1"), RuleSet.objects.get(version="2")
    diff = diff_rulesets(v1.to_spec(), v2.to_spec())
    sentences = diff.sentences()
    # v1 kept active infection as a switched-off exclusion; v2 reviews it, capped at Unlikely
    assert (
        "Active infection: was an exclusion (switched off), now a review capped at Unlikely"
        in sentences
    )
    # v1 gave EDSS points from 2.0 to 6.0 (MIST); v2 below 6.0 (ECTRIMS/EBMT 2025)
    assert (
        "EDSS 2.0 to 6.0 (removed): no longer adds 2 points to disease severity, for multiple sclerosis."
        in diff.removed
    )
    assert (
        "EDSS below 6.0 (new): adds 2 points to disease severity, for multiple sclerosis."
        in diff.added
    )
    # SCOT: LVEF is reviewed in SSc too, and every review carries a cap
    assert (
        "LVEF 50% or less: applies to every disease, was every disease except systemic sclerosis"
        in sentences
    )
    assert "LVEF 50% or less: cap changed from — to Possible candidate" in sentences
    # Crohn's CDAI became ASTIC's checklist item
    assert (
        "CDAI 250 or more: was a points criterion, now a guideline checklist item giving "
        "Unlikely when not met" in sentences
    )
    assert (
        "Name: EBMT-aligned autoimmune HSCT screen v1 → EBMT-aligned autoimmune HSCT screen v2"
        in diff.settings
    )
    assert diff_rulesets(v2.to_spec(), v2.to_spec()).empty
