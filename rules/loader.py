"""The one place ``rules`` reads the database: ORM rows in, engine dataclasses out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

from django.db import connection

from patients.models import AssessmentValue, Patient, PriorTreatment, Relapse

from .compiler import CompiledRuleSet, compile_ruleset
from .models import RuleSet
from .record import Measurement, PatientRecord, TreatmentLine
from .specs import CriterionSpec

_compiled_cache: dict[tuple[int, str], CompiledRuleSet] = {}
_criteria_cache: dict[int, dict[str, CriterionSpec]] = {}


def compiled(ruleset: RuleSet) -> CompiledRuleSet:
    """The compiled form of a published rule set, compiled once per process.

    Published rule sets never change, so their id and publication time identify them.
    Drafts are compiled afresh every time.
    """
    if ruleset.is_editable:
        return compile_ruleset(ruleset.to_spec())
    key = (ruleset.pk, ruleset.published_at.isoformat() if ruleset.published_at else "")
    if key not in _compiled_cache:
        _compiled_cache[key] = compile_ruleset(ruleset.to_spec())
    return _compiled_cache[key]


def criteria_by_key(ruleset_id: int, load: Callable[[], RuleSet]) -> Mapping[str, CriterionSpec]:
    """A rule set version's criteria by key, read once per process once it is published.

    A slim stored screening names its criteria by key only, and a published version never
    changes, so a process reads each one once. ``load`` fetches the row on a miss; a draft
    is read afresh each time.
    """
    cached = _criteria_cache.get(ruleset_id)
    if cached is not None:
        return cached
    ruleset = load()
    criteria = {c.key: c for c in ruleset.to_spec().criteria}
    if not ruleset.is_editable:
        _criteria_cache[ruleset_id] = criteria
    return criteria


def records_for(
    patients: Iterable[Patient], *, as_of: date | None = None
) -> dict[int, PatientRecord]:
    """Engine records for many patients with four queries, whatever their number.

    Values and relapses dated after ``as_of`` are left out, so a screening "as of" a past
    date sees only what was known then.
    """
    patients = list(patients)
    ids = [p.pk for p in patients]
    latest: dict[int, dict[str, Measurement]] = {pk: {} for pk in ids}
    for patient_id, item, value, taken_on in _latest_values(ids, as_of):
        latest[patient_id].setdefault(item, Measurement(value=value, on=taken_on))

    lines: dict[int, list[TreatmentLine]] = {pk: [] for pk in ids}
    treatments = (
        PriorTreatment.objects.filter(patient_id__in=ids)
        .order_by("start_date", "id")
        .values_list(
            "patient_id",
            "therapy__key",
            "therapy__therapy_class",
            "start_date",
            "end_date",
            "outcome",
            "stop_reason",
        )
    )
    for patient_id, therapy, therapy_class, start, end, outcome, reason in treatments.iterator(
        chunk_size=5000
    ):
        lines[patient_id].append(TreatmentLine(therapy, therapy_class, start, end, outcome, reason))
    relapses = _relapse_onsets(ids, as_of)

    return {
        p.pk: PatientRecord(
            birth_date=p.birth_date,
            sex=p.sex,
            deceased=p.is_deceased,
            disease=p.disease.group if p.disease else None,
            disease_subtype=(p.disease.subtype or None) if p.disease else None,
            diagnosis_date=p.diagnosis_date,
            measurements=latest[p.pk],
            comorbidities=p.comorbidities(),
            treatments=tuple(lines[p.pk]),
            relapses=tuple(relapses[p.pk]),
        )
        for p in patients
    }


# Only each item's latest value, newest first per patient, as the ORM query below gives them
# but without the older values: a third fewer rows, and no server-side cursor's round trips.
_LATEST_VALUES_SQL = """
SELECT patient_id, item, value, taken_on FROM (
    SELECT DISTINCT ON (a.patient_id, v.item)
           a.patient_id, v.item, v.value, a.taken_on, a.created_at, v.id
    FROM patients_assessmentvalue v
    JOIN patients_assessment a ON a.id = v.assessment_id
    WHERE a.patient_id = ANY(%s) AND NOT a.entered_in_error AND a.taken_on <= %s
    ORDER BY a.patient_id, v.item, a.taken_on DESC, a.created_at DESC, v.id DESC
) latest
ORDER BY patient_id, taken_on DESC, created_at DESC, id DESC
"""


def _latest_values(ids: list[int], as_of: date | None) -> Iterable[tuple[int, str, float, date]]:
    """(patient id, item, value, date) rows, newest first per patient; the first per item counts."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_LATEST_VALUES_SQL, [ids, as_of or date.max])
            return cursor.fetchall()
    values = (
        AssessmentValue.objects.filter(
            assessment__patient_id__in=ids, assessment__entered_in_error=False
        )
        .order_by(
            "assessment__patient_id", "-assessment__taken_on", "-assessment__created_at", "-id"
        )
        .values_list("assessment__patient_id", "item", "value", "assessment__taken_on")
    )
    if as_of is not None:
        values = values.filter(assessment__taken_on__lte=as_of)
    return values.iterator(chunk_size=5000)


def _relapse_onsets(ids: list[int], as_of: date | None) -> dict[int, list[date]]:
    """Each patient's relapse onsets, oldest first (one query)."""
    relapses: dict[int, list[date]] = {pk: [] for pk in ids}
    onsets = Relapse.objects.filter(patient_id__in=ids).order_by("patient_id", "onset")
    if as_of is not None:
        onsets = onsets.filter(onset__lte=as_of)
    for patient_id, onset in onsets.values_list("patient_id", "onset").iterator(chunk_size=5000):
        relapses[patient_id].append(onset)
    return relapses


def record_for(patient: Patient, *, as_of: date | None = None) -> PatientRecord:
    return records_for([patient], as_of=as_of)[patient.pk]
