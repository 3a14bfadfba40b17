"""The demo patients' assessments: when they were taken, and the values each one records.

A patient has an underlying state (``_baseline``) drawn once; each assessment reads it with
some change since the last visit (``_values``). Full work-ups record heart and lung tests;
clinic reviews do not.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from ..reference_data import DISEASES

_V = TypeVar("_V")  # a table's keys: EDSS steps (float) or counts (int)
_GROUP = {key: group for key, _name, group, *_ in DISEASES}


@dataclass
class AssessmentData:
    taken_on: date
    note: str
    values: dict[str, float]
    # MS: the relapses in 12 and 24 months the visit was made with, even where a gap leaves the
    # counts out of the values (clinical_inputs.py dates the relapses from them).
    relapse_counts: tuple[int, int] | None = None


def assessments(rng, disease, sex, age, onset, end, gaps) -> list[AssessmentData]:
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
        counts = None
        if "relapses_12m" in values:
            counts = (int(values["relapses_12m"]), int(values["relapses_24m"]))
        kept = {k: v for k, v in values.items() if k not in gaps}
        result.append(AssessmentData(taken_on, note, kept, counts))
    return result


def _pick(rng: random.Random, table: Mapping[_V, int]) -> _V:
    """One of the table's keys, drawn with its value as the weight."""
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
    s: dict = {"disease": disease, "group": group, "female": sex == "female", "age": age}
    s["karnofsky"] = _pick(rng, KARNOFSKY.get(disease, KARNOFSKY["default"]))
    s["performance"] = rng.choices(("karnofsky", "ecog", "both"), weights=(65, 30, 5))[0]
    # In this order: every step draws from the patient's one random stream.
    _disease_state(rng, s)
    _heart_and_lung_state(rng, s)
    _body_and_lab_state(rng, s)
    return s


def _disease_state(rng: random.Random, s: dict) -> None:
    """The disease's own measures: activity scores, organ involvement, blood counts, CRP."""
    disease, group, age = s["disease"], s["group"], s["age"]
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


def _heart_and_lung_state(rng: random.Random, s: dict) -> None:
    """Echo and lung function, worse where systemic sclerosis involves the heart or lungs."""
    group = s["group"]
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


def _body_and_lab_state(rng: random.Random, s: dict) -> None:
    """Height, weight and BMI; kidney and liver tests; whether a pregnancy test applies."""
    group, female, age = s["group"], s["female"], s["age"]
    child = age < 18
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


def _values(rng: random.Random, s: dict, kind: str, later: bool) -> dict[str, float]:
    """What one assessment records of the state, moving it on a little when ``later``."""
    full = kind == "full"
    v: dict[str, float] = {}

    if later:  # some change since the last visit
        s["karnofsky"] = _clamp(s["karnofsky"] + rng.choice((-10, 0, 0, 0, 10)), 10, 100)
    if s["performance"] in ("karnofsky", "both"):
        v["karnofsky"] = float(s["karnofsky"])
    if s["performance"] in ("ecog", "both"):
        v["ecog"] = _ecog(s["karnofsky"])

    # In this order: every step draws from the patient's one random stream.
    _disease_values(rng, s, v, full, later)
    if full:
        v["lvef"] = float(round(_clamp(s["lvef"] + rng.gauss(0, 2), 30, 78)))
        v["dlco"] = float(round(_clamp(s["dlco"] + rng.gauss(0, 3), 25, 140)))
        v["fev1"] = float(round(_clamp(s["fev1"] + rng.gauss(0, 3), 35, 140)))
        if s["pasp"] is not None:
            v["pasp"] = float(round(_clamp(s["pasp"] + rng.gauss(0, 2), 15, 90)))
        if s["mpap"] is not None:
            v["mpap"] = float(round(_clamp(s["mpap"] + rng.gauss(0, 1.5), 12, 60)))
    _lab_values(rng, s, v)

    v["bmi"] = round(_clamp(s["bmi"] + (rng.gauss(0, 0.3) if later else 0), 12, 60), 1)
    v["active_infection"] = float(rng.random() < 0.03)
    if s["may_be_pregnant"]:
        v["pregnant"] = float(s["pregnant"])
    return v


def _disease_values(
    rng: random.Random, s: dict, v: dict[str, float], full: bool, later: bool
) -> None:
    """The disease's own measures as recorded at this visit (MS moves on between visits)."""
    group = s["group"]
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


def _lab_values(rng: random.Random, s: dict, v: dict[str, float]) -> None:
    """Kidney and liver tests; creatinine clearance estimated from the creatinine."""
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
