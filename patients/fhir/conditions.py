"""Read Condition resources: the disease the patient is screened for, and HCT-CI comorbidities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import mapping as m
from .bundle import Entry
from .datatypes import codes_of, first_code, outside_life, status_of, to_date
from .imported import BundleData, ImportedPatient

INACTIVE_CLINICAL = {"inactive", "resolved"}
NOT_CONFIRMED = {"refuted", "entered-in-error"}


@dataclass
class Found:
    """A usable Condition: the disease it names (if any), its comorbidity items, its onset."""

    disease: str | None
    items: list[str]
    day: date | None
    entry: Entry


def read_condition(entry: Entry, data: BundleData, birth: date, today: date) -> Found | None:
    resource = entry.resource
    diseases = [k for s, c in codes_of(resource.code) if (k := m.disease_for(s, c))]
    items = sorted({i for s, c in codes_of(resource.code) for i in m.comorbidities_for(s, c)})
    if not diseases and not items:
        data.skip(entry, f"code not mapped: {first_code(resource.code)}")
        return None
    inactive = status_of(resource.clinicalStatus) & INACTIVE_CLINICAL
    if inactive:
        data.skip(entry, f"clinicalStatus {inactive.pop()}: not a current diagnosis")
        return None
    unconfirmed = status_of(resource.verificationStatus) & NOT_CONFIRMED
    if unconfirmed:
        data.skip(entry, f"verificationStatus {unconfirmed.pop()}")
        return None
    day = to_date(resource.onsetDateTime) or to_date(resource.recordedDate)
    if day is None and resource.onsetPeriod is not None:
        day = to_date(resource.onsetPeriod.start)
    if day is not None and (wrong := outside_life(day, birth, today)):
        data.skip(entry, f"{wrong}: not imported")
        return None
    return Found(diseases[0] if diseases else None, items, day, entry)


def choose_disease(found: list[Found], patient: ImportedPatient, data: BundleData) -> None:
    # The conditions that name a disease, each with that disease.
    candidates = [(f.disease, f) for f in found if f.disease]
    if candidates:
        ranked = sorted(
            candidates,
            key=lambda c: (c[0] not in m.DISEASE_SUBTYPED, m.DISEASE_ORDER.index(c[0])),
        )
        chosen = ranked[0][0]
        group = m.DISEASE_GROUP[chosen]
        patient.disease = chosen
        # Onset of the disease: the earliest date among its conditions (an "MS" before the "RRMS").
        days = [f.day for disease, f in candidates if m.DISEASE_GROUP[disease] == group and f.day]
        patient.diagnosis_date = min(days) if days else None
        others = sorted({disease for disease, _ in candidates} - {chosen})
        if others:
            data.notes.append(
                f"{patient.label}: diagnosis {chosen} chosen over {', '.join(others)} (most specific first)."
            )
    chosen_group = m.DISEASE_GROUP.get(patient.disease or "")
    for f in found:
        # The disease itself scores its HCT-CI item in the rules engine; recording it again
        # as a comorbidity would count it twice.
        if f.disease and m.DISEASE_GROUP[f.disease] == chosen_group:
            continue
        patient.comorbidities.update(f.items)
