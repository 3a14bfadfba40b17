"""Whose word stands when a bundle meets a record already here: the EHR's or a clinician's.

The EHR owns the identity; a clinician may have corrected everything else, so a re-import only
adds to it. A row is the importer's while its latest history row carries IMPORT_REASON: that is
how a re-import knows what it may replace, and what a clinician entered, edited or deleted.
"""

from __future__ import annotations

from common.typed import field_label

from ..models import Patient, PriorTreatment
from .imported import BundleData, ImportedPatient

IMPORT_REASON = (
    "Imported from FHIR"  # simple_history's change reason on every row the importer writes
)
IDENTITY_FIELDS = ("given_name", "family_name", "birth_date", "sex")


def update_known_patient(
    patient: Patient, data: ImportedPatient, bundle: BundleData, *, diseases
) -> None:
    """Bring a known patient up to date from the bundle without undoing what a clinician recorded.

    The EHR owns the identity (names, birth date, sex, its own id): those follow it, and a change is
    reported. Everything else a clinician may have corrected here, so the bundle only adds to it.
    """
    label = data.label or patient.mrn
    for name in IDENTITY_FIELDS:
        old, new = getattr(patient, name), getattr(data, name)
        if old != new:
            verbose = field_label(Patient, name)
            bundle.notes.append(
                f"{label}: {verbose} changed from {old or '(blank)'} to {new or '(blank)'} (from the EHR)."
            )
            setattr(patient, name, new)
    patient.fhir_id = data.fhir_id

    # Death: only ever recorded, never undone by a bundle that does not mention it.
    if data.deceased and not patient.deceased:
        patient.deceased = True
    if data.death_date and patient.death_date is None:
        patient.death_date = data.death_date
    elif data.death_date and data.death_date != patient.death_date:
        bundle.notes.append(
            f"{label}: date of death {patient.death_date} kept; the bundle says {data.death_date}."
        )
    if patient.is_deceased and not data.deceased:
        bundle.notes.append(
            f"{label}: recorded as deceased here; the bundle does not say so. Kept as deceased."
        )

    # Comorbidities: the bundle fills what nobody has answered; a clinician's yes or no stays.
    for item in sorted(data.comorbidities):
        if getattr(patient, item) is None:
            setattr(patient, item, True)
        elif getattr(patient, item) is False:
            verbose = field_label(Patient, item)
            bundle.notes.append(
                f"{label}: {verbose} kept as no; the bundle has an active condition for it."
            )

    # Diagnosis: the bundle's while nobody else has written it.
    if data.disease in diseases:
        disease = diseases[data.disease]
        if patient.disease_id is None or diagnosis_is_imported(patient):
            patient.disease, patient.diagnosis_date = disease, data.diagnosis_date
        elif (patient.disease_id, patient.diagnosis_date) != (disease.pk, data.diagnosis_date):
            recorded = patient.disease  # loaded only here, for the note
            if recorded is not None:  # always: this branch has a disease_id
                bundle.notes.append(
                    f"{label}: diagnosis {recorded.key} ({patient.diagnosis_date or 'no date'}) recorded by a "
                    f"clinician kept; the bundle says {data.disease} ({data.diagnosis_date or 'no date'})."
                )


def diagnosis_is_imported(patient: Patient) -> bool:
    """Whether the history row that last changed the disease or diagnosis date was the importer's."""
    rows = (
        Patient.history.filter(id=patient.pk)
        .order_by("-history_date", "-history_id")
        .values_list("disease_id", "diagnosis_date", "history_change_reason")
    )
    current = (patient.disease_id, patient.diagnosis_date)
    writer = None
    for disease_id, diagnosis_date, reason in rows:
        if (disease_id, diagnosis_date) != current:
            break  # the row before the change: the change was the previous row's
        writer = reason
    return writer == IMPORT_REASON


def treatment_owners(
    patient: Patient, existing: dict[int, tuple]
) -> tuple[dict[int, tuple], set[tuple]]:
    """(the importer's current rows by pk, the (therapy, start) lines a clinician owns), from one history query.

    A row is the importer's while its latest history row carries IMPORT_REASON. A clinician owns a line
    when they entered it, edited an imported row (every therapy and start that row ever had), or deleted
    it: a deleted line is not imported again, unless the importer itself created it again afterwards
    (how it replaced changed lines before its own deletions were marked). ``existing`` maps each
    current row's pk to its fields, the therapy id and the start date first.
    """
    latest: dict[int, tuple[str, str | None, int]] = {}  # pk -> (history type, reason, position)
    lines_of: dict[int, set[tuple]] = {}
    imported_at: dict[
        tuple, int
    ] = {}  # (therapy, start) -> position of the importer's latest "+" of it
    history = (
        PriorTreatment.history.filter(patient_id=patient.pk)
        .order_by("history_date", "history_id")
        .values_list("id", "therapy_id", "start_date", "history_type", "history_change_reason")
    )
    for position, (pk, therapy_id, start, kind, reason) in enumerate(history):
        latest[pk] = (kind, reason, position)
        lines_of.setdefault(pk, set()).add((therapy_id, start))
        if kind == "+" and reason == IMPORT_REASON:
            imported_at[(therapy_id, start)] = position
    imported = {
        pk: fields
        for pk, fields in existing.items()
        if latest.get(pk, ("", None, 0))[1] == IMPORT_REASON
    }
    by_hand = {(fields[0], fields[1]) for pk, fields in existing.items() if pk not in imported}
    for pk, (kind, reason, position) in latest.items():
        if reason == IMPORT_REASON:
            continue
        for line in lines_of[pk]:
            if kind == "-" and imported_at.get(line, -1) > position:
                continue
            by_hand.add(line)
    return imported, by_hand
