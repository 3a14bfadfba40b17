import datetime

import pytest

from candidacy.screening.services import screening_record
from common.vocabulary import COMORBIDITY_ITEMS
from patients.models import Patient, Relapse

from ..clock import TODAY, days_ago
from ..factories import AssessmentFactory, PatientFactory, PriorTreatmentFactory, disease, therapy

FIT_VALUES = {
    "karnofsky": 90,
    "lvef": 62,
    "dlco": 88,
    "fev1": 94,
    "pasp": 28,
    "creatinine_clearance": 105,
    "creatinine": 0.8,
    "bmi": 24,
    "bilirubin": 0.6,
    "bilirubin_uln": 1.2,
    "alt": 22,
    "alt_uln": 40,
    "ast": 20,
    "ast_uln": 40,
    "active_infection": 0,
    "pregnant": 0,
    "malignancy": 0,
}
NO_COMORBIDITY = dict.fromkeys(COMORBIDITY_ITEMS, False)
# EBMT 2025 (SSc, Table 5): transplant is second line, after 6 months of first-line therapy.
SSC_FIRST_LINE_FAILED = [("mycophenolate", 420, 60, "inadequate_response")]


@pytest.fixture
def make_patient(centre):
    """A realistic record in the user's centre: ``make_patient("ms_rr", age=34, values={...})``."""

    def make(
        disease_key,
        *,
        age=40,
        values=None,
        treatments=(),
        relapses=(),
        fit=True,
        screen=True,
        **fields,
    ) -> Patient:
        patient = PatientFactory(
            centre=fields.pop("centre", centre),
            disease=disease(disease_key),
            birth_date=fields.pop("birth_date", datetime.date(TODAY.year - age, 1, 1)),
            diagnosis_date=days_ago(4 * 365),
            **{**NO_COMORBIDITY, **fields},
        )
        AssessmentFactory(
            patient=patient,
            taken_on=days_ago(14),
            values={**(FIT_VALUES if fit else {}), **(values or {})},
        )
        for key, start, end, outcome in treatments:
            PriorTreatmentFactory(
                patient=patient,
                therapy=therapy(key),
                start_date=days_ago(start),
                end_date=days_ago(end) if end is not None else None,
                outcome=outcome,
            )
        for days in relapses:
            Relapse.objects.create(patient=patient, onset=days_ago(days))
        if screen:
            screening_record(patient=patient)
        return patient

    return make


@pytest.fixture
def strong_ms_patient(make_patient):
    # ECTRIMS/EBMT 2025: RRMS, two relapses in a year despite natalizumab, EDSS 3.5, age 34, fit.
    return make_patient(
        "ms_rr",
        age=34,
        family_name="Strongcase",
        values={"relapses_12m": 2, "new_mri_lesions_12m": 3, "edss": 3.5},
        treatments=[
            ("interferon_beta", 1500, 1000, "inadequate_response"),
            ("natalizumab", 900, 20, "inadequate_response"),
        ],
        relapses=[100, 300],  # both while on natalizumab
    )
