"""Synthetic demo data: two centres, one user per role and centre, realistic patients.

``python manage.py seed_demo`` drives it. The README and the tests read the
constants at the top (centre codes, usernames, the password).

Each patient is drawn from its own ``random.Random(f"{seed}:{index}")`` and dated
relative to an as-of date, so a patient depends only on (seed, index, as-of):
not on N, on the chunk size, or on what an earlier run already created.
Every value is checked against the item catalogue (patients/items.py) as it is
made. Nothing here is clinical data; the names are common names picked at random.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from .items import ITEMS
from .permissions import CLINICIAN, COORDINATOR, CRITERIA_ADMIN
from .reference_data import DISEASES, THERAPIES

# --------------------------------------------------------------------------- constants

DEMO_PASSWORD = "candidacy-demo"  # noqa: S105 - demo only; set only when a demo user is created
TRANSPLANT_CENTRE = "ntc"
REFERRING_CENTRE = "srh"


@dataclass(frozen=True)
class DemoCentre:
    code: str
    name: str
    kind: str  # Centre.Kind value


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    group: str  # a group name from patients/permissions.py
    centre: str  # centre code
    is_staff: bool = False


CENTRES = (
    DemoCentre(TRANSPLANT_CENTRE, "North Transplant Centre", "transplant"),
    DemoCentre(REFERRING_CENTRE, "Southside Referring Hospital", "referring"),
)
USERS = (
    DemoUser("clinician-ntc", "Nadia", "Okafor", CLINICIAN, TRANSPLANT_CENTRE),
    DemoUser("clinician-srh", "Samuel", "Reyes", CLINICIAN, REFERRING_CENTRE),
    DemoUser("coordinator-ntc", "Tom", "Hughes", COORDINATOR, TRANSPLANT_CENTRE),
    DemoUser("coordinator-srh", "Priya", "Shah", COORDINATOR, REFERRING_CENTRE),
    DemoUser("criteria-admin", "Alex", "Morgan", CRITERIA_ADMIN, TRANSPLANT_CENTRE, is_staff=True),
)
# Assessments are recorded by the clinician of the patient's centre.
RECORDED_BY = {TRANSPLANT_CENTRE: "clinician-ntc", REFERRING_CENTRE: "clinician-srh"}
MRN_PREFIX = "DEMO-"


def demo_mrn(index: int) -> str:
    return f"{MRN_PREFIX}{index:06d}"


def centre_for(index: int) -> str:
    """Two patients in three at the transplant centre, one at the referring hospital."""
    return REFERRING_CENTRE if index % 3 == 0 else TRANSPLANT_CENTRE


# --------------------------------------------------------------------------- generated record


@dataclass
class AssessmentData:
    taken_on: date
    note: str
    values: dict[str, float]


@dataclass
class TreatmentData:
    therapy: str  # key in reference_data.THERAPIES
    start: date
    end: date | None
    outcome: str  # PriorTreatment.Outcome value
    stop_reason: str = ""


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


# --------------------------------------------------------------------------- reference tables

FEMALE_NAMES = (
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Mia",
    "Sophie",
    "Grace",
    "Emily",
    "Hannah",
    "Chloe",
    "Aisha",
    "Fatima",
    "Zara",
    "Priya",
    "Ananya",
    "Mei",
    "Yuki",
    "Chiamaka",
    "Ngozi",
    "Amara",
    "Maria",
    "Sofia",
    "Lucia",
    "Elena",
    "Ines",
    "Katarzyna",
    "Agnieszka",
    "Ioana",
    "Niamh",
    "Siobhan",
    "Rhiannon",
    "Eilidh",
    "Catherine",
    "Margaret",
    "Susan",
    "Helen",
    "Ruth",
    "Leila",
    "Noor",
    "Hana",
)
MALE_NAMES = (
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Noah",
    "Thomas",
    "James",
    "William",
    "Daniel",
    "Samuel",
    "Mohammed",
    "Omar",
    "Yusuf",
    "Ali",
    "Arjun",
    "Rohan",
    "Wei",
    "Hiroshi",
    "Chinedu",
    "Kwame",
    "Mateo",
    "Luca",
    "Pedro",
    "Andrei",
    "Piotr",
    "Tomasz",
    "Ciaran",
    "Sean",
    "Rhys",
    "Callum",
    "Ewan",
    "David",
    "Michael",
    "Peter",
    "Robert",
    "Ibrahim",
    "Tariq",
    "Kofi",
    "Emeka",
    "Jonas",
)
FAMILY_NAMES = (
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Roberts",
    "Johnson",
    "Lewis",
    "Walker",
    "Robinson",
    "Wood",
    "Thompson",
    "White",
    "Watson",
    "Jackson",
    "Wright",
    "Green",
    "Harris",
    "Cooper",
    "King",
    "Lee",
    "Martin",
    "Clarke",
    "James",
    "Morgan",
    "Hughes",
    "Edwards",
    "Hill",
    "Moore",
    "Clark",
    "Harrison",
    "Scott",
    "Young",
    "Morris",
    "Hall",
    "Ward",
    "Khan",
    "Ahmed",
    "Hussain",
    "Patel",
    "Singh",
    "Shah",
    "Begum",
    "Ali",
    "Rahman",
    "Iqbal",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Owusu",
    "Nwosu",
    "Chen",
    "Wang",
    "Li",
    "Nguyen",
    "Tanaka",
    "Kowalski",
    "Nowak",
    "Wisniewski",
    "Popescu",
    "Silva",
    "Santos",
    "Ferreira",
    "Rossi",
    "Garcia",
    "Fernandez",
    "O'Brien",
    "Murphy",
    "Kelly",
    "Byrne",
    "MacDonald",
    "Campbell",
    "Stewart",
    "Reid",
    "Murray",
    "Fraser",
)

# Disease key and weight in per cent of patients.
DISEASE_MIX = (
    ("ms_rr", 27),
    ("ms_sp", 5),
    ("ms_pp", 3),
    ("ssc", 15),
    ("sle", 12),
    ("aa", 10),
    ("crohns", 10),
    ("ra", 4),
    ("vasculitis", 3),
    ("cidp", 3),
    ("nmosd", 2),
    ("mg", 2),
    ("myositis", 2),
    ("t1d", 2),
)
_DISEASE_KEYS = tuple(key for key, _ in DISEASE_MIX)
_DISEASE_WEIGHTS = tuple(weight for _, weight in DISEASE_MIX)
_GROUP = {key: group for key, _name, group, *_ in DISEASES}
_THERAPY_KEYS = {key for key, *_ in THERAPIES}


@dataclass(frozen=True)
class Profile:
    female: float  # share of women
    age_mean: float  # adults
    age_sd: float
    paediatric: float  # share under 18
    duration: tuple[float, float]  # years since onset or diagnosis, uniform range


PROFILES = {
    "ms_rr": Profile(0.72, 36, 9, 0.01, (1, 12)),
    "ms_sp": Profile(0.65, 47, 8, 0.0, (8, 25)),
    "ms_pp": Profile(0.50, 48, 9, 0.0, (2, 10)),
    "ssc": Profile(0.80, 48, 10, 0.0, (0.5, 6)),
    "sle": Profile(0.90, 34, 10, 0.05, (1, 15)),
    "aa": Profile(0.50, 36, 16, 0.15, (0.1, 2)),
    "crohns": Profile(0.55, 31, 9, 0.08, (2, 15)),
    "ra": Profile(0.72, 50, 10, 0.01, (2, 12)),
    "vasculitis": Profile(0.50, 54, 11, 0.02, (0.5, 6)),
    "cidp": Profile(0.35, 52, 12, 0.01, (1, 8)),
    "nmosd": Profile(0.85, 40, 11, 0.02, (0.5, 8)),
    "mg": Profile(0.60, 45, 15, 0.02, (1, 10)),
    "myositis": Profile(0.65, 47, 12, 0.10, (0.5, 6)),
    "t1d": Profile(0.45, 24, 6, 0.30, (0.1, 1.5)),
}

# Items left out together when a record has a gap (a test not done, a score not written down).
GAPS = {
    "no_echo": ("lvef", "pasp", "mpap"),
    "no_lung_function": ("dlco", "fev1"),
    "no_performance_status": ("karnofsky", "ecog"),
    "no_disease_score": (
        "edss",
        "relapses_12m",
        "relapses_24m",
        "new_mri_lesions_12m",
        "sledai_2k",
        "mrss",
        "cdai",
        "marrow_cellularity",
    ),
    "no_liver_tests": ("bilirubin", "bilirubin_uln", "alt", "alt_uln", "ast", "ast_uln"),
    "no_upper_limits": ("bilirubin_uln", "alt_uln", "ast_uln"),
    "no_renal_function": ("creatinine_clearance", "creatinine"),
    "no_bmi": ("bmi",),
    "no_infection_screen": ("active_infection",),
}
GAP_SHARE = 0.20
COMORBIDITIES_NOT_ASSESSED = 0.10  # whole HCT-CI not done; otherwise 5% of fields each

# HCT-CI comorbidity prevalence (share True) in this population.
COMORBIDITY_PREVALENCE = {
    "arrhythmia": 0.03,
    "cardiac": 0.03,
    "ibd": 0.01,
    "diabetes": 0.05,
    "cerebrovascular": 0.01,
    "psychiatric": 0.15,
    "chronic_hepatitis": 0.01,
    "cirrhosis": 0.003,
    "infection": 0.02,
    "rheumatologic": 0.02,
    "peptic_ulcer": 0.03,
    "renal_dialysis_or_transplant": 0.004,
    "dyspnoea_slight_activity": 0.05,
    "dyspnoea_at_rest_or_oxygen": 0.01,
    "prior_solid_tumour": 0.02,
    "heart_valve_disease": 0.02,
}
# The comorbidity the disease itself is (HCT-CI counts it).
DISEASE_COMORBIDITY = {
    "crohns": "ibd",
    "t1d": "diabetes",
    "sle": "rheumatologic",
    "ra": "rheumatologic",
    "myositis": "rheumatologic",
}  # HCT-CI: SLE, RA, polymyositis, MCTD, PMR (not SSc)

# Treatment lines in the order they are usually tried: one therapy is picked per step.
LINES: dict[str, tuple[tuple[str, ...], ...]] = {
    "ms_rr": (
        ("interferon_beta", "glatiramer", "teriflunomide", "dimethyl_fumarate"),
        ("dimethyl_fumarate", "fingolimod", "ozanimod", "cladribine"),
        ("natalizumab", "ocrelizumab", "ofatumumab", "alemtuzumab"),
        ("ocrelizumab", "alemtuzumab", "natalizumab", "ublituximab"),
    ),
    "ms_sp": (
        ("interferon_beta", "glatiramer"),
        ("fingolimod", "dimethyl_fumarate"),
        ("siponimod", "ocrelizumab", "natalizumab"),
    ),
    "ms_pp": (("ocrelizumab",),),
    "ssc": (("mycophenolate", "methotrexate"), ("cyclophosphamide",), ("rituximab", "tocilizumab")),
    "sle": (
        ("azathioprine", "mycophenolate", "methotrexate"),
        ("mycophenolate", "cyclophosphamide", "tacrolimus"),
        ("rituximab", "belimumab"),
        ("belimumab", "rituximab"),
    ),
    "crohns": (
        ("azathioprine", "methotrexate"),
        ("infliximab", "adalimumab"),
        ("adalimumab", "infliximab"),
        ("vedolizumab", "ustekinumab"),
        ("ustekinumab", "vedolizumab", "upadacitinib"),
    ),
    "ra": (
        ("methotrexate",),
        ("leflunomide", "hydroxychloroquine"),
        ("adalimumab", "infliximab", "tocilizumab"),
        ("rituximab", "baricitinib", "tofacitinib", "upadacitinib"),
    ),
    "vasculitis": (
        ("cyclophosphamide", "rituximab"),
        ("azathioprine", "methotrexate", "mycophenolate"),
        ("rituximab",),
    ),
    "cidp": (
        ("ivig", "prednisolone"),
        ("plasma_exchange", "methylprednisolone"),
        ("azathioprine", "mycophenolate", "rituximab"),
    ),
    "nmosd": (("azathioprine", "mycophenolate"), ("rituximab",), ("tocilizumab",)),
    "mg": (
        ("prednisolone",),
        ("azathioprine", "mycophenolate"),
        ("ivig", "plasma_exchange"),
        ("rituximab",),
    ),
    "myositis": (
        ("methotrexate", "azathioprine"),
        ("mycophenolate", "tacrolimus"),
        ("ivig", "rituximab"),
    ),
    "t1d": (),
}
# How many lines (0, 1, 2, ...) and how often.
LINE_COUNTS = {
    "ms_rr": (0, 15, 30, 35, 20),
    "ms_sp": (5, 25, 40, 30),
    "ms_pp": (40, 60),
    "ssc": (5, 40, 35, 20),
    "sle": (0, 25, 35, 25, 15),
    "crohns": (0, 5, 20, 30, 25, 20),
    "ra": (0, 10, 30, 35, 25),
    "vasculitis": (5, 40, 35, 20),
    "cidp": (5, 40, 35, 20),
    "nmosd": (5, 45, 35, 15),
    "mg": (5, 25, 30, 25, 15),
    "myositis": (5, 40, 35, 20),
    "t1d": (1,),
}
# Background therapy given alongside the lines: (therapy, share of patients, share still ongoing).
BACKGROUND = {
    "sle": (("hydroxychloroquine", 0.90, 0.85), ("prednisolone", 0.80, 0.60)),
    "ssc": (("prednisolone", 0.30, 0.50),),
    "crohns": (("prednisolone", 0.70, 0.15),),
    "vasculitis": (("prednisolone", 0.90, 0.60),),
    "nmosd": (("prednisolone", 0.60, 0.40),),
    "myositis": (("prednisolone", 0.90, 0.60),),
    "ra": (("prednisolone", 0.40, 0.30),),
}
# Therapies given as a course, and how many days it takes.
COURSES = {
    "cyclophosphamide": 150,
    "alemtuzumab": 370,
    "cladribine": 400,
    "methylprednisolone": 5,
    "plasma_exchange": 10,
    "atg_equine": 4,
    "atg_rabbit": 5,
}

STOP_REASONS = {
    "inadequate_response": (
        "Persistent disease activity",
        "No response after 6 months",
        "Disease flare on treatment",
        "Partial response only",
    ),
    "inadequate_response_ms": (
        "Breakthrough relapses on treatment",
        "New T2 lesions on MRI",
        "Relapse with new gadolinium-enhancing lesions",
        "Disability progression",
    ),
    "intolerance": (
        "Injection-site reactions",
        "Flu-like symptoms",
        "Lymphopenia",
        "Raised liver enzymes",
        "Infusion reaction",
        "Gastrointestinal intolerance",
        "Recurrent infections",
        "Neutropenia",
    ),
    "completed": ("Course completed",),
    "unknown": ("Stopped at the referring hospital; reason not recorded",),
}
INTOLERANCE_BY_THERAPY = {
    "natalizumab": "JCV antibody positive (PML risk)",
    "fingolimod": "Macular oedema",
    "interferon_beta": "Flu-like symptoms and depression",
    "azathioprine": "Pancreatitis",
    "mycophenolate": "Diarrhoea",
    "methotrexate": "Raised liver enzymes",
    "hydroxychloroquine": "Retinal changes on screening",
    "infliximab": "Infusion reaction with antibodies to infliximab",
    "tacrolimus": "Tremor and rising creatinine",
    "ciclosporin_aa": "Hypertension and rising creatinine",
    "dimethyl_fumarate": "Flushing and lymphopenia",
    "prednisolone": "Steroid side effects (weight gain, mood)",
    "teriflunomide": "Hair thinning and raised ALT",
}


# --------------------------------------------------------------------------- generation


def generate_patient(seed: int | str, index: int, as_of: date) -> DemoPatient:
    """One synthetic patient, the same for the same seed, index and as-of date."""
    rng = random.Random(f"{seed}:{index}")
    disease = rng.choices(_DISEASE_KEYS, weights=_DISEASE_WEIGHTS)[0]
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
    patient.treatments = _treatments(rng, disease, onset, end, died=death_date is not None)
    patient.assessments = _assessments(rng, disease, sex, age, onset, end, gaps)
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


# ----- treatments


def _treatments(
    rng: random.Random, disease: str, onset: date, end: date, died: bool
) -> list[TreatmentData]:
    if disease == "aa":
        lines = _aa_treatments(rng, onset, end)
    else:
        lines = _line_treatments(rng, disease, onset, end)
        for therapy, share, ongoing in BACKGROUND.get(disease, ()):
            if rng.random() < share and all(line.therapy != therapy for line in lines):
                lines.append(_background(rng, therapy, ongoing, onset, end))
    lines = [line for line in lines if line is not None]
    if died:  # nothing is ongoing after death
        for line in lines:
            if line.outcome == "ongoing":
                line.end, line.outcome, line.stop_reason = end, "unknown", "Patient died"
    for line in lines:
        assert line.therapy in _THERAPY_KEYS, line.therapy
        assert line.end is None or line.start <= line.end <= end, line
    return sorted(lines, key=lambda line: (line.start, line.therapy))


def _line_treatments(
    rng: random.Random, disease: str, onset: date, end: date
) -> list[TreatmentData]:
    steps = LINES[disease]
    count = rng.choices(range(len(LINE_COUNTS[disease])), weights=LINE_COUNTS[disease])[0]
    start = onset + timedelta(days=rng.randint(0, 120))
    span = (end - start).days
    count = min(count, len(steps), max(0, span // 60))
    if count == 0:
        return []
    # Which steps were taken: the first one mostly, always in order.
    chosen = sorted(rng.sample(range(len(steps)), count))
    if 0 not in chosen and rng.random() < 0.8:
        chosen[0] = 0
    weights = [rng.uniform(0.5, 1.5) for _ in chosen]
    total = sum(weights)
    lines: list[TreatmentData] = []
    used: set[str] = set()
    cursor = start
    for position, (step, weight) in enumerate(zip(chosen, weights, strict=True)):
        options = [t for t in steps[step] if t not in used] or list(steps[step])
        therapy = rng.choice(options)
        used.add(therapy)
        last = position == count - 1
        segment_end = end if last else cursor + timedelta(days=max(30, int(span * weight / total)))
        line = _line(rng, disease, therapy, cursor, segment_end, end, last)
        lines.append(line)
        if line.end is None:  # a course still running: nothing after it yet
            break
        cursor = min(max(segment_end, line.end) + timedelta(days=rng.randint(0, 45)), end)
    return lines


def _line(rng, disease, therapy, start, segment_end, end, last) -> TreatmentData:
    course = COURSES.get(therapy)
    if course is not None:
        stop = start + timedelta(days=course)
        if stop > end:
            return TreatmentData(therapy, start, None, "ongoing")
        outcome = "completed" if rng.random() < 0.7 else "inadequate_response"
        return TreatmentData(
            therapy, start, stop, outcome, _stop_reason(rng, disease, therapy, outcome)
        )
    if last and rng.random() < 0.85:
        return TreatmentData(therapy, start, None, "ongoing")
    earliest = start + timedelta(days=28)
    if earliest > segment_end:
        earliest = start
    stop = earliest + timedelta(days=rng.randint(0, max(0, (segment_end - earliest).days)))
    outcome = rng.choices(("inadequate_response", "intolerance", "unknown"), weights=(60, 25, 15))[
        0
    ]
    return TreatmentData(
        therapy, start, min(stop, end), outcome, _stop_reason(rng, disease, therapy, outcome)
    )


def _stop_reason(rng: random.Random, disease: str, therapy: str, outcome: str) -> str:
    if outcome == "intolerance" and therapy in INTOLERANCE_BY_THERAPY and rng.random() < 0.6:
        return INTOLERANCE_BY_THERAPY[therapy]
    if outcome == "inadequate_response" and disease.startswith("ms"):
        return rng.choice(STOP_REASONS["inadequate_response_ms"])
    return rng.choice(STOP_REASONS[outcome])


def _background(rng, therapy, ongoing, onset, end) -> TreatmentData | None:
    start = onset + timedelta(days=rng.randint(0, 60))
    if start >= end:
        return None
    if rng.random() < ongoing:
        return TreatmentData(therapy, start, None, "ongoing")
    stop = start + timedelta(days=rng.randint(30, max(30, (end - start).days)))
    if stop > end:
        stop = end
    if therapy == "prednisolone":
        outcome, reason = "completed", "Tapered off"
    else:
        outcome = rng.choices(
            ("intolerance", "inadequate_response", "unknown"), weights=(40, 40, 20)
        )[0]
        reason = _stop_reason(rng, "", therapy, outcome)
    return TreatmentData(therapy, start, stop, outcome, reason)


def _aa_treatments(rng: random.Random, onset: date, end: date) -> list[TreatmentData]:
    """Immunosuppressive therapy for some; none for the rest (e.g. waiting for a sibling transplant)."""
    start = onset + timedelta(days=rng.randint(7, 45))
    if rng.random() >= 0.45 or start + timedelta(days=10) > end:
        return []
    lines = [
        TreatmentData(
            "atg_equine", start, start + timedelta(days=4), "completed", "Course completed"
        )
    ]
    with_eltrombopag = rng.random() < 0.6
    for therapy in ("ciclosporin_aa", "eltrombopag") if with_eltrombopag else ("ciclosporin_aa",):
        stop = start + timedelta(days=rng.randint(180, 270))
        if stop > end or rng.random() < 0.35:
            lines.append(TreatmentData(therapy, start, None, "ongoing"))
        else:
            outcome = rng.choices(("inadequate_response", "intolerance"), weights=(80, 20))[0]
            reason = (
                "No haematological response at 6 months"
                if outcome == "inadequate_response"
                else (_stop_reason(rng, "aa", therapy, outcome))
            )
            lines.append(TreatmentData(therapy, start, stop, outcome, reason))
    second = start + timedelta(days=rng.randint(180, 240))
    if rng.random() < 0.15 and second + timedelta(days=5) <= end:
        lines.append(
            TreatmentData(
                "atg_rabbit", second, second + timedelta(days=5), "completed", "Course completed"
            )
        )
    return lines


# ----- assessments


def _assessments(rng, disease, sex, age, onset, end, gaps) -> list[AssessmentData]:
    count = rng.choices((1, 2, 3), weights=(35, 40, 25))[0]
    # Most records were worked up within the last three months (inside the 90-day windows for
    # labs and performance status); a fifth are three to six months old (labs stale, echo
    # still usable) and a fifth more than six months old: their values are stale.
    draw = rng.random()
    days_ago = (
        rng.randint(0, 80)
        if draw < 0.6
        else rng.randint(81, 180)
        if draw < 0.8
        else rng.randint(181, 365)
    )
    latest = max(end - timedelta(days=days_ago), onset)
    dates = [latest]
    for _ in range(count - 1):
        earlier = dates[-1] - timedelta(days=rng.randint(21, 120))
        if earlier < onset or (end - earlier).days > 400:
            break
        dates.append(earlier)
    dates.reverse()

    state = _baseline(rng, disease, sex, age)
    result = []
    for position, taken_on in enumerate(dates):
        if position == 0:
            kind, note = "full", "Referral work-up"
        elif position == len(dates) - 1 and len(dates) == 3 and rng.random() < 0.5:
            kind, note = "full", "Pre-transplant work-up"
        else:
            kind, note = "review", "Clinic review"
        values = _values(rng, state, kind, later=position > 0)
        result.append(
            AssessmentData(taken_on, note, {k: v for k, v in values.items() if k not in gaps})
        )
    return result


def _pick(rng: random.Random, table: dict[float, int]) -> float:
    return rng.choices(list(table), weights=list(table.values()))[0]


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _jitter(rng: random.Random, value: float, sd: float = 0.1) -> float:
    return value * math.exp(rng.gauss(0, sd))


EDSS = {
    "ms_rr": {
        1.0: 3,
        1.5: 4,
        2.0: 8,
        2.5: 10,
        3.0: 12,
        3.5: 12,
        4.0: 11,
        4.5: 9,
        5.0: 8,
        5.5: 7,
        6.0: 7,
        6.5: 5,
        7.0: 2,
    },
    "ms_sp": {3.5: 4, 4.0: 8, 4.5: 10, 5.0: 12, 5.5: 14, 6.0: 18, 6.5: 16, 7.0: 10, 7.5: 5, 8.0: 3},
    "ms_pp": {
        2.5: 5,
        3.0: 8,
        3.5: 10,
        4.0: 12,
        4.5: 12,
        5.0: 12,
        5.5: 12,
        6.0: 13,
        6.5: 10,
        7.0: 6,
    },
}
RELAPSES_24M = {
    "ms_rr": {0: 8, 1: 20, 2: 30, 3: 22, 4: 12, 5: 8},
    "ms_sp": {0: 60, 1: 30, 2: 10},
    "ms_pp": {0: 92, 1: 8},
}
MRI_LESIONS = {
    "ms_rr": {0: 10, 1: 12, 2: 14, 3: 13, 4: 11, 5: 9, 6: 8, 8: 8, 10: 6, 12: 4, 15: 3, 20: 2},
    "ms_sp": {0: 35, 1: 25, 2: 15, 3: 10, 4: 8, 6: 7},
    "ms_pp": {0: 50, 1: 25, 2: 15, 3: 10},
}
KARNOFSKY = {
    "ms_sp": {90: 5, 80: 25, 70: 35, 60: 25, 50: 10},
    "ms_pp": {90: 5, 80: 25, 70: 35, 60: 25, 50: 10},
    "default": {100: 5, 90: 30, 80: 35, 70: 20, 60: 8, 50: 2},
}


def _ecog(karnofsky: float) -> float:
    """ECOG grade for a Karnofsky score (the usual mapping)."""
    return float(
        {100: 0, 90: 0, 80: 1, 70: 1, 60: 2, 50: 2, 40: 3, 30: 3, 20: 4, 10: 4, 0: 5}[
            int(karnofsky)
        ]
    )


def _baseline(rng: random.Random, disease: str, sex: str, age: int) -> dict:
    """The patient's underlying state; each assessment reads it with some change."""
    group = _GROUP[disease]
    female = sex == "female"
    child = age < 18
    s: dict = {"disease": disease, "group": group, "female": female, "age": age}
    s["karnofsky"] = _pick(rng, KARNOFSKY.get(disease, KARNOFSKY["default"]))
    s["performance"] = rng.choices(("karnofsky", "ecog", "both"), weights=(65, 30, 5))[0]

    if group == "ms":
        s["edss"] = _pick(rng, EDSS[disease])
        s["relapses_24m"] = int(_pick(rng, RELAPSES_24M[disease]))
        s["relapses_12m"] = sum(1 for _ in range(s["relapses_24m"]) if rng.random() < 0.6)
        s["new_mri_lesions_12m"] = int(_pick(rng, MRI_LESIONS[disease]))
    elif group == "sle":
        s["sledai_2k"] = int(_clamp(rng.gauss(11, 5), 0, 40))
        s["flags"] = {
            "sle_renal": rng.random() < 0.40,
            "sle_cns": rng.random() < 0.10,
            "sle_haematological": rng.random() < 0.30,
        }
    elif group == "ssc":
        s["mrss"] = int(_clamp(rng.gauss(24, 9), 4, 48))
        s["flags"] = {
            "ssc_lung": rng.random() < 0.60,
            "ssc_heart": rng.random() < 0.15,
            "ssc_kidney": rng.random() < 0.07,
            "ssc_gi": rng.random() < 0.65,
        }
    elif group == "crohns":
        s["cdai"] = int(_clamp(rng.gauss(300, 70), 120, 600))
    elif group == "aa":
        severity = rng.choices(("very severe", "severe", "non-severe"), weights=(35, 45, 20))[0]
        severe = severity != "non-severe"
        s["anc"] = (
            rng.uniform(0.02, 0.19)
            if severity == "very severe"
            else (rng.uniform(0.2, 0.49) if severe else rng.uniform(0.5, 1.4))
        )
        s["platelets"] = (
            rng.randint(2, 19) if severe and rng.random() < 0.85 else rng.randint(15, 60)
        )
        s["reticulocytes"] = (
            rng.uniform(2, 19) if severe and rng.random() < 0.8 else rng.uniform(20, 60)
        )
        s["haemoglobin"] = rng.uniform(6.0, 10.5)
        s["marrow_cellularity"] = rng.randint(5, 24) if severe else rng.randint(20, 40)
        s["matched_sibling_donor"] = rng.random() < (0.3 if age < 40 else 0.15)
        s["reticulocytes_pct_measured"] = rng.random() < 0.3
    if group in ("ssc", "crohns", "ra", "vasculitis", "myositis"):
        s["crp"] = math.exp(rng.gauss(math.log(12 if group == "ssc" else 15), 0.9))

    ssc_lung = group == "ssc" and s["flags"]["ssc_lung"]
    ssc_heart = group == "ssc" and s["flags"]["ssc_heart"]
    s["lvef"] = rng.gauss(52, 8) if ssc_heart else rng.gauss(61, 5)
    s["dlco"] = rng.gauss(55, 12) if ssc_lung else rng.gauss(86, 13)
    s["fev1"] = rng.gauss(76, 12) if ssc_lung else rng.gauss(93, 11)
    s["pasp"] = (
        (rng.gauss(34, 9) if group == "ssc" else rng.gauss(27, 5))
        if rng.random() < (0.8 if group == "ssc" else 0.35)
        else None
    )
    s["mpap"] = (
        (rng.gauss(22, 6) if group == "ssc" else rng.gauss(18, 3))
        if rng.random() < (0.35 if group == "ssc" else 0.03)
        else None
    )

    height = (0.75 + 0.06 * age) if child else rng.gauss(1.64 if female else 1.77, 0.07)
    s["bmi"] = _clamp(rng.gauss(18, 2.5), 13, 28) if child else _clamp(rng.gauss(25.5, 4.5), 16, 45)
    s["weight"] = s["bmi"] * height**2
    s["height_cm"] = height * 100
    kidney = (group == "sle" and s["flags"]["sle_renal"]) or (
        group == "ssc" and s["flags"]["ssc_kidney"]
    )
    s["creatinine"] = rng.gauss(1.4, 0.4) if kidney else rng.gauss(0.75 if female else 0.95, 0.13)
    s["creatinine"] = _clamp(s["creatinine"], 0.35 if child else 0.45, 4.0)
    raised_liver = rng.random() < 0.06
    s["bilirubin"] = math.exp(rng.gauss(math.log(0.55), 0.35)) * (2.2 if rng.random() < 0.02 else 1)
    s["bilirubin_uln"] = rng.choice((1.0, 1.2))
    s["alt"] = math.exp(rng.gauss(math.log(22), 0.4)) * (3.5 if raised_liver else 1)
    s["alt_uln"] = rng.choice((33, 40, 45, 55))
    s["ast"] = math.exp(rng.gauss(math.log(24), 0.3)) * (2.5 if raised_liver else 1)
    s["ast_uln"] = rng.choice((35, 40))
    s["may_be_pregnant"] = female and 12 <= age <= 50
    s["pregnant"] = s["may_be_pregnant"] and rng.random() < 0.005
    return s


def _values(rng: random.Random, s: dict, kind: str, later: bool) -> dict[str, float]:
    full = kind == "full"
    group = s["group"]
    v: dict[str, float] = {}

    if later:  # some change since the last visit
        s["karnofsky"] = _clamp(s["karnofsky"] + rng.choice((-10, 0, 0, 0, 10)), 10, 100)
    if s["performance"] in ("karnofsky", "both"):
        v["karnofsky"] = float(s["karnofsky"])
    if s["performance"] in ("ecog", "both"):
        v["ecog"] = _ecog(s["karnofsky"])

    if group == "ms":
        if later:
            step = rng.choices((0.5, 0.0, -0.5), weights=(25, 65, 10))[0]
            s["edss"] = _clamp(s["edss"] + step, 1.0, 9.5)
            if rng.random() < 0.2:
                s["relapses_12m"] += 1
                s["relapses_24m"] += 1
        v["edss"] = s["edss"]
        v["relapses_12m"] = float(s["relapses_12m"])
        v["relapses_24m"] = float(s["relapses_24m"])
        if full or rng.random() < 0.4:  # MRI is not repeated at every visit
            v["new_mri_lesions_12m"] = float(s["new_mri_lesions_12m"])
    elif group == "sle":
        v["sledai_2k"] = float(
            int(_clamp(s["sledai_2k"] + (rng.choice((-4, -2, 0, 0, 2, 4)) if later else 0), 0, 105))
        )
        v.update({key: float(flag) for key, flag in s["flags"].items()})
    elif group == "ssc":
        v["mrss"] = float(int(_clamp(s["mrss"] + (rng.randint(-3, 3) if later else 0), 0, 51)))
        if full:
            v.update({key: float(flag) for key, flag in s["flags"].items()})
    elif group == "crohns":
        v["cdai"] = float(int(_clamp(s["cdai"] + (rng.randint(-40, 40) if later else 0), 0, 1100)))
    elif group == "aa":
        v["anc"] = round(_clamp(_jitter(rng, s["anc"], 0.15), 0.01, 100), 2)
        v["platelets"] = float(int(_clamp(round(_jitter(rng, s["platelets"], 0.2)), 1, 2000)))
        v["reticulocytes"] = round(_clamp(_jitter(rng, s["reticulocytes"], 0.15), 0.5, 500), 1)
        if s["reticulocytes_pct_measured"]:
            red_cells = s["haemoglobin"] * 0.33 * 1000  # ×10⁹/L, about 3,000 at Hb 9 g/dL
            v["reticulocytes_pct"] = round(
                _clamp(v["reticulocytes"] / red_cells * 100, 0.01, 50), 2
            )
        v["haemoglobin"] = round(_clamp(_jitter(rng, s["haemoglobin"], 0.06), 4.0, 16.0), 1)
        if full:
            v["marrow_cellularity"] = float(s["marrow_cellularity"])
            v["matched_sibling_donor"] = float(s["matched_sibling_donor"])
    if "crp" in s and (full or rng.random() < 0.6):
        v["crp_mg_l"] = round(_clamp(_jitter(rng, s["crp"], 0.3), 0.2, 300), 1)

    if full:
        v["lvef"] = float(round(_clamp(s["lvef"] + rng.gauss(0, 2), 30, 78)))
        v["dlco"] = float(round(_clamp(s["dlco"] + rng.gauss(0, 3), 25, 140)))
        v["fev1"] = float(round(_clamp(s["fev1"] + rng.gauss(0, 3), 35, 140)))
        if s["pasp"] is not None:
            v["pasp"] = float(round(_clamp(s["pasp"] + rng.gauss(0, 2), 15, 90)))
        if s["mpap"] is not None:
            v["mpap"] = float(round(_clamp(s["mpap"] + rng.gauss(0, 1.5), 12, 60)))

    creatinine = _clamp(_jitter(rng, s["creatinine"], 0.07), 0.3, 15.0)
    v["creatinine"] = round(creatinine, 2)
    if s["age"] < 18:  # bedside Schwartz
        clearance = 0.413 * s["height_cm"] / creatinine
    else:  # Cockcroft-Gault
        clearance = (
            (140 - s["age"]) * s["weight"] / (72 * creatinine) * (0.85 if s["female"] else 1)
        )
    v["creatinine_clearance"] = float(round(_clamp(clearance, 5, 240)))
    v["bilirubin"] = round(_clamp(_jitter(rng, s["bilirubin"], 0.12), 0.1, 30), 2)
    v["bilirubin_uln"] = s["bilirubin_uln"]
    v["alt"] = float(round(_clamp(_jitter(rng, s["alt"], 0.15), 4, 2000)))
    v["alt_uln"] = float(s["alt_uln"])
    v["ast"] = float(round(_clamp(_jitter(rng, s["ast"], 0.12), 6, 2000)))
    v["ast_uln"] = float(s["ast_uln"])

    v["bmi"] = round(_clamp(s["bmi"] + (rng.gauss(0, 0.3) if later else 0), 12, 60), 1)
    v["active_infection"] = float(rng.random() < 0.03)
    if s["may_be_pregnant"]:
        v["pregnant"] = float(s["pregnant"])
    return v


# --------------------------------------------------------------------------- database


@dataclass
class SeedResult:
    requested: int = 0
    done: int = 0  # indices handled so far, new or already there
    patients: int = 0  # created
    assessments: int = 0
    values: int = 0
    treatments: int = 0

    @property
    def existing(self) -> int:
        return self.done - self.patients


def ensure_centres_and_users() -> tuple[dict, list]:
    """The demo centres and users, created if missing; memberships made good on every run.

    Returns the centres by code and the users that were created now.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from .models import Centre

    centres = {}
    for spec in CENTRES:
        centre, _ = Centre.objects.get_or_create(
            code=spec.code, defaults={"name": spec.name, "kind": spec.kind}
        )
        centres[spec.code] = centre
    groups = {
        group.name: group for group in Group.objects.filter(name__in={u.group for u in USERS})
    }
    missing = {u.group for u in USERS} - set(groups)
    if missing:
        raise LookupError(f"Missing groups {sorted(missing)}: run `manage.py migrate` first.")
    created = []
    User = get_user_model()
    for spec in USERS:
        user, is_new = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "is_staff": spec.is_staff,
            },
        )
        if is_new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created.append(user)
        user.groups.add(groups[spec.group])
        centres[spec.centre].members.add(user)
    return centres, created


def seed_patients(
    *,
    count: int,
    seed: int | str,
    as_of: date,
    chunk_size: int = 1000,
    on_chunk: Callable[[SeedResult], None] | None = None,
) -> SeedResult:
    """Create demo patients 1..count that are not there yet, a chunk at a time.

    Rows are bulk-inserted, so no history rows are written and ``record_changed`` is
    not sent: seeded data is nobody's change, and it is not queued for screening.
    """
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from .models import Centre, Disease, Patient, Therapy

    centres = {c.code: c for c in Centre.objects.filter(code__in=[c.code for c in CENTRES])}
    diseases = dict(Disease.objects.values_list("key", "id"))
    therapies = dict(Therapy.objects.values_list("key", "id"))
    users = dict(
        get_user_model()
        .objects.filter(username__in=RECORDED_BY.values())
        .values_list("username", "id")
    )
    recorders = {code: users.get(username) for code, username in RECORDED_BY.items()}

    result = SeedResult(requested=count)
    for first in range(1, count + 1, chunk_size):
        indices = range(first, min(first + chunk_size, count + 1))
        with transaction.atomic():
            existing = set(
                Patient.objects.filter(
                    centre__in=centres.values(), mrn__in=[demo_mrn(i) for i in indices]
                ).values_list("centre__code", "mrn")
            )
            batch = [
                generate_patient(seed, i, as_of)
                for i in indices
                if (centre_for(i), demo_mrn(i)) not in existing
            ]
            _insert(batch, centres, diseases, therapies, recorders, result)
        result.done = indices[-1]
        if on_chunk:
            on_chunk(result)
    return result


def _insert(batch, centres, diseases, therapies, recorders, result: SeedResult) -> None:
    from .models import Assessment, AssessmentValue, Patient, PriorTreatment

    if not batch:
        return
    patients = [
        Patient(
            public_id=p.public_id,
            centre=centres[p.centre],
            mrn=p.mrn,
            given_name=p.given_name,
            family_name=p.family_name,
            birth_date=p.birth_date,
            sex=p.sex,
            death_date=p.death_date,
            deceased=p.death_date is not None,
            disease_id=diseases[p.disease],
            diagnosis_date=p.diagnosis_date,
            **p.comorbidities,
        )
        for p in batch
    ]
    Patient.objects.bulk_create(patients)  # returns the ids (PostgreSQL, and SQLite >= 3.35)

    assessments, assessment_data, treatments = [], [], []
    for data, patient in zip(batch, patients, strict=True):
        for a in data.assessments:
            assessments.append(
                Assessment(
                    patient_id=patient.pk,
                    taken_on=a.taken_on,
                    note=a.note,
                    recorded_by_id=recorders[data.centre],
                )
            )
            assessment_data.append(a)
        for t in data.treatments:
            treatments.append(
                PriorTreatment(
                    patient_id=patient.pk,
                    therapy_id=therapies[t.therapy],
                    start_date=t.start,
                    end_date=t.end,
                    outcome=t.outcome,
                    stop_reason=t.stop_reason,
                )
            )
    Assessment.objects.bulk_create(assessments)
    values = [
        AssessmentValue(assessment_id=assessment.pk, item=key, value=value)
        for assessment, data in zip(assessments, assessment_data, strict=True)
        for key, value in data.values.items()
    ]
    AssessmentValue.objects.bulk_create(values, batch_size=5000)
    PriorTreatment.objects.bulk_create(treatments, batch_size=5000)
    result.patients += len(patients)
    result.assessments += len(assessments)
    result.values += len(values)
    result.treatments += len(treatments)
