"""Write a bundle's MS relapse onsets (Observation #ms-relapse) without undoing a clinician's.

The importer's rows are known by their history (ownership.relapse_owners): those the bundle
still has stay, the others go; an onset a clinician entered, moved or deleted is never
imported again beside theirs.
"""

from __future__ import annotations

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ..models import Patient, Relapse
from ..relapses import onset_error
from .imported import BundleData, ImportedPatient
from .ownership import IMPORT_REASON, relapse_owners

IMPORTED_RELAPSE_NOTE = "Imported from FHIR"  # shown on the page; ownership is the history's


def replace_relapses(
    patient: Patient,
    data: ImportedPatient,
    bundle: BundleData,
    *,
    by,
    created: bool,
) -> None:
    """Make the imported relapse onsets match the bundle's."""
    today = timezone.localdate()
    wanted = set()
    for onset in sorted(data.relapses):
        # The bundle's onsets were checked against its own diagnosis; a clinician's date may differ.
        message = onset_error(
            onset, today=today, birth=patient.birth_date, diagnosis=patient.diagnosis_date
        )
        if message:
            bundle.notes.append(f"{data.label}: relapse of {onset} not imported: {message}")
        else:
            wanted.add(onset)
    if not created:
        existing = dict(Relapse.objects.filter(patient=patient).values_list("pk", "onset"))
        imported, by_hand = relapse_owners(patient, existing)
        stale = [pk for pk in imported if existing[pk] not in wanted]
        for row in Relapse.objects.filter(pk__in=stale):
            row._change_reason = IMPORT_REASON  # so its deletion is known as the importer's
            row.delete()
        wanted -= by_hand | {existing[pk] for pk in existing if pk not in stale}
    bulk_create_with_history(
        [
            Relapse(patient=patient, onset=onset, note=IMPORTED_RELAPSE_NOTE)
            for onset in sorted(wanted)
        ],
        Relapse,
        default_user=by,
        default_change_reason=IMPORT_REASON,
    )
