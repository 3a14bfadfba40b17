"""The patient record as the rules engine sees it: plain, frozen, Django-free.

``rules.loader`` builds a :class:`PatientRecord` from the database; tests and
benchmarks build them by hand. Nothing in here knows about the ORM, the request
or the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Measurement:
    """The latest valid value of one item, and the date it was taken."""

    value: float
    on: date


@dataclass(frozen=True, slots=True)
class TreatmentLine:
    therapy: str  # therapy key, e.g. "natalizumab"
    therapy_class: str  # one of THERAPY_CLASSES
    start: date | None
    end: date | None  # None while ongoing
    outcome: str  # one of TREATMENT_OUTCOMES
    stop_reason: str = ""


@dataclass(frozen=True, slots=True)
class PatientRecord:
    birth_date: date
    sex: str  # "female", "male", "other", "unknown"
    deceased: bool
    disease: str | None  # one of DISEASE_GROUPS
    disease_subtype: str | None  # for MS, one of MS_SUBTYPES
    diagnosis_date: date | None
    measurements: Mapping[str, Measurement] = field(default_factory=dict)
    comorbidities: Mapping[str, bool | None] = field(default_factory=dict)
    treatments: tuple[TreatmentLine, ...] = ()
    relapses: tuple[date, ...] = ()  # onset dates of MS relapses, as recorded
