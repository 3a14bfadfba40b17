"""The demo patients' treatments: lines tried in the usual order, background therapy, courses.

Aplastic anaemia has its own course (ATG and ciclosporin, or nothing while a sibling donor is
sought); every other disease walks its LINES, one therapy picked per step.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ..reference_data import THERAPIES

_THERAPY_KEYS = {key for key, *_ in THERAPIES}


@dataclass
class TreatmentData:
    therapy: str  # key in reference_data.THERAPIES
    start: date
    end: date | None
    outcome: str  # PriorTreatment.Outcome value
    stop_reason: str = ""


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
    # The approved targeted therapies after rituximab (ECTRIMS/EBMT 2025 asks for their failure).
    "nmosd": (
        ("azathioprine", "mycophenolate"),
        ("rituximab",),
        ("satralizumab", "inebilizumab", "eculizumab", "ravulizumab", "tocilizumab"),
    ),
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


def treatments(
    rng: random.Random, disease: str, onset: date, end: date, died: bool
) -> list[TreatmentData]:
    if disease == "aa":
        lines = _aa_treatments(rng, onset, end)
    else:
        lines = _line_treatments(rng, disease, onset, end)
        for therapy, share, ongoing in BACKGROUND.get(disease, ()):
            if rng.random() < share and all(line.therapy != therapy for line in lines):
                # None when the record ends before the therapy would start: nothing to add.
                background = _background(rng, therapy, ongoing, onset, end)
                if background is not None:
                    lines.append(background)
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
