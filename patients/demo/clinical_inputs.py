"""The inputs clinical model v2 added, for a demo patient already made by generator.py.

They are drawn from a second random stream of the patient's own (``{seed}:{index}:v2``), so the
first stream, and with it every value the generator made before, stays as it was. Each step
reads what the first stream made (the relapse counts, the MRI count, the marrow cellularity,
the treatments, the gaps) so the new inputs agree with it:

- MS: relapse onsets that give each assessment's counts in the 12 and 24 months before it,
  older relapses since onset, new T2 and Gd-enhancing lesions (the combined count is the new
  T2 count; Gd-enhancing ones are some of them), the EDSS raised by a recent relapse now and
  then, and the clinician's "severe, rapidly evolving";
- every disease: malignancy, mostly none, a few past, rarely active (past or active when the
  HCT-CI says there was a solid tumour);
- SLE, RA, vasculitis, myositis, NMOSD, CIDP: "active despite standard therapy", likelier
  after a failed line; Crohn's: "surgery not an option";
- aplastic anaemia: the residual haematopoietic fraction where the cellularity is 25-49 %, and
  the work-up (PNH clone, cytogenetics, inherited marrow failure), mostly recorded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from .assessments import AssessmentData

# Windows in days, with a week's margin so that a relapse is plainly inside or outside
# "the 12 (24) months before" however the months are counted.
YEAR, MARGIN = 365, 7
ACTIVITY_DISEASES = ("sle", "ra", "vasculitis", "myositis", "nmosd", "cidp")
RECENT_RELAPSE_DAYS = 90  # a relapse this recent may still raise the EDSS
RELAPSE_GAP_DAYS = 30


@dataclass
class Visit:
    """An assessment and the relapse counts it was made with (before any gap removed them)."""

    data: AssessmentData
    counts: tuple[int, int]  # relapses in 12 and 24 months


def add_clinical_inputs(rng: random.Random, *, disease: str, onset: date, patient) -> list[date]:
    """Add the new items to the patient's assessments; return the MS relapse onsets."""
    group = disease.split("_")[0]
    relapses: list[date] = []
    if group == "ms":
        relapses = _relapse_onsets(rng, disease, onset, patient.assessments)
        _ms_items(rng, disease, patient.assessments, relapses)
    _malignancy(rng, patient)
    if disease in ACTIVITY_DISEASES:
        _activity(rng, patient)
    elif disease == "crohns":
        _answer_once(rng, patient.assessments, "surgery_not_an_option", 0.8, 0.35)
    elif disease == "aa":
        _aa_items(rng, patient.assessments)
    return relapses


def _spread(rng: random.Random, first: date, last: date, count: int) -> list[date]:
    """``count`` distinct days from first to last, at least 30 days apart where there is room
    (McDonald: attacks 30 days apart are separate relapses)."""
    days = (last - first).days + 1
    if count <= 0 or days <= 0:
        return []
    count = min(count, days)
    room = days - (count - 1) * RELAPSE_GAP_DAYS
    if room >= 1:
        picks = sorted(rng.randrange(room) for _ in range(count))
        return [first + timedelta(days=p + i * RELAPSE_GAP_DAYS) for i, p in enumerate(picks)]
    return sorted(first + timedelta(days=offset) for offset in rng.sample(range(days), count))


def _relapse_onsets(rng, disease, onset, assessments: list[AssessmentData]) -> list[date]:
    """Onsets that give every assessment its counts; counts that cannot fit since onset are lowered."""
    visits = [Visit(a, a.relapse_counts) for a in assessments if a.relapse_counts is not None]
    if not visits:
        return []
    first, last = visits[0].data.taken_on, visits[-1].data.taken_on
    in_year, in_two_years = visits[0].counts
    # In the last year before the first visit, and still inside the year before the last one.
    recent = _spread(rng, max(onset, last - timedelta(YEAR - MARGIN)), first, in_year)
    # In the year before that: outside the first visit's year, inside the last visit's two years.
    earlier = _spread(
        rng,
        max(onset, last - timedelta(2 * YEAR - MARGIN)),
        first - timedelta(YEAR + MARGIN),
        in_two_years - in_year,
    )
    onsets = earlier + recent
    lost_recent, lost_earlier = in_year - len(recent), in_two_years - in_year - len(earlier)
    for before, visit in zip(visits, visits[1:], strict=False):
        new = visit.counts[0] - before.counts[0]  # a relapse between the two visits
        onsets += _spread(rng, before.data.taken_on + timedelta(1), visit.data.taken_on, new)
    for visit in visits:
        counts = (visit.counts[0] - lost_recent, visit.counts[1] - lost_recent - lost_earlier)
        if "relapses_12m" in visit.data.values:
            visit.data.values["relapses_12m"] = float(counts[0])
            visit.data.values["relapses_24m"] = float(counts[1])
    # Older relapses, before the windows of every visit; the first attack often on the onset.
    oldest = first - timedelta(2 * YEAR + MARGIN)
    if oldest >= onset and disease != "ms_pp":
        older = _spread(rng, onset, oldest, rng.randint(0, 3 if disease == "ms_rr" else 2))
        if rng.random() < 0.5 and onset not in older:
            older.append(onset)
        onsets += older
    return sorted(set(onsets))


def _ms_items(rng, disease, assessments: list[AssessmentData], relapses: list[date]) -> None:
    """T2 and Gd+ lesions apart, the EDSS raised by a recent relapse, rapidly evolving MS."""
    judged = rng.random() < 0.7  # the clinician gave a judgement of "rapidly evolving"
    for assessment in assessments:
        values = assessment.values
        recent = any(
            0 <= (assessment.taken_on - day).days <= RECENT_RELAPSE_DAYS for day in relapses
        )
        if "new_mri_lesions_12m" in values:
            lesions = int(values["new_mri_lesions_12m"])
            share = 0.5 if recent else 0.2
            values["new_t2_lesions_12m"] = float(lesions)
            values["gd_lesions_12m"] = float(sum(rng.random() < share for _ in range(lesions)))
        if "edss" in values and rng.random() < 0.8:
            values["edss_relapse_related"] = float(recent and rng.random() < 0.6)
        if judged and assessment.note != "Clinic review":
            active = values.get("relapses_12m", 0) >= 2 and values.get("gd_lesions_12m", 0) >= 1
            values["ms_rapidly_evolving"] = float(
                disease == "ms_rr" and active and rng.random() < 0.6
            )


def _malignancy(rng: random.Random, patient) -> None:
    if patient.comorbidities.get("prior_solid_tumour"):
        status = 2.0 if rng.random() < 0.1 else 1.0
    else:
        status = rng.choices((0.0, 1.0, 2.0), weights=(93, 6, 1))[0]
    for assessment in patient.assessments:
        if assessment.note != "Clinic review" and rng.random() < 0.85:
            assessment.values["malignancy"] = status


def _activity(rng: random.Random, patient) -> None:
    """The clinician's answer, likelier yes after a line that failed."""
    failed = any(line.outcome == "inadequate_response" for line in patient.treatments)
    _answer_once(
        rng, patient.assessments, "active_despite_standard_therapy", 0.85, 0.75 if failed else 0.3
    )


def _answer_once(rng, assessments, key: str, recorded: float, yes: float) -> None:
    """One yes/no answer for the patient, written at every assessment when it was recorded."""
    if rng.random() >= recorded:
        return
    answer = float(rng.random() < yes)
    for assessment in assessments:
        assessment.values[key] = answer


def _aa_items(rng: random.Random, assessments: list[AssessmentData]) -> None:
    """Camitta's residual fraction where needed, and the BSH work-up at the full work-ups."""
    pnh = rng.choices((0.0, rng.uniform(0.1, 10), rng.uniform(10, 50)), weights=(60, 30, 10))[0]
    cytogenetics = float(rng.random() < 0.05)
    inherited = float(rng.random() < 0.03)
    residual = rng.uniform(10, 29) if rng.random() < 0.4 else rng.uniform(30, 70)
    for assessment in assessments:
        values = assessment.values
        if 25 <= values.get("marrow_cellularity", 0) < 50 and rng.random() < 0.85:
            values["marrow_residual_haematopoietic_pct"] = float(round(residual))
        if "marrow_cellularity" not in values:
            continue  # the work-up goes with the marrow examination
        if rng.random() < 0.85:
            values["pnh_clone_pct"] = round(pnh, 1)
        if rng.random() < 0.8:
            values["abnormal_cytogenetics"] = cytogenetics
        if rng.random() < 0.7:
            values["inherited_marrow_failure"] = inherited
