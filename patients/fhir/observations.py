"""Read Observation resources: assessment values in the record's units, dated, one per item per date;
and the two kinds that are not values: MS relapse onsets and the EHR's HCT-CI answers."""

from __future__ import annotations

from datetime import date

from .. import items as catalogue
from . import mapping as m
from .bundle import Entry
from .datatypes import codes_of, first_code, instant, outside_life, to_date
from .imported import BundleData, ImportedPatient

SKIPPED_OBSERVATION_STATUSES = {"entered-in-error", "cancelled"}


def _observation_value(resource, rule: m.ObservationRule) -> tuple[float | None, str]:
    """(value in the record's unit, None) or (None, reason)."""
    if rule.kind == "boolean":
        if resource.valueBoolean is None:
            return None, f"{rule.label}: valueBoolean expected"
        return (1.0 if resource.valueBoolean else 0.0), ""
    if rule.kind == "coded":
        return _coded_answer(resource, rule)
    if rule.kind == "pregnancy":
        if resource.valueBoolean is not None:
            return (1.0 if resource.valueBoolean else 0.0), ""
        for code in codes_of(resource.valueCodeableConcept):
            if code in m.PREGNANT:
                return m.PREGNANT[code], ""
        return (
            None,
            f"{rule.label}: answer not understood ({first_code(resource.valueCodeableConcept)})",
        )
    if resource.valueQuantity is not None and resource.valueQuantity.comparator:
        # "<5 mg/L" or ">60 mL/min" says where the value lies, not what it is.
        return (
            None,
            f"{rule.label}: value is a bound (comparator {resource.valueQuantity.comparator}), not a measurement",
        )
    if resource.valueQuantity is not None and resource.valueQuantity.value is not None:
        quantity = resource.valueQuantity
        value, unit = float(quantity.value), (quantity.code or quantity.unit or "").strip()
    elif resource.valueInteger is not None:
        value, unit = float(resource.valueInteger), ""
    else:
        return None, f"{rule.label}: no numeric value"
    factor = rule.units.get(unit) if rule.units else None
    if factor is None:
        return None, f"{rule.label}: unknown unit {unit!r}" if unit else f"{rule.label}: no unit"
    return round(value * factor, 4), ""


def _coded_answer(resource, rule: m.ObservationRule) -> tuple[float | None, str]:
    """A word of the item's answers (malignancy: none, past, active), as a Candidacy code or text."""
    answers = m.ANSWERS[rule.item or ""]
    for system, code in codes_of(resource.valueCodeableConcept):
        if system == m.CANDIDACY and code in answers:
            return answers[code], ""
    text = m.clean_text(resource.valueString).lower()
    if text in answers:
        return answers[text], ""
    given = text or first_code(resource.valueCodeableConcept)
    return None, f"{rule.label}: answer not understood ({given}; expected {', '.join(answers)})"


def read_observation(entry: Entry, data: BundleData, birth: date, today: date):
    """(date, item, instant, value, is_egfr) or None when skipped."""
    resource = entry.resource
    if resource.status in SKIPPED_OBSERVATION_STATUSES:
        data.skip(entry, f"status {resource.status}")
        return None
    rule = next((r for code in codes_of(resource.code) if (r := m.OBSERVATIONS.get(code))), None)
    if rule is None:
        what = "panel with components" if resource.component else "code"
        data.skip(entry, f"{what} not mapped: {first_code(resource.code)}")
        return None
    if rule.item is None:
        data.skip(entry, f"{rule.label}: the record has no item for it")
        return None
    when = resource.effectiveDateTime or resource.issued
    if when is None and resource.effectivePeriod is not None:
        when = resource.effectivePeriod.start
    day = to_date(when)
    if day is None:
        data.skip(entry, f"{rule.label}: no effectiveDateTime or issued date")
        return None
    if wrong := outside_life(day, birth, today):
        data.skip(entry, f"{rule.label}: {wrong}")
        return None
    value, reason = _observation_value(resource, rule)
    if value is None:
        data.skip(entry, reason)
        return None
    message = catalogue.ITEMS[rule.item].validate(value)
    if message:
        data.skip(entry, f"{rule.label} {value:g}: {message}")
        return None
    return day, rule.item, (instant(when), entry.index), value, rule.egfr


def collect_values(readings: list, patient: ImportedPatient, data: BundleData) -> None:
    """Keep the latest value per item per date; eGFR stands in for clearance only on dates without one."""
    latest: dict[tuple[date, str, bool], tuple] = {}
    for day, item, stamp, value, egfr in readings:
        key = (day, item, egfr)
        if key not in latest or stamp >= latest[key][0]:
            latest[key] = (stamp, value)
    egfr_days = 0
    for (day, item, egfr), (_stamp, value) in sorted(latest.items(), key=lambda kv: kv[0][2]):
        values = patient.values.setdefault(day, {})
        if egfr:
            if item in values:
                continue  # a measured clearance that day wins
            egfr_days += 1
        values[item] = value
    if egfr_days:
        data.notes.append(
            f"{patient.label}: eGFR recorded as creatinine clearance on {egfr_days} date(s) with no measured clearance."
        )


def _when(resource, *, issued: bool):
    when = resource.effectiveDateTime or (resource.issued if issued else None)
    if when is None and resource.effectivePeriod is not None:
        when = resource.effectivePeriod.start
    return when


def read_relapse(entry: Entry, data: BundleData, patient: ImportedPatient, today: date):
    """The onset of an MS relapse (#ms-relapse, effectiveDateTime), or None when skipped."""
    resource = entry.resource
    if resource.status in SKIPPED_OBSERVATION_STATUSES:
        data.skip(entry, f"status {resource.status}")
        return None
    if resource.valueBoolean is False:
        data.skip(entry, "MS relapse: valueBoolean false, not a relapse")
        return None
    day = to_date(_when(resource, issued=False))
    if day is None:
        data.skip(entry, "MS relapse: no effectiveDateTime (its onset)")
        return None
    if wrong := outside_life(day, patient.birth_date, today):
        data.skip(entry, f"MS relapse: {wrong}")
        return None
    if patient.diagnosis_date and day < patient.diagnosis_date:
        data.skip(
            entry,
            f"MS relapse: onset {day} before the date of onset or diagnosis ({patient.diagnosis_date})",
        )
        return None
    return day


def read_comorbidity_answer(entry: Entry, data: BundleData, item: str, birth: date, today: date):
    """(item, instant, answer) of an hct-ci-<item> Observation, or None when skipped."""
    resource = entry.resource
    label = f"HCT-CI {item.replace('_', ' ')}"
    if resource.status in SKIPPED_OBSERVATION_STATUSES:
        data.skip(entry, f"status {resource.status}")
        return None
    if resource.valueBoolean is None:
        data.skip(entry, f"{label}: valueBoolean expected")
        return None
    when = _when(resource, issued=True)
    day = to_date(when)
    if day is not None and (wrong := outside_life(day, birth, today)):
        data.skip(entry, f"{label}: {wrong}")
        return None
    return item, (instant(when), entry.index), bool(resource.valueBoolean)


def collect_answers(answers: list, patient: ImportedPatient) -> None:
    """The latest answer per item wins (latest date, then later in the bundle); undated count as oldest."""
    for item, _stamp, answer in sorted(answers, key=lambda a: a[1]):
        patient.comorbidity_answers[item] = answer
