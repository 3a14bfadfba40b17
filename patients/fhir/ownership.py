"""Whose word stands when a bundle meets a record already here: the EHR's or a clinician's.

The EHR owns the identity; a clinician may have corrected everything else, so a re-import only
adds to it. A row is the importer's while its latest history row carries IMPORT_REASON: that is
how a re-import knows what it may replace, and what a clinician entered, edited or deleted.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from datetime import date

from common.typed import field_label

from ..models import Patient, PriorTreatment, Relapse
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

    apply_comorbidities(patient, data, bundle, created=False)

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


def apply_comorbidities(
    patient: Patient, data: ImportedPatient, bundle: BundleData, *, created: bool
) -> None:
    """Set the HCT-CI items the bundle answers: an active condition says yes, an hct-ci-<item>
    Observation yes or no. An item the bundle does not answer stays as it is (unknown, or what
    was recorded). On a known patient the bundle fills what nobody has answered and may change
    what the importer itself wrote; a clinician's yes or no stays, and a differing bundle is noted.
    """
    label = data.label or patient.mrn
    wanted = dict(data.comorbidity_answers)
    for item in sorted(data.comorbidities):
        if wanted.get(item) is False:
            bundle.notes.append(
                f"{label}: {field_label(Patient, item)} answered no, but an active condition says "
                "yes; recorded as yes."
            )
        wanted[item] = True  # a screen that errs must err towards review
    conflicts = []
    for item, answer in sorted(wanted.items()):
        current = getattr(patient, item)
        if created or current is None:
            setattr(patient, item, answer)
        elif current != answer:
            conflicts.append(item)
    if not conflicts:
        return
    imported = fields_imported(patient, conflicts)
    for item in conflicts:
        if item in imported:
            setattr(patient, item, wanted[item])
            continue
        says = (
            "has an active condition for it"
            if item in data.comorbidities
            else f"answers {_yes_no(wanted[item])}"
        )
        bundle.notes.append(
            f"{label}: {field_label(Patient, item)} kept as {_yes_no(getattr(patient, item))}; "
            f"the bundle {says}."
        )


def _yes_no(value: bool | None) -> str:
    return "yes" if value else "no"


def fields_imported(patient: Patient, fields: list[str]) -> set[str]:
    """The fields whose current value the importer wrote: the history row that last changed
    each one carries IMPORT_REASON (one query)."""
    rows = (
        Patient.history.filter(id=patient.pk)
        .order_by("-history_date", "-history_id")
        .values_list(*fields, "history_change_reason")
    )
    current = {name: getattr(patient, name) for name in fields}
    writer: dict[str, str | None] = {}
    open_fields = set(fields)
    for *values, reason in rows:
        for name, value in zip(fields, values, strict=True):
            if name not in open_fields:
                continue
            if value != current[name]:
                open_fields.discard(name)  # changed at the newer row, already noted as writer
            else:
                writer[name] = reason
        if not open_fields:
            break
    return {name for name, reason in writer.items() if reason == IMPORT_REASON}


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
    """(the importer's current rows by pk, the (therapy, start) lines a clinician owns), from one history
    query. ``existing`` maps each current row's pk to its fields, the therapy id and the start date first.
    """
    history = (
        PriorTreatment.history.filter(patient_id=patient.pk)
        .order_by("history_date", "history_id")
        .values_list("id", "therapy_id", "start_date", "history_type", "history_change_reason")
    )
    imported, by_hand = owners(
        (
            (pk, (therapy_id, start), kind, reason)
            for pk, therapy_id, start, kind, reason in history
        ),
        {pk: (fields[0], fields[1]) for pk, fields in existing.items()},
    )
    return {pk: existing[pk] for pk in imported}, by_hand


def relapse_owners(patient: Patient, existing: dict[int, date]) -> tuple[set[int], set[date]]:
    """(the importer's current relapse rows, the onsets a clinician owns), as for treatment lines."""
    history = (
        Relapse.history.filter(patient_id=patient.pk)
        .order_by("history_date", "history_id")
        .values_list("id", "onset", "history_type", "history_change_reason")
    )
    return owners(history, existing)


def owners(
    history: Iterable[tuple[int, Hashable, str, str | None]], current: Mapping[int, Hashable]
) -> tuple[set[int], set]:
    """(the current rows that are the importer's, the lines a clinician owns).

    ``history`` gives (pk, line, history type, change reason), oldest first; ``current`` maps
    each current row to its line (a treatment's therapy and start, a relapse's onset). A row is
    the importer's while its latest history row carries IMPORT_REASON. A clinician owns a line
    when they entered it, edited an imported row (every line that row ever had), or deleted it:
    a deleted line is not imported again, unless the importer itself created it again
    afterwards (how it replaced changed lines before its own deletions were marked).
    """
    latest: dict[int, tuple[str, str | None, int]] = {}  # pk -> (history type, reason, position)
    lines_of: dict[int, set] = {}
    imported_at: dict[Hashable, int] = {}  # line -> position of the importer's latest "+" of it
    for position, (pk, line, kind, reason) in enumerate(history):
        latest[pk] = (kind, reason, position)
        lines_of.setdefault(pk, set()).add(line)
        if kind == "+" and reason == IMPORT_REASON:
            imported_at[line] = position
    imported = {pk for pk in current if latest.get(pk, ("", None, 0))[1] == IMPORT_REASON}
    by_hand = {line for pk, line in current.items() if pk not in imported}
    for pk, (kind, reason, position) in latest.items():
        if reason == IMPORT_REASON:
            continue
        for line in lines_of[pk]:
            if kind == "-" and imported_at.get(line, -1) > position:
                continue
            by_hand.add(line)
    return imported, by_hand
