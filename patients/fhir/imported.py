"""What ``extract`` makes of a bundle and the importer writes: plain data, no database.

BundleData also collects, as the readers go, the resources they skipped and why.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .bundle import Entry


@dataclass
class Order:
    therapy: str
    start: date | None
    end: date | None
    ongoing: bool
    outcome: str  # PriorTreatment.Outcome value
    stop_reason: str = ""
    orders: int = 1


@dataclass
class ImportedPatient:
    fhir_id: str
    mrn: str
    given_name: str
    family_name: str
    birth_date: date
    sex: str
    death_date: date | None
    deceased: bool
    label: str
    disease: str | None = None
    diagnosis_date: date | None = None
    comorbidities: set[str] = field(default_factory=set)  # HCT-CI items an active condition fills
    comorbidity_answers: dict[str, bool] = field(default_factory=dict)  # the EHR's hct-ci-* answers
    values: dict[date, dict[str, float]] = field(default_factory=dict)
    treatments: list[Order] = field(default_factory=list)
    relapses: set[date] = field(default_factory=set)  # onsets of MS relapses


@dataclass
class BundleData:
    patients: list[ImportedPatient]
    mapped: Counter = field(default_factory=Counter)
    other: Counter = field(default_factory=Counter)
    skipped: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skip(self, entry: Entry, reason: str) -> None:
        resource = entry.resource
        self.skipped.append(
            {
                "type": resource.get_resource_type(),
                "id": resource.id or "",
                "entry": entry.index,
                "reason": reason,
            }
        )
