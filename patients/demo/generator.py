"""One demo patient from (seed, index, as-of): identity, dates, gaps, then treatments and assessments."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..items import ITEMS
from .assessments import AssessmentData, assessments
from .centres import centre_for
from .clinical_inputs import add_clinical_inputs
from .profiles import (
    COMORBIDITIES_NOT_ASSESSED,
    COMORBIDITY_PREVALENCE,
    DISEASE_COMORBIDITY,
    DISEASE_KEYS,
    DISEASE_WEIGHTS,
    FAMILY_NAMES,
    FEMALE_NAMES,
    GAP_SHARE,
    GAPS,
    MALE_NAMES,
    PROFILES,
    Profile,
)
from .treatments import TreatmentData, treatments

MRN_PREFIX = "DEMO-"


def demo_mrn(index: int) -> str:
    return f"{MRN_PREFIX}{index:06d}"


@dataclass
class DemoPatient:
    index: int
    mrn: str
    centre: str
    public_id: uuid.UUID
    given_name: str
    family_name: str
    birth_date: date
    sex: str
    death_date: date | None
    disease: str  # key in reference_data.DISEASES
    diagnosis_date: date | None
    comorbidities: dict[str, bool | None]
    assessments: list[AssessmentData] = field(default_factory=list)
    treatments: list[TreatmentData] = field(default_factory=list)
    relapses: list[date] = field(default_factory=list)  # MS relapse onsets


def generate_patient(seed: int | str, index: int, as_of: date) -> DemoPatient:
    """One synthetic patient, the same for the same seed, index and as-of date."""
    rng = random.Random(f"{seed}:{index}")
    disease = rng.choices(DISEASE_KEYS, weights=DISEASE_WEIGHTS)[0]
    profile = PROFILES[disease]

    roll = rng.random()
    if roll < 0.003:
        sex = "unknown"
    elif roll < 0.003 + profile.female * 0.997:
        sex = "female"
    else:
        sex = "male"
    given = rng.choice(
        FEMALE_NAMES
        if sex == "female"
        else MALE_NAMES
        if sex == "male"
        else FEMALE_NAMES + MALE_NAMES
    )
    family = rng.choice(FAMILY_NAMES)
    public_id = uuid.UUID(int=rng.getrandbits(128), version=4)

    age = _age(rng, profile)
    birth_date = as_of - timedelta(days=int(age * 365.25) + rng.randrange(365))
    death_date = as_of - timedelta(days=rng.randint(10, 300)) if rng.random() < 0.01 else None
    end = death_date or as_of  # the record stops here

    years = rng.uniform(*profile.duration)
    longest = (end - birth_date).days - 365  # onset at one year old at the earliest
    onset = end - timedelta(days=max(30, min(int(years * 365.25), longest)))

    gaps: set[str] = set()
    if rng.random() < GAP_SHARE:
        for gap in rng.sample(sorted(GAPS), rng.randint(1, 3)):
            gaps.update(GAPS[gap])
        if rng.random() < 0.15:
            gaps.add("diagnosis_date")

    patient = DemoPatient(
        index=index,
        mrn=demo_mrn(index),
        centre=centre_for(index),
        public_id=public_id,
        given_name=given,
        family_name=family,
        birth_date=birth_date,
        sex=sex,
        death_date=death_date,
        disease=disease,
        diagnosis_date=None if "diagnosis_date" in gaps else onset,
        comorbidities=_comorbidities(rng, disease),
    )
    patient.treatments = treatments(rng, disease, onset, end, died=death_date is not None)
    patient.assessments = assessments(rng, disease, sex, age, onset, end, gaps)
    second = random.Random(f"{seed}:{index}:v2")  # the first stream stays as it was
    patient.relapses = add_clinical_inputs(second, disease=disease, onset=onset, patient=patient)
    for assessment in patient.assessments:
        check_values(assessment.values)
    return patient


def check_values(values: dict[str, float]) -> None:
    """Raise if any value is outside the item catalogue: the generator must never make one."""
    for key, value in values.items():
        message = ITEMS[key].validate(value)
        if message:
            raise ValueError(f"demo generator made an invalid {key} = {value!r}: {message}")


def _age(rng: random.Random, profile: Profile) -> int:
    if rng.random() < profile.paediatric:
        return rng.randint(6, 17)
    if rng.random() < 0.01:
        return rng.randint(71, 76)
    while True:
        age = round(rng.gauss(profile.age_mean, profile.age_sd))
        if 18 <= age <= 70:
            return age


def _comorbidities(rng: random.Random, disease: str) -> dict[str, bool | None]:
    if rng.random() < COMORBIDITIES_NOT_ASSESSED:
        return dict.fromkeys(COMORBIDITY_PREVALENCE)
    own = DISEASE_COMORBIDITY.get(disease)
    result: dict[str, bool | None] = {}
    for key, prevalence in COMORBIDITY_PREVALENCE.items():
        if rng.random() < 0.05:
            result[key] = None
        elif key == own:
            result[key] = True
        elif key == "psychiatric" and disease.startswith("ms"):
            result[key] = rng.random() < 0.25
        elif key.startswith("dyspnoea") and disease == "ssc":
            result[key] = rng.random() < prevalence * 4
        else:
            result[key] = rng.random() < prevalence
    return result
