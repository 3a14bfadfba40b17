"""Storing screenings: run the engine, keep one current result per patient, raise flags.

Every path that screens (a record change, a published rule set, the nightly run, the
reconciler, ``screen_all``) ends here, so the rules for what counts as a new result live
in one place:
- a patient gets a new Screening row only when the result changed (band, score or any
  criterion's outcome) or the rule set did; an unchanged result just moves its as-of
  date forward, so a nightly run does not add a million identical rows;
- the patient rows are locked while their screenings are replaced, and a partial unique
  index allows one current screening per patient, so a retried or duplicated task can
  never leave two;
- deceased patients are not screened, and lose any current screening.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from patients.models import Patient
from rules import loader
from rules.compiler import CompiledRuleSet
from rules.engine import evaluate
from rules.models import RuleSet
from rules.record import PatientRecord
from rules.result import Result
from rules.stored import facts_json, line_outcomes, to_slim

from ..reviews.flags import flags_decide, flags_open
from ..reviews.models import Review
from .models import BAND_RANK, Screening, rank_key
from .writes import inputs_store, screenings_insert

BATCH_SIZE = 500
NO_ACTIVE_RULESET = "No rule set is published yet: a criteria admin publishes one in Admin."
NOT_SCREENED_YET = "Not screened yet: a screening is queued whenever the record changes."
REFRESHED_FIELDS = [
    "as_of",
    "result",
    "inputs_digest",
    "inputs_id",
    "record_version",
    "completeness",
    "centre_id",
    "disease_key",
    "sort_name",
    "birth_date",
]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def inputs_digest(record: PatientRecord, ruleset: RuleSet) -> str:
    """A fingerprint of what the result was computed from: the record and the rule set.

    Built from plain tuples rather than dataclasses.asdict, which deep-copies and was a
    third of a bulk re-screen's time.
    """
    payload = (
        ruleset.pk,
        ruleset.version,
        _iso(record.birth_date),
        record.sex,
        record.deceased,
        record.disease,
        record.disease_subtype,
        _iso(record.diagnosis_date),
        sorted((item, m.value, _iso(m.on)) for item, m in record.measurements.items()),
        sorted((item, value) for item, value in record.comorbidities.items()),
        [
            (t.therapy, t.therapy_class, _iso(t.start), _iso(t.end), t.outcome, t.stop_reason)
            for t in record.treatments
        ],
    )
    # Relapse dates only when there are any, so the records that have none keep their digests
    # (a declined review compares them to decide whether the data is new).
    relapses = repr([_iso(day) for day in record.relapses]) if record.relapses else ""
    return hashlib.sha256((repr(payload) + relapses).encode()).hexdigest()


def _same_result(current: Screening, result: Result, stored: dict) -> bool:
    return (
        current.band == result.band
        and current.score == result.score
        and line_outcomes(current.result) == line_outcomes(stored)
    )


def _new_screening(patient: Patient, ruleset: RuleSet, result: Result, stored: dict) -> Screening:
    # Ids, not instances: assigning a related instance costs a descriptor call per field, and
    # this runs once per patient in a re-screen.
    return Screening(
        patient_id=patient.pk,
        ruleset_id=ruleset.pk,
        ruleset_version=ruleset.version,
        as_of=result.as_of,
        band=result.band,
        band_rank=BAND_RANK[result.band],
        score=result.score,
        score_upper=result.score_upper,
        sort_score=-1 if result.score is None else result.score,
        rank_key=rank_key(result.band, result.score),
        completeness=result.completeness,
        result=stored,
        is_current=True,
        centre_id=patient.centre_id,
        disease_key=patient.disease.key if patient.disease else "",
        sort_name=f"{patient.family_name}, {patient.given_name}".lower()[:210],
        birth_date=patient.birth_date,
        record_version=patient.record_version,
    )


@dataclass
class _BatchChanges:
    """What screening one locked batch changes; ``_apply`` writes it in a few queries."""

    created: list[Screening] = field(default_factory=list)
    refreshed: list[Screening] = field(default_factory=list)
    retire_ids: list[int] = field(default_factory=list)
    moved: dict[int, int] = field(default_factory=dict)  # patient id -> new centre id
    inputs: dict[str, str] = field(default_factory=dict)  # digest -> canonical JSON of facts


class StageTimer(dict):
    """Seconds per stage of a batch (load, evaluate, serialise, write), summed across calls."""

    def __init__(self):
        super().__init__(load=0.0, evaluate=0.0, serialise=0.0, write=0.0)
        self._mark = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self[stage] += now - self._mark
        self._mark = now


def _serialise(
    patient: Patient, ruleset: RuleSet, result: Result, record: PatientRecord, criteria: dict
) -> tuple[Screening, str, str]:
    """The new row for a result (slim when its rule set is published), and its inputs."""
    text, facts_digest = facts_json(result.facts)
    # A draft's criteria can still change, so a screening made with one keeps them itself.
    stored = result.to_dict() if ruleset.is_editable else to_slim(result, criteria)
    screening = _new_screening(patient, ruleset, result, stored)
    screening.inputs_digest = inputs_digest(record, ruleset)
    screening.inputs_id = facts_digest
    return screening, facts_digest, text


def _compare(
    patients: list[Patient],
    current: dict[int, Screening],
    ruleset: RuleSet,
    compiled: CompiledRuleSet,
    as_of: date,
    timer: StageTimer,
) -> _BatchChanges:
    """Run the engine on each living patient and sort the results into new, refreshed, retired."""
    changes = _BatchChanges()
    living = [p for p in patients if not p.is_deceased]
    changes.retire_ids = [current[p.pk].pk for p in patients if p.is_deceased and p.pk in current]
    records = loader.records_for(living, as_of=as_of)
    criteria = {c.key: c for c in compiled.spec.criteria}
    timer.lap("load")
    for patient in living:
        record = records[patient.pk]
        result = evaluate(record, compiled, as_of)
        timer.lap("evaluate")
        fresh, facts_digest, text = _serialise(patient, ruleset, result, record, criteria)
        timer.lap("serialise")
        previous = current.get(patient.pk)
        if previous is not None and previous.centre_id != patient.centre_id:
            changes.moved[patient.pk] = patient.centre_id
        if (
            previous is not None
            and previous.ruleset_id == ruleset.pk
            and _same_result(previous, result, fresh.result)
        ):
            # Same result: keep the row, but bring its date and the worklist's copies of
            # the record (centre, name, disease, birth date) up to date.
            if any(
                getattr(previous, f) != getattr(fresh, f) for f in REFRESHED_FIELDS if f != "result"
            ):
                for name in REFRESHED_FIELDS:
                    setattr(previous, name, getattr(fresh, name))
                changes.refreshed.append(previous)
                changes.inputs[facts_digest] = text
            continue
        if previous is not None:
            changes.retire_ids.append(previous.pk)
        changes.created.append(fresh)
        changes.inputs[facts_digest] = text
    return changes


def _apply(changes: _BatchChanges, current: dict[int, Screening]) -> None:
    """Retire, move, refresh and create in that order, then raise the flags the new rows call for."""
    inputs_store(changes.inputs)
    if changes.retire_ids:
        Screening.objects.filter(pk__in=changes.retire_ids).update(is_current=False)
    for patient_id, centre_id in changes.moved.items():
        # A patient moved to another centre takes their reviews along: the old centre's
        # coordinators must no longer see or decide them.
        Review.objects.filter(patient_id=patient_id).update(centre_id=centre_id)
    if changes.refreshed:
        Screening.objects.bulk_update(changes.refreshed, REFRESHED_FIELDS)
    # Decided before the insert, so the new rows are stored with their review state.
    flags = flags_decide([(s, current.get(s.patient_id)) for s in changes.created])
    screenings_insert(changes.created)
    flags_open(flags)


def _current_screenings(patients: list[Patient], ruleset: RuleSet) -> dict[int, Screening]:
    """The patients' current screenings; the stored result only of those made by ``ruleset``.

    Only those are compared line by line; the others get a new row anyway, and reading
    their results (JSON parsed in Python) was a fifth of a re-screen after a publish.
    """
    current = Screening.objects.current().filter(patient__in=patients)
    rows = [
        *current.filter(ruleset=ruleset),
        *current.exclude(ruleset=ruleset).defer("result"),
    ]
    return {s.patient_id: s for s in rows}


def screenings_record_many(
    *,
    patient_ids: Iterable[int],
    ruleset: RuleSet | None = None,
    as_of: date | None = None,
    timer: StageTimer | None = None,
) -> int:
    """Screen these patients against the rule set (the active one by default).

    Returns how many new Screening rows were written. One transaction per call; a few
    queries whatever the number of patients (callers pass chunks of BATCH_SIZE).
    ``timer``, if given, gets the seconds spent per stage added to it.
    """
    timer = timer if timer is not None else StageTimer()
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        timer.lap("write")  # whatever came before this call is not ours
        patients = list(
            Patient.objects.select_for_update(of=("self",))
            .filter(pk__in=list(patient_ids))
            .select_related("disease")
            .order_by("pk")  # one lock order for every caller: no deadlocks between batches
        )
        # The active version is read under the patients' locks, not before: read earlier, a
        # version published meanwhile, whose re-screen already screened these patients,
        # would be overwritten by the retired one. Now a publication either committed
        # before the locks (and is read here) or its re-screen waits for them.
        ruleset = ruleset or RuleSet.objects.active()
        if ruleset is None:
            return 0
        compiled = loader.compiled(ruleset)
        current = _current_screenings(patients, ruleset)
        changes = _compare(patients, current, ruleset, compiled, as_of, timer)
        _apply(changes, current)
    timer.lap("write")
    return len(changes.created)


def screening_record(
    *, patient: Patient, ruleset: RuleSet | None = None, as_of: date | None = None
) -> Screening | None:
    """Screen one patient; returns their current screening afterwards (None if there is none)."""
    screenings_record_many(patient_ids=[patient.pk], ruleset=ruleset, as_of=as_of)
    return Screening.objects.current().filter(patient=patient).first()


def patients_needing_screening(ruleset: RuleSet):
    """Living patients whose current screening is missing, made by another rule set, or
    computed from an older version of their record (``record_version``).

    A screening stored before record versions existed (None) counts as current: the nightly
    run gives it one. The anti-join reads the ``current_by_patient_version`` index only.
    """
    # NOT EXISTS, not NOT IN: PostgreSQL plans NOT IN over a million-row subquery as a
    # rescan per patient once it no longer fits in memory; NOT EXISTS is an anti-join.
    screened = (
        Screening.objects.current()
        .filter(ruleset=ruleset, patient=OuterRef("pk"))
        .filter(Q(record_version__gte=OuterRef("record_version")) | Q(record_version=None))
    )
    return Patient.objects.living().exclude(Exists(screened))


def screenable_patient_ids():
    return Patient.objects.living().order_by("pk").values_list("pk", flat=True)


def chunks(ids: Iterable[int], size: int = BATCH_SIZE):
    chunk: list[int] = []
    for pk in ids:
        chunk.append(pk)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
