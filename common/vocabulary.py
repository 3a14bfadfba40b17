"""The clinical vocabulary: the keys the record, the rules and the pages share.

Django-free and dependency-free, so that ``patients`` (which stores these keys) and
``rules`` (which reasons about them) can both import it without either importing the other.
The item catalogue with units and ranges is ``patients/items.py``; what each key means
clinically is in the rules' facts and scales.
"""

from __future__ import annotations

# Disease groups the record can carry (``Disease.group``) and the rules engine reads.
DISEASE_GROUPS = (
    "ms",
    "sle",
    "ssc",
    "aa",
    "crohns",
    "ra",
    "vasculitis",
    "cidp",
    "nmosd",
    "mg",
    "myositis",
    "t1d",
)
# MS subtypes: relapsing-remitting, secondary progressive, primary progressive.
MS_SUBTYPES = ("rr", "sp", "pp")

# Measurement item keys (the catalogue with units and ranges is patients/items.py).
# Booleans are stored as 1.0 / 0.0.
MEASUREMENT_ITEMS = (
    # performance status
    "karnofsky",
    "ecog",
    # multiple sclerosis. new_mri_lesions_12m is the combined count rule set v1 read; v2 reads
    # new T2 and Gd-enhancing lesions apart (ECTRIMS/EBMT 2025; London criteria).
    "edss",
    "edss_relapse_related",  # the EDSS is raised by a recent relapse (yes/no)
    "relapses_12m",
    "relapses_24m",
    "new_mri_lesions_12m",
    "new_t2_lesions_12m",
    "gd_lesions_12m",
    "ms_rapidly_evolving",  # clinician's judgement: severe, rapidly evolving MS (yes/no)
    # SLE
    "sledai_2k",
    "sle_renal",
    "sle_cns",
    "sle_haematological",
    # systemic sclerosis
    "mrss",
    "ssc_lung",
    "ssc_heart",
    "ssc_kidney",
    "ssc_gi",
    "crp_mg_l",
    # Crohn's
    "cdai",
    "surgery_not_an_option",  # ASTIC: refractory disease not amenable to surgery (yes/no)
    # aplastic anaemia: counts in 10^9/L, haemoglobin g/dL, cellularity %
    "anc",
    "platelets",
    "reticulocytes",
    "reticulocytes_pct",
    "haemoglobin",
    "marrow_cellularity",
    "marrow_residual_haematopoietic_pct",  # Camitta: residual haematopoietic cells, %
    "matched_sibling_donor",
    # aplastic anaemia work-up (BSH 2024: exclude PNH, hypoplastic MDS, inherited failure)
    "pnh_clone_pct",
    "abnormal_cytogenetics",
    "inherited_marrow_failure",
    # organ function
    "lvef",
    "dlco",
    "fev1",
    "mpap",
    "pasp",
    "creatinine_clearance",
    "creatinine",  # mg/dL
    "bilirubin",
    "bilirubin_uln",  # mg/dL
    "alt",
    "alt_uln",
    "ast",
    "ast_uln",  # U/L
    # general
    "bmi",
    "active_infection",
    "pregnant",
    "malignancy",  # coded by MALIGNANCY_CODES
    # the clinician's own answer where no numeric activity threshold is sourced
    # (EBMT 2025 rheumatic diseases, Table 2: "active or progressive despite standard therapy")
    "active_despite_standard_therapy",
)

# Malignancy status, stored as a number like every assessment item.
MALIGNANCY_NONE, MALIGNANCY_PAST, MALIGNANCY_ACTIVE = "none", "past", "active"
MALIGNANCY_CODES = {0.0: MALIGNANCY_NONE, 1.0: MALIGNANCY_PAST, 2.0: MALIGNANCY_ACTIVE}

# HCT-CI comorbidity fields recorded by the clinician (True / False / None = not assessed),
# in the order of rules.scales.HctCiInputs. Lab- and lung-function-based parts of HCT-CI
# come from the measurements instead. This is the one list: the patient model's fields,
# its forms, the FHIR importer and the engine all read it.
COMORBIDITY_ITEMS = (
    "arrhythmia",
    "cardiac",  # coronary artery disease, congestive heart failure, myocardial infarction
    "ibd",
    "diabetes",  # treated with insulin or oral hypoglycaemics
    "cerebrovascular",
    "psychiatric",
    "chronic_hepatitis",
    "cirrhosis",
    "infection",  # needing antimicrobial treatment continued after day 0
    "rheumatologic",
    "peptic_ulcer",
    "renal_dialysis_or_transplant",
    "dyspnoea_slight_activity",
    "dyspnoea_at_rest_or_oxygen",
    "prior_solid_tumour",
    "heart_valve_disease",
)

THERAPY_CLASSES = (
    "ms_dmt_lower",
    "ms_dmt_moderate",
    "ms_dmt_high",
    "immunosuppressant",
    "biologic",
    "jak_inhibitor",
    "corticosteroid",
    "aa_ist",
    "other",
)
TREATMENT_OUTCOMES = ("ongoing", "inadequate_response", "intolerance", "completed", "unknown")
