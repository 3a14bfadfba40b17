"""The engine on small hand-made rule sets: operators, bands, scoring, errors, JSON."""

import json
from dataclasses import replace
from datetime import date, datetime

import pytest

from rules.engine import (
    BANDS,
    DOMAINS,
    EVIDENCE,
    FACTS,
    KINDS,
    OPERATORS,
    CriterionSpec,
    FactValue,
    IndicationSpec,
    NotScreenable,
    Result,
    RuleSetError,
    RuleSetSpec,
    compile_ruleset,
    evaluate,
    evaluate_facts,
    render_text,
)
from rules.facts import AT_LEAST, MISSING, OK, STALE
from rules.record import PatientRecord

AS_OF = date(2026, 11, 25)
WINDOWS = {
    "labs": 90,
    "performance_status": 90,
    "clinical_status": 90,
    "echo_lung": 180,
    "disease_activity": 180,
    "marrow": 365,
}


def crit(key, fact, operator, thresholds, kind="points", domain="severity", points=1, **kw):
    return CriterionSpec(
        key=key,
        domain=domain,
        diseases=kw.pop("diseases", ("all",)),
        fact=fact,
        operator=operator,
        thresholds=tuple(thresholds),
        kind=kind,
        points=points if kind in ("points", "core") else 0,
        explanation=kw.pop("explanation", "{label}: {value}"),
        citation=kw.pop("citation", "Test source"),
        evidence=kw.pop("evidence", "V"),
        **kw,
    )


def ruleset(*criteria, indications=None, weights=None, bands=None) -> RuleSetSpec:
    return RuleSetSpec(
        name="test",
        version="t1",
        domain_weights=weights or {"severity": 40, "failed_treatments": 35, "overall_health": 25},
        band_thresholds=bands or {"strong": 70, "possible": 40},
        freshness_days=WINDOWS,
        indications=indications
        if indications is not None
        else (
            IndicationSpec("ms", "autologous", "CO", "Snowden 2012", "V"),
            IndicationSpec("t1d", "autologous", "D", "Snowden 2012", "V"),
            IndicationSpec("crohns", "allo_sibling", "GNR", "Snowden 2012", "V"),
        ),
        criteria=criteria,
    )


def facts(**values) -> dict[str, FactValue]:
    """Facts for an adult MS patient; a FactValue passes through, anything else is OK."""
    base = {
        "deceased": False,
        "age_years": 35,
        "paediatric": False,
        "disease": "ms",
        "disease_subtype": "rr",
        # What Strong needs besides the score: all recorded unless a test says otherwise.
        "hct_ci_items_unknown": (),
        "active_infection": False,
        "malignancy": "none",
        "pregnant": False,
    }
    base.update(values)
    return {k: v if isinstance(v, FactValue) else FactValue(v, AS_OF, OK) for k, v in base.items()}


def run(spec: RuleSetSpec, **values) -> Result:
    return evaluate_facts(facts(**values), compile_ruleset(spec), AS_OF)


# One scored criterion per domain, and facts that meet all three.
EVERY_DOMAIN = (
    crit("relapses", "relapses_12m", ">=", [2]),
    crit("failed", "failed_high_efficacy_dmt", "is true", [], domain="failed_treatments"),
    crit("fit", "kps", ">", [60], domain="overall_health"),
)
MEETS_ALL = {"relapses_12m": 2, "failed_high_efficacy_dmt": True, "kps": 90}


# --- Vocabularies -----------------------------------------------------------------------------


def test_vocabularies_are_exposed_for_admin_choices():
    assert OPERATORS == ("<", "<=", ">", ">=", "between", "in", "is true", "is false")
    assert DOMAINS == ("severity", "failed_treatments", "overall_health")
    assert KINDS == ("indication", "exclusion", "points", "review", "core", "workup")
    assert EVIDENCE == ("V", "V2", "UNVERIFIED", "local policy")
    assert BANDS[0] == "Not indicated" and BANDS[-1] == "Unlikely"
    assert FACTS["hct_ci"].type == "number" and FACTS["hct_ci"].description


# --- Operators --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fact, operator, thresholds, value, outcome",
    [
        ("edss", "<", [6.0], 5.5, "met"),
        ("edss", "<", [6.0], 6.0, "not_met"),
        ("edss", "<=", [6.0], 6.0, "met"),
        ("edss", ">", [6.0], 6.0, "not_met"),
        ("edss", ">=", [6.0], 6.0, "met"),
        ("edss", "between", [2.0, 6.0], 2.0, "met"),  # both ends included (MIST 2.0-6.0)
        ("edss", "between", [2.0, 6.0], 6.0, "met"),
        ("edss", "between", [2.0, 6.0], 6.5, "not_met"),
        ("edss", "in", [3.0, 3.5], 3.5, "met"),
        ("camitta_severity", "in", ["severe", "very_severe"], "very_severe", "met"),
        ("camitta_severity", "in", ["severe", "very_severe"], "non_severe", "not_met"),
        ("failed_line_classes", "in", ["biologic"], ("immunosuppressant", "biologic"), "met"),
        ("failed_line_classes", "in", ["biologic"], (), "not_met"),
        ("pregnant", "is true", [], True, "met"),
        ("pregnant", "is false", [], True, "not_met"),
    ],
)
def test_operators(fact, operator, thresholds, value, outcome):
    result = run(ruleset(crit("c", fact, operator, thresholds)), **{fact: value})
    assert result.lines[0].outcome == outcome


@pytest.mark.parametrize(
    "operator, thresholds, at_least, outcome",
    [
        # "HCT-CI at least 3" already settles ">= 3" and "< 3"; "at least 1" settles neither.
        (">=", [3], 3, "met"),
        (">=", [3], 1, "not_evaluable"),
        ("<", [3], 3, "not_met"),
        ("<", [3], 1, "not_evaluable"),
        ("between", [0, 2], 3, "not_met"),
        ("between", [0, 2], 1, "not_evaluable"),
        ("in", [0], 0, "not_evaluable"),
    ],
)
def test_a_lower_bound_decides_only_when_it_is_enough(operator, thresholds, at_least, outcome):
    value = FactValue(at_least, AS_OF, AT_LEAST, ("comorbidity:arrhythmia",))
    result = run(ruleset(crit("c", "hct_ci", operator, thresholds)), hct_ci=value)
    assert result.lines[0].outcome == outcome


# --- Missing and stale data ---------------------------------------------------------------------


def test_a_missing_value_is_not_evaluable_and_never_zero():
    spec = ruleset(
        crit("low", "edss", "<", [6.0], points=2),
        crit("other", "relapses_12m", ">=", [2], points=2),
    )
    result = run(spec, edss=FactValue(missing=("edss",)), relapses_12m=2)
    assert result.lines[0].outcome == "not_evaluable"
    # The missing criterion counts as not met: 2 of 4 points; once collected, up to 4 of 4.
    assert result.domain_scores["severity"] == 0.5 and result.domain_upper["severity"] == 1.0
    # Severity is 40 of the 100 weight: 20 now, up to 40.
    assert (result.score, result.score_upper) == (20, 40)
    assert result.completeness == 0.5
    assert [(t.item, t.reason, t.required) for t in result.to_collect] == [
        ("edss", "missing", False)
    ]


def test_a_required_criterion_not_evaluable_makes_the_band_incomplete():
    spec = ruleset(crit("lvef", "lvef_pct", "<", [45], kind="exclusion", required=True))
    result = run(spec, lvef_pct=FactValue(58, date(2025, 1, 1), STALE, (), ("lvef",)))
    assert result.band == "Incomplete"
    assert result.to_collect[0][:3] == ("lvef", "stale", True)
    assert result.lines[0].value == 58  # the stale value is still shown


def test_a_fact_absent_from_the_snapshot_counts_as_missing():
    result = run(ruleset(crit("c", "mrss", ">", [15])))
    assert result.lines[0].outcome == "not_evaluable" and result.lines[0].value_status == MISSING


# --- Bands and score ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, band, reason",
    [
        ({"disease": "crohns"}, "Not indicated", "category_gnr"),  # EBMT GNR
        ({"disease": "t1d"}, "Trial only", "category_d"),  # EBMT D
        ({"disease": "sle"}, "Not indicated", "no_covered_disease"),  # no row in this rule set
        ({"paediatric": True, "age_years": 12}, "Not indicated", "paediatric"),
        # An EHR import brings patients with no disease the rule set covers: not Incomplete.
        ({"disease": FactValue(missing=("disease",))}, "Not indicated", "no_covered_disease"),
        ({"pregnant": True}, "Excluded", "excluded"),
        ({"pregnant": True, "disease": "t1d"}, "Trial only", "category_d"),  # precedence
        ({"age_years": FactValue(missing=("birth_date",))}, "Incomplete", "age_unknown"),
    ],
)
def test_band_gates_in_order_of_precedence(values, band, reason):
    spec = ruleset(
        crit("pregnancy", "pregnant", "is true", [], kind="exclusion", domain="overall_health")
    )
    result = run(spec, **values)
    assert result.band == band and result.reasons[0].code == reason
    # A gated band shows no score: "Excluded, 100" would read as favourable.
    gated = band in ("Not indicated", "Trial only", "Excluded")
    assert (result.score is None) == gated and (result.score_upper is None) == gated


def test_paediatric_rows_let_children_be_screened():
    child_row = IndicationSpec("ms", "autologous", "CO", "Snowden 2012", "V", paediatric=True)
    spec = ruleset(*EVERY_DOMAIN, indications=(child_row,))
    assert run(spec, paediatric=True, age_years=12, **MEETS_ALL).band == "Strong candidate"


@pytest.mark.parametrize(
    "relapses, failed, band, score",
    [
        (2, True, "Strong candidate", 100),
        # Severity and overall health met, failed treatments not: 40 + 25 of the 100 weight.
        (2, False, "Possible candidate", 65),
        (0, False, "Unlikely", 25),
    ],
)
def test_score_weights_every_domain(relapses, failed, band, score):
    result = run(
        ruleset(*EVERY_DOMAIN),
        **{**MEETS_ALL, "relapses_12m": relapses, "failed_high_efficacy_dmt": failed},
    )
    assert (result.band, result.score) == (band, score)


def test_an_empty_domain_cannot_give_full_marks():
    # No overall-health criterion: that quarter of the weight is never earned.
    spec = ruleset(*EVERY_DOMAIN[:2])
    result = run(spec, **MEETS_ALL)
    assert result.domain_scores["overall_health"] is None and result.score == 75
    assert result.band == "Strong candidate"  # 75 is above the strong threshold of 70


def test_indication_not_met_gives_not_indicated():
    spec = ruleset(
        crit(
            "activity",
            "ms_inflammatory_activity",
            "is true",
            [],
            kind="indication",
            diseases=("ms:sp", "ms:pp"),
        )
    )
    assert run(spec, disease_subtype="sp", ms_inflammatory_activity=False).band == "Not indicated"
    # The criterion applies to progressive subtypes only.
    assert run(spec, disease_subtype="rr", ms_inflammatory_activity=False).lines == ()


@pytest.mark.parametrize("cap", ["Possible candidate", "Unlikely"])
def test_a_review_mark_caps_the_band_and_never_leaves_a_patient_strong(cap):
    spec = ruleset(
        *EVERY_DOMAIN,
        crit("r", "age_years", ">=", [45], kind="review", domain="overall_health", cap=cap),
    )
    result = run(spec, age_years=50, **MEETS_ALL)
    assert result.score == 100 and result.review_marks == ("r",)
    assert result.band == cap
    assert ("review_cap", "r", cap) in [(r.code, r.key, r.band) for r in result.reasons]


@pytest.mark.parametrize(
    "band_when_not_met, band",
    [("", "Unlikely"), ("Unlikely", "Unlikely"), ("Trial only", "Trial only")],
)
def test_an_unmet_core_criterion_gives_its_band(band_when_not_met, band):
    spec = ruleset(
        *EVERY_DOMAIN,
        crit(
            "checklist",
            "ms_treatment_naive",
            "is false",
            [],
            kind="core",
            points=0,
            not_met_band=band_when_not_met,
        ),
    )
    result = run(spec, ms_treatment_naive=True, **MEETS_ALL)
    assert result.band == band
    assert (result.score is None) == (band == "Trial only")


def test_a_core_criterion_that_cannot_be_checked_makes_the_band_incomplete():
    spec = ruleset(
        *EVERY_DOMAIN,
        crit("checklist", "ms_treatment_naive", "is false", [], kind="core", points=0),
    )
    result = run(spec, ms_treatment_naive=FactValue(missing=("treatment_history",)), **MEETS_ALL)
    assert result.band == "Incomplete" and result.reasons[0].code == "core_unknown"
    assert result.score == 100  # Incomplete shows the score


@pytest.mark.parametrize(
    "gap, collect",
    [
        (
            {"hct_ci_items_unknown": FactValue(("cardiac",), AS_OF, OK, ("comorbidity:cardiac",))},
            "comorbidity:cardiac",
        ),
        ({"active_infection": FactValue(missing=("active_infection",))}, "active_infection"),
        ({"malignancy": FactValue(missing=("malignancy",))}, "malignancy"),
        ({"pregnant": FactValue(missing=("pregnant",))}, "pregnant"),
    ],
)
def test_strong_needs_the_comorbidities_infection_malignancy_and_pregnancy_known(gap, collect):
    result = run(ruleset(*EVERY_DOMAIN), **{**MEETS_ALL, **gap})
    assert result.score == 100 and result.band == "Possible candidate"
    assert result.reasons[-1].code == "strong_needs"
    assert collect in [t.item for t in result.to_collect]


def test_a_fact_that_does_not_apply_leaves_its_criterion_out():
    spec = ruleset(
        *EVERY_DOMAIN,
        crit(
            "age_on_pathway",
            "saa_first_line_age",
            ">=",
            [40],
            kind="review",
            cap="Possible candidate",
        ),
    )
    result = run(spec, saa_first_line_age=FactValue(None, None, "not_applicable"), **MEETS_ALL)
    assert result.band == "Strong candidate" and result.completeness == 1.0
    assert result.lines[-1].outcome == "not_applicable"


def test_disabled_criteria_are_left_out():
    spec = ruleset(crit("off", "edss", "<", [6.0], enabled=False, evidence="UNVERIFIED"))
    assert run(spec, edss=3.0).lines == ()


def test_deceased_patients_are_not_screened():
    with pytest.raises(NotScreenable):
        run(ruleset(), deceased=True)
    rec = PatientRecord(date(1980, 1, 1), "male", True, "ms", "rr", None)
    with pytest.raises(NotScreenable):
        evaluate(rec, compile_ruleset(ruleset()), AS_OF)


def test_as_of_must_be_a_date_not_a_datetime():
    rec = PatientRecord(date(1980, 1, 1), "male", False, "ms", "rr", None)
    with pytest.raises(TypeError):
        evaluate(rec, compile_ruleset(ruleset()), datetime(2026, 11, 25, 12, 0))


# --- Compile errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"fact": "blood_type"}, "fact", "unknown fact"),
        ({"operator": "~="}, "operator", "unknown operator"),
        ({"operator": "is true"}, "operator", "does not apply"),  # a number fact
        ({"thresholds": (1, 2)}, "thresholds", "exactly one number"),
        ({"thresholds": ("six",)}, "thresholds", "exactly one number"),
        ({"operator": "between", "thresholds": (6, 2)}, "thresholds", "above high"),
        ({"domain": "mood"}, "domain", "unknown domain"),
        ({"kind": "bonus"}, "kind", "unknown kind"),
        ({"diseases": ("lupus",)}, "diseases", "unknown disease"),
        ({"diseases": ()}, "diseases", "at least one"),
        ({"evidence": "trust me"}, "evidence", "unknown evidence"),
        ({"citation": ""}, "citation", "needs a citation"),
        ({"points": 0}, "points", "points > 0"),
        ({"explanation": "{value} {colour}"}, "explanation", "unknown placeholder"),
        ({"explanation": "{value:.1f}"}, "explanation", "malformed"),
    ],
)
def test_compile_names_the_criterion_and_the_field_at_fault(change, field, words):
    bad = replace(crit("edss_ok", "edss", "<", [6.0]), **change)
    with pytest.raises(RuleSetError) as err:
        compile_ruleset(ruleset(bad))
    problem = err.value.problems[0]
    assert (problem.where, problem.field) == ("criterion 'edss_ok'", field)
    assert words in problem.message and "edss_ok" in str(err.value)


def test_compile_collects_every_problem():
    spec = replace(
        ruleset(crit("a", "nope", "<", [1]), crit("a", "edss", "??", [1])),
        domain_weights={"severity": -1},
        band_thresholds={"strong": 30, "possible": 60},
        freshness_days={"labs": 0},
    )
    with pytest.raises(RuleSetError) as err:
        compile_ruleset(spec)
    fields = {(p.where, p.field) for p in err.value.problems}
    assert {
        ("criterion 'a'", "fact"),
        ("criterion 'a'", "operator"),
        ("criterion 'a'", "key"),
        ("rule set", "domain_weights"),
        ("rule set", "band_thresholds"),
        ("rule set", "freshness_days"),
    } <= fields


def test_compile_rejects_two_screened_rows_for_one_disease():
    rows = (
        IndicationSpec("ms", "autologous", "CO", "x", "V"),
        IndicationSpec("ms", "allo_sibling", "D", "x", "V"),
    )
    with pytest.raises(RuleSetError, match="screened"):
        compile_ruleset(ruleset(indications=rows))


def test_compile_rejects_a_pathway_outside_aplastic_anaemia():
    rows = (IndicationSpec("ms", "autologous", "ist_first", "x", "V"),)
    with pytest.raises(RuleSetError, match="aplastic anaemia only"):
        compile_ruleset(ruleset(indications=rows))


def test_from_dicts_rejects_unknown_fields():
    with pytest.raises(RuleSetError, match="colour: unknown field"):
        RuleSetSpec.from_dicts({}, [], [{"key": "x", "colour": "red"}])


# --- Result: JSON, determinism, text ------------------------------------------------------------


def _sample() -> Result:
    spec = ruleset(
        crit("relapses", "relapses_12m", ">=", [2]),
        crit("lvef", "lvef_pct", "<", [45], kind="exclusion", required=True),
        crit("hct", "hct_ci", "<", [3], domain="overall_health"),
    )
    return run(
        spec,
        relapses_12m=2,
        lvef_pct=FactValue(missing=("lvef",)),
        hct_ci=FactValue(1, AS_OF, AT_LEAST, ("comorbidity:arrhythmia",)),
        failed_line_classes=("biologic",),
    )


def test_result_round_trips_through_json():
    result = _sample()
    text = json.dumps(result.to_dict())
    assert Result.from_dict(json.loads(text)) == result
    assert json.loads(text)["as_of"] == "2026-11-25"


def test_same_inputs_give_the_same_result():
    assert _sample().to_dict() == _sample().to_dict()


def test_result_keeps_the_facts_it_used():
    assert _sample().facts["relapses_12m"].value == 2


def test_render_text_starts_with_band_and_score():
    lines = render_text(_sample()).splitlines()
    assert lines[0] == "Band: Incomplete"
    assert lines[1].startswith("Score: ") and lines[1][7:].isdigit()
    text = "\n".join(lines)
    assert "Data to collect:" in text and "lvef: missing (required)" in text
    assert "Rule set: test, version t1" in text and "As of: 25 Nov 2026" in text
