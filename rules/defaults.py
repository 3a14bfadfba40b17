"""The default rule set, "EBMT-aligned autoimmune HSCT screen v1", as plain Python data.

A data migration copies DEFAULT_RULESET, DEFAULT_INDICATIONS and DEFAULT_CRITERIA into the
database; their keys are the field names of RuleSetSpec, IndicationSpec and CriterionSpec.
Sources and marks are in /work/shared/clinical/criteria-sources.md (section numbers below).

What is clinical and what is local policy:
- every clinical threshold cites its source with its evidence mark (V / V2 / UNVERIFIED);
  one without a readable source is seeded UNVERIFIED and switched off (enabled=False);
- domain weights, points, band cut-offs and freshness windows are LOCAL POLICY, owned by the
  centre's admins. The points were tuned so that the canonical cases in
  tests/rules/test_defaults.py land in the bands the guidelines suggest: a fit patient who
  meets every disease criterion scores 100 (Strong candidate), and one who meets the disease
  criteria only partly lands in Possible. Within a domain the criterion a guideline names as
  the main trigger (e.g. failure of a high-efficacy DMT in MS) weighs most.
- age windows, performance status and HCT-CI are review marks plus points, never exclusions:
  the sources say "ideally", "may be considered", "individual decision" (principle 5).
- exclusions only where a source names a contraindication, for the diseases it covers.
"""

from __future__ import annotations

from typing import Any

from .specs import CriterionSpec, IndicationSpec, RuleSetSpec

# --- Citations --------------------------------------------------------------------------------

SNOWDEN_2012 = "Snowden JA et al. EBMT guidelines, Bone Marrow Transplant 2012;47:770-790, Table 2"
SHARRACK_2020 = "Sharrack B et al. EBMT neurological guidelines, BMT 2020;55:283-306 (abstract)"
LATER_EBMT = "Later EBMT indication tables (Snowden 2022; EBMT 2025); autoimmune rows not read"
ECTRIMS_2025 = "Muraro PA et al. ECTRIMS/EBMT 2025, Nat Rev Neurol 2025;21:140-158 (EAN summary)"
MIST = "Burt RK et al. MIST, JAMA 2019;321:165-174"
LONDON = "London MS-AHSCT Collaborative Group criteria (aimscharity.org/uk-criteria)"
EBMT_RMD_2025 = "EBMT 2025 recommendations for rheumatic diseases, BMT 2025, doi:10.1038/s41409-025-02695-y"
ASTIS_PROTOCOL = "ASTIS protocol exclusions, Ann Rheum Dis (ASTIS eligibility table)"
FARGE_2017 = "Farge D et al. EBMT cardiopulmonary recommendations, BMT 2017;52:1495-1503 (via Penglase 2023)"
PREGNANCY = "UPSIDE, BMJ Open 2021;11:e044483 (Table 2); MIST CONSORT footnote"
BSH_2024 = "Kulasekararaj A et al. BSH 2024 aplastic anaemia guideline, Br J Haematol 2024, doi:10.1111/bjh.19236"
PEFFAULT_2013 = "Peffault de Latour R, ASH Education 2013"
CAMITTA = "Camitta BM et al. Blood 1975;45:355 and 1976;48:63"
BACIGALUPO = "Bacigalupo A et al. Br J Haematol 1988 (very severe AA)"
ASTIC = "Hawkey CJ et al. ASTIC, JAMA 2015;314:2524-2534"
SORROR_2005 = "Sorror ML et al. HCT-CI, Blood 2005;106:2912-2919"
SORROR_2015 = "Sorror ML et al. BBMT 2015;21:1479 (HCT-CI >= 3 higher risk in autologous HCT)"
BURT_2006 = "Burt RK et al. JAMA 2006 (refractory SLE definition)"
NO_SOURCE = "No source seen; general practice"

DEFAULT_RULESET: dict[str, Any] = {
    "name": "EBMT-aligned autoimmune HSCT screen v1",
    "version": "1",
    # Local policy (scoring-model.md).
    "domain_weights": {"severity": 40, "failed_treatments": 35, "overall_health": 25},
    "band_thresholds": {"strong": 70, "possible": 40},
    # Local policy. Labs and performance status 90 days, echo and lung function 180 days
    # (scoring-model.md). Disease activity 180 days: MS, SLE, SSc and Crohn's scores are
    # usually reassessed every six months. Clinical status (pregnancy, infection, BMI) 90 days
    # like labs. Marrow 365 days: a trephine is not repeated for screening alone.
    "freshness_days": {
        "labs": 90,
        "performance_status": 90,
        "clinical_status": 90,
        "echo_lung": 180,
        "disease_activity": 180,
        "marrow": 365,
    },
}


def _ind(disease: str, transplant_type: str, category: str, citation: str, evidence: str, *, screened: bool = True) -> dict[str, Any]:
    return {
        "disease": disease,
        "transplant_type": transplant_type,
        "category": category,
        "citation": citation,
        "evidence": evidence,
        "screened": screened,
        "paediatric": False,
    }


# EBMT 2012 (section 1b, V), adults. The autologous row gates screening; the allogeneic rows
# are kept for reference. No paediatric rows: every threshold below comes from adult
# studies, so children get "Not indicated: paediatric indications are not covered".
_EBMT_2012 = {
    # disease: (sibling allo, unrelated allo, autologous)
    "ms": ("D", "GNR", "CO"),
    "ssc": ("D", "GNR", "CO"),
    "sle": ("D", "GNR", "CO"),
    "crohns": ("GNR", "GNR", "CO"),
    "ra": ("GNR", "GNR", "CO"),
    "vasculitis": ("GNR", "GNR", "CO"),
    "myositis": ("GNR", "GNR", "CO"),
    "cidp": ("GNR", "GNR", "CO"),
    "nmosd": ("GNR", "GNR", "CO"),
    "t1d": ("GNR", "GNR", "D"),
}
DEFAULT_INDICATIONS: list[dict[str, Any]] = [
    row
    for disease, (sib, unrel, auto) in _EBMT_2012.items()
    for row in (
        _ind(disease, "autologous", auto, SNOWDEN_2012, "V"),
        _ind(disease, "allo_sibling", sib, SNOWDEN_2012, "V", screened=False),
        _ind(disease, "allo_unrelated", unrel, SNOWDEN_2012, "V", screened=False),
    )
] + [
    # Myasthenia gravis is not in the 2012 table. Sharrack 2020 (V, abstract) says only that
    # aHSCT "may have a potential role"; later tables give CO or D (UNVERIFIED). We gate on the
    # cautious reading, D (trial only), marked UNVERIFIED.
    _ind("mg", "autologous", "D", f"{SHARRACK_2020}; category from later tables", "UNVERIFIED"),
    # Aplastic anaemia follows the BSH 2024 pathway (section 2e), allogeneic.
    _ind("aa", "allo_sibling", "first_line_transplant", f"{BSH_2024}; age 40: {PEFFAULT_2013}", "V2"),
    _ind("aa", "allo_unrelated", "transplant_after_ist", f"{BSH_2024}; {PEFFAULT_2013}", "V2"),
    # Later categories (section 1c): alternatives shown, never the default gate.
    _ind("ms:rr", "autologous", "S", LATER_EBMT, "UNVERIFIED", screened=False),
    _ind("ms:sp", "autologous", "CO", f"{LATER_EBMT} (with inflammatory activity)", "UNVERIFIED", screened=False),
    _ind("ms:pp", "autologous", "CO", f"{LATER_EBMT} (with inflammatory activity)", "UNVERIFIED", screened=False),
    _ind("ssc", "autologous", "S", f"{LATER_EBMT} (S/I)", "UNVERIFIED", screened=False),
]


def _crit(
    key: str,
    domain: str,
    diseases: list[str],
    fact: str,
    operator: str,
    thresholds: list[Any],
    kind: str,
    points: float,
    label: str,
    explanation: str,
    citation: str,
    evidence: str,
    *,
    required: bool = False,
    enabled: bool = True,
) -> dict[str, Any]:
    return {
        "key": key, "domain": domain, "diseases": diseases, "fact": fact, "operator": operator,
        "thresholds": thresholds, "kind": kind, "required": required, "points": points,
        "label": label, "explanation": explanation, "citation": citation, "evidence": evidence,
        "enabled": enabled,
    }


SEV, FAIL, HEALTH = "severity", "failed_treatments", "overall_health"
RMD = ["sle", "ra", "vasculitis", "myositis"]  # rheumatic diseases besides SSc (EBMT 2025 RMD)

DEFAULT_CRITERIA: list[dict[str, Any]] = [
    # --- Indication -------------------------------------------------------------------------
    _crit("ms_progressive_activity", SEV, ["ms:sp", "ms:pp"], "ms_inflammatory_activity", "is true", [], "indication", 0,
          "Inflammatory activity in progressive MS",
          "Progressive MS is eligible only with inflammatory activity (relapse or new MRI lesions in 12 months): {value}",
          ECTRIMS_2025, "V2", required=True),
    # The subtype decides whether the progressive-MS rule applies, so it must be recorded.
    _crit("ms_subtype_known", SEV, ["ms"], "disease_subtype", "in", ["rr", "sp", "pp"], "indication", 0,
          "MS subtype recorded", "MS subtype: {value} (progressive MS needs inflammatory activity)",
          ECTRIMS_2025, "V2", required=True),
    # --- Exclusions ---------------------------------------------------------------------------
    _crit("pregnancy", HEALTH, ["all"], "pregnant", "is true", [], "exclusion", 0,
          "Pregnancy", "Pregnancy excludes transplant conditioning: pregnant {value}", PREGNANCY, "V"),
    _crit("ssc_lvef", HEALTH, ["ssc"], "lvef_pct", "<", [45], "exclusion", 0,
          "LVEF below 45% (SSc)", "LVEF {value}% on {date}; SSc transplant excluded {threshold}%",
          f"{ASTIS_PROTOCOL}; {FARGE_2017}", "V", required=True),
    _crit("ssc_pasp", HEALTH, ["ssc"], "pasp_mmhg", ">", [40], "exclusion", 0,
          "PASP above 40 mmHg at rest (SSc)",
          "PASP {value} mmHg on {date}; absolute contraindication to high-dose cyclophosphamide {threshold} mmHg",
          f"{EBMT_RMD_2025}, Table 5; {FARGE_2017}", "V", required=True),
    _crit("ssc_mpap", HEALTH, ["ssc"], "mpap_mmhg", ">", [25], "exclusion", 0,
          "mPAP above 25 mmHg at rest (SSc)",
          "mPAP {value} mmHg on {date} (right heart catheter); contraindication to high-dose cyclophosphamide {threshold} mmHg",
          f"{EBMT_RMD_2025}, Table 5", "V"),
    _crit("ssc_creatinine_clearance", HEALTH, ["ssc"], "creatinine_clearance_ml_min", "<", [40], "exclusion", 0,
          "Creatinine clearance below 40 mL/min (SSc)",
          "Creatinine clearance {value} mL/min on {date}; excluded {threshold} mL/min",
          ASTIS_PROTOCOL, "V", required=True),
    _crit("ssc_dlco", HEALTH, ["ssc"], "dlco_pct", "<", [40], "exclusion", 0,
          "DLCO below 40% predicted (SSc)", "DLCO {value}% predicted on {date}; excluded {threshold}%",
          ASTIS_PROTOCOL, "V", required=True),
    _crit("active_infection", HEALTH, ["all"], "active_infection", "is true", [], "exclusion", 0,
          "Active infection", "Active infection recorded: {value}", NO_SOURCE, "UNVERIFIED", enabled=False),
    # --- MS -----------------------------------------------------------------------------------
    # Required: relapse activity is what makes MS "highly active" (ECTRIMS/EBMT); scored
    # from the other criteria alone, a patient with no relapse count recorded would outrank
    # one whose count of zero was recorded.
    _crit("ms_relapses_12m", SEV, ["ms"], "relapses_12m", ">=", [2], "points", 3,
          "Two or more relapses in 12 months", "Relapses in the last 12 months: {value} (MIST: {threshold} despite DMT)",
          MIST, "V", required=True),
    _crit("ms_new_lesions", SEV, ["ms"], "new_mri_lesions_12m", ">=", [1], "points", 1,
          "New MRI activity in 12 months", "New or enlarging MRI lesions in 12 months: {value}", LONDON, "V2"),
    _crit("ms_edss_window", SEV, ["ms"], "edss", "between", [2.0, 6.0], "points", 2,
          "EDSS 2.0 to 6.0", "EDSS {value} on {date}; MIST enrolled EDSS {threshold}", MIST, "V", required=True),
    _crit("ms_edss_high", SEV, ["ms"], "edss", ">=", [6.0], "review", 0,
          "EDSS 6.0 or more", "EDSS {value}: above the ECTRIMS/EBMT window (< 6.0) unless due to a recent relapse",
          ECTRIMS_2025, "V2"),
    _crit("ms_duration", SEV, ["ms"], "disease_duration_years", "<", [10], "points", 1,
          "Disease duration under 10 years", "Disease duration {value} years; best results {threshold} years",
          ECTRIMS_2025, "V2"),
    _crit("ms_duration_long", SEV, ["ms"], "disease_duration_years", ">=", [10], "review", 0,
          "Disease duration 10 years or more", "Disease duration {value} years: beyond the ideal window",
          ECTRIMS_2025, "V2"),
    _crit("ms_failed_high_efficacy", FAIL, ["ms"], "failed_high_efficacy_dmt", "is true", [], "points", 3,
          "Failure of a high-efficacy DMT", "A high-efficacy DMT failed: {value}", ECTRIMS_2025, "V2"),
    _crit("ms_failed_dmt", FAIL, ["ms"], "failed_lines", ">=", [1], "points", 1,
          "Activity despite a DMT", "DMT lines failed: {value}", MIST, "V"),
    _crit("ms_age_ideal", HEALTH, ["ms"], "age_years", "<", [45], "points", 1,
          "Age under 45 (MS)", "Age {value}; ideal age {threshold}", ECTRIMS_2025, "V2"),
    _crit("ms_age_review", HEALTH, ["ms"], "age_years", ">=", [45], "review", 0,
          "Age 45 or over (MS)", "Age {value}: older than ideal; individual decision", ECTRIMS_2025, "V2"),
    # --- SLE and other rheumatic diseases ---------------------------------------------------
    _crit("sle_sledai", SEV, ["sle"], "sledai_2k", ">", [7], "points", 2,
          "SLEDAI-2K above 7", "SLEDAI-2K {value} on {date}; refractory {threshold}", BURT_2006, "UNVERIFIED",
          enabled=False),
    _crit("rmd_failed", FAIL, RMD, "failed_lines", ">=", [1], "points", 2,
          "Active despite standard therapy", "Lines of standard therapy failed: {value}", f"{EBMT_RMD_2025}, Table 2", "V"),
    _crit("rmd_age_review", HEALTH, RMD, "age_years", ">", [65], "review", 0,
          "Age over 65 (rheumatic disease)", "Age {value}: above 18-65, exceptional cases only",
          f"{EBMT_RMD_2025}, Table 2", "V"),
    # --- Systemic sclerosis -------------------------------------------------------------------
    _crit("ssc_mrss", SEV, ["ssc"], "mrss", ">", [15], "points", 2,
          "mRSS above 15", "mRSS {value} on {date} (threshold {threshold})", f"{EBMT_RMD_2025}, Table 5", "V"),
    _crit("ssc_mrss_high", SEV, ["ssc"], "mrss", ">", [20], "points", 1,
          "mRSS above 20", "mRSS {value}; above 20 qualifies with inflammation even without organ involvement",
          f"{EBMT_RMD_2025}, Table 5", "V"),
    _crit("ssc_organ", SEV, ["ssc"], "ssc_organ_involvement", "is true", [], "points", 2,
          "Visceral organ involvement", "Lung, heart, kidney or GI involvement: {value}", f"{EBMT_RMD_2025}, Table 5", "V"),
    _crit("ssc_crp", SEV, ["ssc"], "crp_mg_l", ">", [10], "points", 1,
          "CRP above 10 mg/L", "CRP {value} mg/L on {date} (inflammation {threshold})", f"{EBMT_RMD_2025}, Table 5", "V"),
    _crit("ssc_duration", SEV, ["ssc"], "disease_duration_years", "<", [5], "points", 1,
          "Disease duration under 5 years", "Disease duration {value} years ({threshold})", f"{EBMT_RMD_2025}, Table 5", "V"),
    _crit("ssc_duration_review", SEV, ["ssc"], "disease_duration_years", ">=", [5], "review", 0,
          "Disease duration 5 years or more", "Disease duration {value} years: only in severe progressive disease",
          f"{EBMT_RMD_2025}, Table 5", "V"),
    _crit("ssc_failed", FAIL, ["ssc"], "failed_lines", ">=", [1], "points", 2,
          "First-line therapy failed or not tolerated", "Lines failed: {value}", f"{EBMT_RMD_2025}, Table 5", "V"),
    _crit("ssc_first_line_6m", FAIL, ["ssc"], "months_on_first_line", ">=", [6], "points", 1,
          "Six months of first-line therapy", "Months on first-line therapy: {value}", f"{EBMT_RMD_2025}, Table 5", "V"),
    _crit("ssc_age", HEALTH, ["ssc"], "age_years", "<=", [60], "points", 1,
          "Age 60 or under (SSc)", "Age {value}; recommended limit 60", f"{EBMT_RMD_2025}, Table 5", "V"),
    _crit("ssc_age_review", HEALTH, ["ssc"], "age_years", ">", [60], "review", 0,
          "Age over 60 (SSc)", "Age {value}: over 60 only after comorbidity assessment and MDT agreement",
          f"{EBMT_RMD_2025}, Table 5", "V"),
    # --- Aplastic anaemia ---------------------------------------------------------------------
    _crit("aa_severe", SEV, ["aa"], "camitta_severity", "in", ["severe", "very_severe"], "points", 2,
          "Severe aplastic anaemia (Camitta)", "Camitta severity: {value}", CAMITTA, "V", required=True),
    _crit("aa_very_severe", SEV, ["aa"], "camitta_severity", "in", ["very_severe"], "points", 1,
          "Very severe aplastic anaemia", "Camitta severity: {value} (very severe: ANC < 0.2)", BACIGALUPO, "V2"),
    _crit("aa_age_review", HEALTH, ["aa"], "age_years", "between", [40, 50], "review", 0,
          "Age 40 to 50 (aplastic anaemia)",
          "Age {value}: with a matched sibling, an individual decision on fitness and centre experience",
          BSH_2024, "V2"),
    # --- Crohn's ------------------------------------------------------------------------------
    _crit("crohns_cdai", SEV, ["crohns"], "cdai", ">=", [250], "points", 2,
          "CDAI 250 or more", "CDAI {value} on {date}; ASTIC required {threshold}", ASTIC, "V"),
    _crit("crohns_failed_agents", FAIL, ["crohns"], "failed_immunosuppressive_lines", ">=", [3], "points", 2,
          "Three or more immunosuppressive or biologic agents failed",
          "Immunosuppressive or biologic agents failed: {value}", ASTIC, "V"),
    _crit("crohns_failed_steroids", FAIL, ["crohns"], "failed_corticosteroids", "is true", [], "points", 1,
          "Corticosteroids failed", "Corticosteroids failed: {value}", ASTIC, "V"),
    _crit("crohns_age", HEALTH, ["crohns"], "age_years", "<=", [50], "points", 1,
          "Age 50 or under (Crohn's)", "Age {value}; ASTIC enrolled 18-50", ASTIC, "V"),
    _crit("crohns_age_review", HEALTH, ["crohns"], "age_years", ">", [50], "review", 0,
          "Age over 50 (Crohn's)", "Age {value}: older than the ASTIC population", ASTIC, "V"),
    # --- Neurological diseases besides MS -----------------------------------------------------
    _crit("nmosd_refractory", FAIL, ["nmosd"], "failed_lines", ">=", [1], "points", 2,
          "NMOSD unresponsive to therapy", "Lines failed: {value} (rescue for otherwise unresponsive NMOSD)",
          ECTRIMS_2025, "V2"),
    _crit("neuro_refractory", FAIL, ["cidp", "mg"], "failed_lines", ">=", [1], "points", 2,
          "Refractory to standard immunotherapy", "Lines failed: {value}", NO_SOURCE, "UNVERIFIED", enabled=False),
    # --- Overall health (all diseases) --------------------------------------------------------
    _crit("kps_fit", HEALTH, ["all"], "kps", ">", [60], "points", 2,
          "Karnofsky above 60", "Karnofsky {value}% on {date}", f"{EBMT_RMD_2025}, Table 2", "V", required=True),
    _crit("kps_review", HEALTH, ["all"], "kps", "<=", [60], "review", 0,
          "Karnofsky 60 or less (ECOG 2 or more)",
          "Karnofsky {value}%: poor performance status needs careful MDT evaluation, especially if reversible",
          f"{EBMT_RMD_2025}, Table 2", "V"),
    _crit("hct_ci_low", HEALTH, ["all"], "hct_ci", "<", [3], "points", 2,
          "HCT-CI below 3", "HCT-CI {value} (high risk from 3)", f"{SORROR_2005}; {SORROR_2015}", "V"),
    _crit("hct_ci_high_review", HEALTH, ["all"], "hct_ci", ">=", [3], "review", 0,
          "HCT-CI 3 or more", "HCT-CI {value}: high-risk group, also in autologous HCT",
          f"{SORROR_2005}; {SORROR_2015}", "V"),
    _crit("lvef_review", HEALTH, [d for d in _EBMT_2012 if d != "ssc"] + ["aa", "mg"], "lvef_pct", "<=", [50], "review", 0,
          "LVEF 50% or less", "LVEF {value}% on {date}: a cardiac comorbidity (HCT-CI); cardiology review",
          SORROR_2005, "V"),
]


def default_ruleset_spec() -> RuleSetSpec:
    """The default rule set as a spec, built from the plain data above."""
    return RuleSetSpec.from_dicts(DEFAULT_RULESET, DEFAULT_INDICATIONS, DEFAULT_CRITERIA)


# Keep the spec types importable from here for the data migration's convenience.
__all__ = [
    "DEFAULT_CRITERIA", "DEFAULT_INDICATIONS", "DEFAULT_RULESET", "CriterionSpec", "IndicationSpec",
    "default_ruleset_spec",
]
