"""Import FHIR bundles into a centre: one transaction per bundle, a report per run (ImportRun).

A bundle that cannot be read leaves the database as it was; a resource that cannot be used is
skipped and listed; a good bundle imports even when another of the run fails. Each imported
patient is announced with ``record_changed`` inside its bundle's transaction, so candidacy queues
a screening once the bundle commits.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ..models import (
    Assessment,
    AssessmentValue,
    Centre,
    Disease,
    ImportRun,
    Patient,
    PriorTreatment,
    Therapy,
)
from ..services import record_version_next, record_version_saved
from ..signals import record_changed
from .bundle import BundleError, read_bundle
from .extract import extract
from .imported import BundleData, ImportedPatient
from .ownership import (
    IDENTITY_FIELDS,
    IMPORT_REASON,
    apply_comorbidities,
    treatment_owners,
    update_known_patient,
)
from .progress import BundleReport, PatientReport
from .progress import Progress as _Progress
from .relapses import replace_relapses

logger = logging.getLogger(__name__)

# Marks what the importer wrote, so a re-import replaces it and never what a clinician entered
# (with ownership.IMPORT_REASON, the change reason on every row the importer writes).
IMPORT_NOTE = (
    "Imported from FHIR"  # shown on the assessment; what marks it the importer's is IMPORT_REASON
)
UNEXPECTED_ERROR = "Could not import this file: unexpected error (logged)."
RUN_STOPPED = (
    "The import stopped before its end (an unexpected error or a time limit; logged): the files "
    "above were imported as reported, the others were not."
)


@dataclass
class Source:
    name: str
    data: bytes


def import_run(
    *, sources: Iterable[Source], centre: Centre, source: str, by=None, jobs: int = 1
) -> ImportRun:
    """Import each bundle in its own transaction and store the run with its report.

    Reading a bundle (JSON and pydantic) is most of the time, so with ``jobs`` > 1 bundles are read
    in worker processes while this one writes them, in the order given. Workers never touch the
    database. The upload page reads in-process (jobs=1): a web worker should not fork.
    """
    started = time.perf_counter()
    today = timezone.localdate()
    therapies = Therapy.objects.in_bulk(field_name="key")
    diseases = Disease.objects.in_bulk(field_name="key")
    # Stored before the first bundle and saved as bundles are written, so a run that stops half-way (an
    # exception, a worker timeout) still says what it imported.
    run = ImportRun.objects.create(centre=centre, source=source, started_by=by, report=[])
    progress = _Progress(run, started)
    try:
        with _reader(jobs) as read:
            for item, prepared in _with_prepared(sources, read, today):
                progress.add(
                    _bundle_write(
                        item, prepared, centre=centre, by=by, therapies=therapies, diseases=diseases
                    )
                )
    except BaseException:
        try:
            progress.stopped(RUN_STOPPED)
        except Exception:
            logger.exception(
                "FHIR import run %s: could not save its report after the error", run.pk
            )
        raise
    progress.save()
    return run


def prepare(item: Source, today: date) -> tuple[BundleData | None, str, float]:
    """Read and translate one bundle, no database: (data, error, seconds). Runs in worker processes."""
    started = time.perf_counter()
    try:
        return extract(read_bundle(item.data), today=today), "", time.perf_counter() - started
    except BundleError as exc:
        return None, str(exc), time.perf_counter() - started
    except Exception:
        # A bug, or input nobody foresaw: this bundle fails, the others of the run still import.
        logger.exception("FHIR bundle %s could not be read", item.name)
        return None, UNEXPECTED_ERROR, time.perf_counter() - started


@contextmanager
def _reader(jobs: int):
    if jobs <= 1:
        yield lambda items, today: (prepare(item, today) for item in items)
        return
    if not transaction.get_connection().in_atomic_block:
        # Children never touch the database; closing first keeps them from even holding its socket.
        connections.close_all()
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context("fork")
    ) as pool:
        yield lambda items, today: pool.map(prepare, items, [today] * len(items))


def _with_prepared(sources: Iterable[Source], read, today: date):
    items = list(sources)
    return zip(items, read(items, today), strict=True)


def _bundle_write(source: Source, prepared, *, centre, by, therapies, diseases) -> BundleReport:
    data, error, read_seconds = prepared
    started = time.perf_counter()
    report: BundleReport = {
        "name": source.name,
        "status": "imported",
        "error": "",
        "patients": [],
        "mapped": {},
        "skipped": [],
        "other": {},
        "notes": [],
        "seconds": 0.0,
    }
    if data is None:
        report.update({"status": "failed", "error": error})
    else:
        try:
            with transaction.atomic():
                for patient_data in data.patients:
                    report["patients"].append(
                        _write_patient(
                            patient_data,
                            data,
                            centre=centre,
                            by=by,
                            therapies=therapies,
                            diseases=diseases,
                        )
                    )
        except DatabaseError as exc:
            logger.exception("FHIR bundle %s failed to write", source.name)
            report.update(
                {
                    "status": "failed",
                    "error": f"Database error, nothing of this bundle was saved: {exc}",
                    "patients": [],
                }
            )
        except Exception:
            # Raised inside the atomic block, so the bundle's transaction is rolled back.
            logger.exception("FHIR bundle %s failed to write", source.name)
            report.update({"status": "failed", "error": UNEXPECTED_ERROR, "patients": []})
        else:
            report.update(
                {
                    "mapped": dict(sorted(data.mapped.items())),
                    "skipped": data.skipped,
                    "other": dict(sorted(data.other.items())),
                    "notes": data.notes,
                }
            )
    report["seconds"] = round(read_seconds + time.perf_counter() - started, 4)
    return report


def _write_patient(
    data: ImportedPatient, bundle: BundleData, *, centre, by, therapies, diseases
) -> PatientReport:
    known = Patient.objects.filter(centre=centre, mrn=data.mrn).first()
    created = known is None
    if known is None:
        patient = Patient(centre=centre, mrn=data.mrn)
        for name in (*IDENTITY_FIELDS, "death_date", "deceased", "fhir_id"):
            setattr(patient, name, getattr(data, name))
        if data.disease in diseases:
            patient.disease, patient.diagnosis_date = diseases[data.disease], data.diagnosis_date
        apply_comorbidities(patient, data, bundle, created=True)
    else:
        patient = known
        update_known_patient(patient, data, bundle, diseases=diseases)
    patient._change_reason = IMPORT_REASON
    # One record version per bundle, however many of the patient's rows it replaced.
    record_version_next(patient)
    patient.save()
    record_version_saved(patient)

    _replace_assessments(patient, data, bundle, by=by, created=created)
    _replace_treatments(patient, data, bundle, by=by, therapies=therapies, created=created)
    replace_relapses(patient, data, bundle, by=by, created=created)
    record_changed.send(sender=Patient, patient_id=patient.pk)
    return {
        "public_id": str(patient.public_id),
        "name": patient.name,
        "mrn": patient.mrn,
        "created": created,
        "deceased": patient.is_deceased,
        "disease": data.disease or "",
        "assessments": len(data.values),
        "treatments": len(data.treatments),
    }


def _replace_assessments(
    patient: Patient, data: ImportedPatient, bundle: BundleData, *, by, created: bool
) -> None:
    """Make the imported assessments match the bundle: a date whose values are unchanged is left alone."""
    wanted = dict(data.values)
    if not created:
        stale = []
        # The importer's assessments: created under its change reason. The note is only for display, so
        # a clinician's assessment that happens to say "Imported from FHIR" is never touched.
        imported_ids = Assessment.history.filter(
            patient_id=patient.pk, history_type="+", history_change_reason=IMPORT_REASON
        ).values("id")
        previous = Assessment.objects.filter(patient=patient, pk__in=imported_ids).prefetch_related(
            "values"
        )
        for assessment in previous:
            if assessment.entered_in_error:
                # A clinician marked it entered in error: it stays so, and that date is not imported again.
                if wanted.pop(assessment.taken_on, None) is not None:
                    bundle.notes.append(
                        f"{data.label}: {assessment.taken_on} was marked entered in error; kept so."
                    )
                continue
            stored = {v.item: v.value for v in assessment.values.all()}
            if wanted.get(assessment.taken_on) == stored:
                del wanted[assessment.taken_on]  # already imported as it is
            else:
                stale.append(assessment.pk)
        if stale:
            Assessment.objects.filter(pk__in=stale).delete()
    assessments = bulk_create_with_history(
        [Assessment(patient=patient, taken_on=day, note=IMPORT_NOTE) for day in sorted(wanted)],
        Assessment,
        default_user=by,
        default_change_reason=IMPORT_REASON,
    )
    values = [
        AssessmentValue(assessment=assessment, item=item, value=value)
        for assessment in assessments
        for item, value in sorted(wanted[assessment.taken_on].items())
    ]
    bulk_create_with_history(
        values, AssessmentValue, default_user=by, default_change_reason=IMPORT_REASON
    )


_LINE_FIELDS = ("therapy_id", "start_date", "end_date", "outcome", "stop_reason")


def _replace_treatments(
    patient: Patient, data: ImportedPatient, bundle: BundleData, *, by, therapies, created
) -> None:
    """Make the imported treatment lines match the bundle; rows a clinician entered or edited stay."""
    rows = []
    for line in data.treatments:
        therapy = therapies.get(line.therapy)
        if therapy is None:
            bundle.notes.append(
                f"{data.label}: therapy {line.therapy} is not in the reference table; not imported."
            )
            continue
        rows.append(
            PriorTreatment(
                patient=patient,
                therapy=therapy,
                start_date=line.start,
                end_date=line.end,
                outcome=line.outcome,
                stop_reason=line.stop_reason,
            )
        )
    if not created:
        existing = {
            row[0]: row[1:]
            for row in PriorTreatment.objects.filter(patient=patient).values_list(
                "pk", *_LINE_FIELDS
            )
        }
        imported, by_hand = treatment_owners(patient, existing)
        unchanged = set()
        new_rows = []
        for row in rows:
            fields = tuple(getattr(row, name) for name in _LINE_FIELDS)
            match = next(
                (pk for pk, f in imported.items() if f == fields and pk not in unchanged), None
            )
            if match is not None:
                unchanged.add(match)
            elif (
                row.therapy_id,
                row.start_date,
            ) not in by_hand:  # a clinician's row for the same line wins
                new_rows.append(row)
        for stale in PriorTreatment.objects.filter(pk__in=set(imported) - unchanged):
            stale._change_reason = (
                IMPORT_REASON  # so its deletion is known as the importer's, not a clinician's
            )
            stale.delete()
        rows = new_rows
    bulk_create_with_history(
        rows, PriorTreatment, default_user=by, default_change_reason=IMPORT_REASON
    )


def totals_line(run: ImportRun) -> str:
    rate = run.bundles / run.seconds if run.seconds else 0.0
    return f"{run.bundles} bundles in {run.seconds:.2f} s: {rate:.1f} bundles per second"
