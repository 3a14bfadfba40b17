"""Translate a parsed bundle into plain patient data, resource by resource. No database here.

A resource whose values cannot be used (unknown code, unit, value out of range, no date) is
skipped with its reason; everything else of the bundle still imports. Rules: docs/fhir-mapping.md.
This module finds each patient's resources; one module per resource kind reads them
(patient, conditions, observations, treatments).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from . import mapping as m
from .bundle import BundleError, Entry, ParsedBundle
from .conditions import choose_disease, read_condition
from .datatypes import codes_of
from .imported import BundleData, ImportedPatient
from .observations import (
    collect_answers,
    collect_values,
    read_comorbidity_answer,
    read_observation,
    read_relapse,
)
from .patient import read_patient
from .treatments import merge_orders, read_medication, read_procedure

# This importer takes one patient's record per bundle (a Synthea or EHR patient export); codes.md.
MAX_PATIENTS_PER_BUNDLE = 1


def _subject_key(resource) -> str:
    subject = getattr(resource, "subject", None)
    return (subject.reference or "") if subject is not None else ""


def _one_patient(entries: list[Entry], patients: list[ImportedPatient]) -> None:
    """Two Patient resources of one person (same MRN or id) would merge silently: refuse the bundle."""
    for what, keys in (
        ("MRN", [p.mrn for p in patients]),
        ("id", [e.resource.id for e in entries]),
    ):
        seen: dict[str, int] = {}
        for entry, key in zip(entries, keys, strict=True):
            if not key:
                continue
            if key in seen:
                raise BundleError(
                    f"Two Patient resources share {what} {key} (entries {seen[key]} and {entry.index}); "
                    "nothing of this bundle is imported."
                )
            seen[key] = entry.index
    if len(entries) > MAX_PATIENTS_PER_BUNDLE:
        where = ", ".join(str(e.index) for e in entries)
        raise BundleError(
            f"The bundle has {len(entries)} Patient resources (entries {where}); a bundle must hold one patient's "
            "record. Export one bundle per patient."
        )


def _entries_by_patient(
    parsed: ParsedBundle, patient_entries: list[Entry], data: BundleData
) -> dict[int, list[Entry]]:
    """Each patient's resources, by the patient's position; a resource of no patient is skipped."""
    by_reference: dict[str, int] = {}
    for number, entry in enumerate(patient_entries):
        rid = entry.resource.id
        for ref in (entry.full_url, f"Patient/{rid}", f"urn:uuid:{rid}"):
            if ref and not ref.endswith("/None"):
                by_reference[ref] = number

    per_patient: dict[int, list[Entry]] = {n: [] for n in range(len(patient_entries))}
    for entry in parsed.entries:
        if entry.resource.get_resource_type() == "Patient":
            continue
        reference = _subject_key(entry.resource)
        owner = by_reference.get(reference)
        if owner is None and reference.endswith(
            tuple(f"/{e.resource.id}" for e in patient_entries if e.resource.id)
        ):
            owner = next(
                n for n, e in enumerate(patient_entries) if reference.endswith(f"/{e.resource.id}")
            )
        if owner is None:
            data.skip(entry, f"subject {reference or '(none)'} is not a Patient of this bundle")
            continue
        per_patient[owner].append(entry)
    return per_patient


def _read_resources(
    patient: ImportedPatient, entries: list[Entry], data: BundleData, today: date
) -> None:
    """Fill in the patient from their resources: diagnosis and comorbidities, values, treatments."""
    birth = patient.birth_date
    found = [
        f
        for e in entries
        if e.resource.get_resource_type() == "Condition"
        if (f := read_condition(e, data, birth, today))
    ]
    choose_disease(found, patient, data)
    if patient.diagnosis_date and not patient.birth_date <= patient.diagnosis_date <= today:
        data.notes.append(
            f"{patient.label}: diagnosis date {patient.diagnosis_date} is outside life; left blank."
        )
        patient.diagnosis_date = None
    data.mapped["Condition"] += len(found)

    _read_observations(
        [e for e in entries if e.resource.get_resource_type() == "Observation"],
        patient,
        data,
        today,
    )

    orders = []
    for e in entries:
        kind = e.resource.get_resource_type()
        if kind in ("MedicationRequest", "MedicationStatement"):
            order = read_medication(e, data, birth, today)
        elif kind == "Procedure":
            order = read_procedure(e, data, birth, today)
        else:
            continue
        if order:
            orders.append(order)
            data.mapped[kind] += 1
    group = m.DISEASE_GROUP.get(patient.disease or "")
    if group is not None:  # a therapy's disease-specific key needs the disease's group
        for order in orders:
            order.therapy = m.THERAPY_BY_DISEASE.get((order.therapy, group), order.therapy)
    patient.treatments = merge_orders(orders, today)


def _read_observations(
    entries: list[Entry], patient: ImportedPatient, data: BundleData, today: date
) -> None:
    """Dated values, MS relapse onsets and the EHR's HCT-CI answers, each by its code."""
    birth = patient.birth_date
    readings, answers, relapses = [], [], 0
    for entry in entries:
        codes = codes_of(entry.resource.code)
        item = next((m.HCT_CI_ANSWERS[c] for c in codes if c in m.HCT_CI_ANSWERS), None)
        if m.MS_RELAPSE in codes:
            if (onset := read_relapse(entry, data, patient, today)) is not None:
                patient.relapses.add(onset)
                relapses += 1
        elif item is not None:
            if answer := read_comorbidity_answer(entry, data, item, birth, today):
                answers.append(answer)
        elif reading := read_observation(entry, data, birth, today):
            readings.append(reading)
    collect_values(readings, patient, data)
    collect_answers(answers, patient)
    data.mapped["Observation"] += len(readings) + len(answers) + relapses


def extract(parsed: ParsedBundle, *, today: date) -> BundleData:
    """The bundle's patient with their diagnosis, values and treatments, and what was skipped and why.

    Raises BundleError when a Patient cannot be filed (no MRN, no plausible birth date) or the
    bundle holds more than one.
    """
    patient_entries = parsed.of_type("Patient")
    patients = [read_patient(e, today) for e in patient_entries]
    _one_patient(patient_entries, patients)
    data = BundleData(patients=patients, other=Counter(parsed.other))
    data.mapped["Patient"] = len(patients)
    per_patient = _entries_by_patient(parsed, patient_entries, data)
    for number, patient in enumerate(patients):
        _read_resources(patient, per_patient[number], data, today)
    data.mapped = Counter({k: v for k, v in data.mapped.items() if v})
    return data
