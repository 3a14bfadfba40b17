"""Translate a parsed bundle into plain patient data, resource by resource. No database here.

A resource whose values cannot be used (unknown code, unit, value out of range, no date) is
skipped with its reason; everything else of the bundle still imports. Rules: docs/fhir-mapping.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from .. import items as catalogue
from ..models import OLDEST_PLAUSIBLE_AGE_YEARS
from . import mapping as m
from .bundle import BundleError, Entry, ParsedBundle

SKIPPED_MEDICATION_STATUSES = {"entered-in-error", "cancelled", "draft", "not-taken", "intended"}
ENDED_MEDICATION_STATUSES = {"stopped", "completed"}
SKIPPED_OBSERVATION_STATUSES = {"entered-in-error", "cancelled"}
INACTIVE_CLINICAL = {"inactive", "resolved"}
NOT_CONFIRMED = {"refuted", "entered-in-error"}
MAX_MRN = 40
# This importer takes one patient's record per bundle (a Synthea or EHR patient export); codes.md.
MAX_PATIENTS_PER_BUNDLE = 1


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
    comorbidities: set[str] = field(default_factory=set)
    values: dict[date, dict[str, float]] = field(default_factory=dict)
    treatments: list[Order] = field(default_factory=list)


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


# --- small readers ------------------------------------------------------------------------------------


def to_date(value) -> date | None:
    """FHIR date/dateTime as parsed by fhir.resources: datetime, date, or a partial 'YYYY'/'YYYY-MM' string."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parts = str(value).split("-")
    try:
        return date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, 1)
    except (ValueError, IndexError):
        return None


def _instant(value) -> float:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    day = to_date(value)
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() if day else 0.0


def _codings(concept) -> list:
    return list(concept.coding or []) if concept is not None else []


def _codes(concept) -> list[tuple[str, str]]:
    return [(c.system or "", c.code or "") for c in _codings(concept)]


def _first_code(concept) -> str:
    codes = _codes(concept)
    return f"{codes[0][0]}|{codes[0][1]}" if codes else "(no coding)"


def _status(concept) -> set[str]:
    return {code for _s, code in _codes(concept)}


def _concept_text(concept) -> str:
    if concept is None:
        return ""
    return m.clean_text(concept.text) or next(
        (m.clean_text(c.display) for c in _codings(concept) if c.display), ""
    )


# --- Patient -------------------------------------------------------------------------------------------------


def _mrn(resource) -> str | None:
    identifiers = [i for i in (resource.identifier or []) if i.value]
    for identifier in identifiers:
        if (m.V2_0203, "MR") in _codes(identifier.type):
            return identifier.value.strip()
    return identifiers[0].value.strip() if identifiers else None


def _years_between(start: date, end: date) -> int:
    """Whole years, as Patient.age_on counts them."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def outside_life(day: date, birth: date, today: date) -> str:
    """Why a resource's date cannot be right ("" when it can): before the birth date, or in the future."""
    if day < birth:
        return f"dated {day}, before the date of birth ({birth})"
    if day > today:
        return f"dated in the future ({day})"
    return ""


def read_patient(entry: Entry, today: date) -> ImportedPatient:
    resource = entry.resource
    mrn = _mrn(resource)
    if not mrn:
        raise BundleError(f"{entry.label}: identifier: no identifier to use as the MRN.")
    if len(mrn) > MAX_MRN:
        raise BundleError(
            f"{entry.label}: identifier: the MRN is longer than {MAX_MRN} characters."
        )
    names = resource.name or []
    name = next((n for n in names if n.use == "official"), names[0] if names else None)
    family = m.clean_text(name.family) if name else ""
    given = " ".join(m.clean_text(g) for g in (name.given or [])) if name else ""
    birth_date = to_date(resource.birthDate)
    if birth_date is None:
        raise BundleError(f"{entry.label}: birthDate: a date of birth is needed.")
    if birth_date > today:
        raise BundleError(f"{entry.label}: birthDate: the date of birth is in the future.")
    if _years_between(birth_date, today) > OLDEST_PLAUSIBLE_AGE_YEARS:
        raise BundleError(
            f"{entry.label}: birthDate: {birth_date} is more than {OLDEST_PLAUSIBLE_AGE_YEARS} years ago; "
            "not a plausible date of birth."
        )
    death_date = to_date(resource.deceasedDateTime)
    sex = (
        resource.gender if resource.gender in {"female", "male", "other", "unknown"} else "unknown"
    )
    return ImportedPatient(
        fhir_id=(resource.id or "")[:64],
        mrn=mrn,
        given_name=given[:100],
        family_name=(family or "(no family name)")[:100],
        birth_date=birth_date,
        sex=sex,
        death_date=death_date if death_date and birth_date <= death_date <= today else None,
        deceased=bool(death_date or resource.deceasedBoolean),
        label=f"{given} {family}".strip(),
    )


# --- Conditions --------------------------------------------------------------------------------------------


@dataclass
class _Found:
    disease: str | None
    items: list[str]
    day: date | None
    entry: Entry


def read_condition(entry: Entry, data: BundleData, birth: date, today: date) -> _Found | None:
    resource = entry.resource
    diseases = [k for s, c in _codes(resource.code) if (k := m.disease_for(s, c))]
    items = sorted({i for s, c in _codes(resource.code) for i in m.comorbidities_for(s, c)})
    if not diseases and not items:
        data.skip(entry, f"code not mapped: {_first_code(resource.code)}")
        return None
    inactive = _status(resource.clinicalStatus) & INACTIVE_CLINICAL
    if inactive:
        data.skip(entry, f"clinicalStatus {inactive.pop()}: not a current diagnosis")
        return None
    unconfirmed = _status(resource.verificationStatus) & NOT_CONFIRMED
    if unconfirmed:
        data.skip(entry, f"verificationStatus {unconfirmed.pop()}")
        return None
    day = to_date(resource.onsetDateTime) or to_date(resource.recordedDate)
    if day is None and resource.onsetPeriod is not None:
        day = to_date(resource.onsetPeriod.start)
    if day is not None and (wrong := outside_life(day, birth, today)):
        data.skip(entry, f"{wrong}: not imported")
        return None
    return _Found(diseases[0] if diseases else None, items, day, entry)


def choose_disease(found: list[_Found], patient: ImportedPatient, data: BundleData) -> None:
    candidates = [f for f in found if f.disease]
    if candidates:
        ranked = sorted(
            candidates,
            key=lambda f: (f.disease not in m.DISEASE_SUBTYPED, m.DISEASE_ORDER.index(f.disease)),
        )
        chosen = ranked[0].disease
        group = m.DISEASE_GROUP[chosen]
        patient.disease = chosen
        # Onset of the disease: the earliest date among its conditions (an "MS" before the "RRMS").
        days = [f.day for f in candidates if m.DISEASE_GROUP[f.disease] == group and f.day]
        patient.diagnosis_date = min(days) if days else None
        others = sorted({f.disease for f in candidates} - {chosen})
        if others:
            data.notes.append(
                f"{patient.label}: diagnosis {chosen} chosen over {', '.join(others)} (most specific first)."
            )
    chosen_group = m.DISEASE_GROUP.get(patient.disease or "")
    for f in found:
        # The disease itself scores its HCT-CI item in the rules engine; recording it again
        # as a comorbidity would count it twice.
        if f.disease and m.DISEASE_GROUP[f.disease] == chosen_group:
            continue
        patient.comorbidities.update(f.items)


# --- Observations ------------------------------------------------------------------------------------------


def _observation_value(resource, rule: m.ObservationRule) -> tuple[float | None, str]:
    """(value in the record's unit, None) or (None, reason)."""
    if rule.kind == "boolean":
        if resource.valueBoolean is None:
            return None, f"{rule.label}: valueBoolean expected"
        return (1.0 if resource.valueBoolean else 0.0), ""
    if rule.kind == "pregnancy":
        if resource.valueBoolean is not None:
            return (1.0 if resource.valueBoolean else 0.0), ""
        for code in _codes(resource.valueCodeableConcept):
            if code in m.PREGNANT:
                return m.PREGNANT[code], ""
        return (
            None,
            f"{rule.label}: answer not understood ({_first_code(resource.valueCodeableConcept)})",
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


def read_observation(entry: Entry, data: BundleData, birth: date, today: date):
    """(date, item, instant, value, is_egfr) or None when skipped."""
    resource = entry.resource
    if resource.status in SKIPPED_OBSERVATION_STATUSES:
        data.skip(entry, f"status {resource.status}")
        return None
    rule = next((r for code in _codes(resource.code) if (r := m.OBSERVATIONS.get(code))), None)
    if rule is None:
        what = "panel with components" if resource.component else "code"
        data.skip(entry, f"{what} not mapped: {_first_code(resource.code)}")
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
    return day, rule.item, (_instant(when), entry.index), value, rule.egfr


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


# --- Medications and procedures ------------------------------------------------------------------------------


def _therapy_for(concept) -> tuple[str | None, bool]:
    """(therapy key, matched by name)."""
    for system, code in _codes(concept):
        if system == m.RXNORM and code in m.THERAPY_RXNORM:
            return m.THERAPY_RXNORM[code], False
    texts = [m.clean_text(c.display) for c in _codings(concept)] + [m.clean_text(concept.text)]
    for pattern, key in m.THERAPY_PATTERNS:
        if any(pattern.search(text) for text in texts if text):
            return key, True
    return None, False


def _outcome(reasons: list) -> tuple[str | None, str]:
    text = ""
    for concept in reasons:
        for code in _codes(concept):
            if code in m.OUTCOME_CODES:
                return m.OUTCOME_CODES[code], _concept_text(concept)
        text = text or _concept_text(concept)
    return (m.outcome_for_text(text) if text else None), text


def read_medication(entry: Entry, data: BundleData, birth: date, today: date) -> Order | None:
    resource = entry.resource
    kind = resource.get_resource_type()
    if resource.status in SKIPPED_MEDICATION_STATUSES:
        data.skip(entry, f"status {resource.status}")
        return None
    concept = resource.medicationCodeableConcept
    if concept is None:
        data.skip(entry, "medicationReference is not read: medicationCodeableConcept expected")
        return None
    therapy, by_name = _therapy_for(concept)
    if therapy is None:
        data.skip(
            entry, f"medication not mapped: {_first_code(concept)} {_concept_text(concept)}".strip()
        )
        return None
    if kind == "MedicationRequest":
        start = to_date(resource.authoredOn)
        reasons = [resource.statusReason] if resource.statusReason else []
        validity = resource.dispenseRequest.validityPeriod if resource.dispenseRequest else None
        stated_end = to_date(validity.end) if validity else None
    else:
        period = resource.effectivePeriod
        start = (
            to_date(period.start if period else None)
            or to_date(resource.effectiveDateTime)
            or to_date(resource.dateAsserted)
        )
        reasons = list(resource.statusReason or [])
        stated_end = to_date(period.end) if period else None
    if start is not None and (wrong := outside_life(start, birth, today)):
        data.skip(entry, f"{therapy}: {wrong}")
        return None
    ended = resource.status in ENDED_MEDICATION_STATUSES
    outcome, reason_text = _outcome(reasons)
    if by_name:
        data.notes.append(
            f"{entry.label}: {therapy} matched by ingredient name in {_concept_text(concept)!r}."
        )
    return Order(
        therapy=therapy,
        start=start,
        # Nothing better than the order date says when a stopped order ended (docs/fhir-mapping.md).
        end=(stated_end or start) if ended else None,
        ongoing=resource.status == "active",
        outcome="ongoing" if resource.status == "active" else (outcome or "unknown"),
        stop_reason=reason_text[:300] if ended else "",
    )


def read_procedure(entry: Entry, data: BundleData, birth: date, today: date) -> Order | None:
    resource = entry.resource
    therapy = next((t for code in _codes(resource.code) if (t := m.PROCEDURES.get(code))), None)
    if therapy is None:
        data.skip(entry, f"procedure not mapped: {_first_code(resource.code)}")
        return None
    if resource.status not in {"completed", "in-progress", "stopped"}:
        data.skip(entry, f"status {resource.status}")
        return None
    period = resource.performedPeriod
    start = to_date(period.start if period else None) or to_date(resource.performedDateTime)
    if start is not None and (wrong := outside_life(start, birth, today)):
        data.skip(entry, f"{therapy}: {wrong}")
        return None
    end = to_date(period.end if period else None) or start
    ongoing = resource.status == "in-progress"
    return Order(
        therapy, start, None if ongoing else end, ongoing, "ongoing" if ongoing else "unknown"
    )


def merge_orders(orders: list[Order], today: date) -> list[Order]:
    """One line per run of orders of a therapy, each starting within MERGE_GAP_DAYS of the line's last date."""
    lines: list[Order] = []
    gap = timedelta(days=m.MERGE_GAP_DAYS)
    for order in sorted(orders, key=lambda o: (o.therapy, o.start or date.min)):
        line = lines[-1] if lines and lines[-1].therapy == order.therapy else None
        last = (line.end or line.start) if line else None
        if line and (last is None or order.start is None or order.start - last <= gap):
            line.end, line.ongoing = order.end, order.ongoing
            if order.ongoing or order.outcome != "unknown":
                line.outcome, line.stop_reason = order.outcome, order.stop_reason
            # else: a later order that says nothing of why it ended keeps the outcome an earlier one gave.
            line.orders += 1
        else:
            lines.append(Order(**{**order.__dict__}))
    for line in lines:
        if line.end and line.start and line.end < line.start:
            line.end = line.start
        if line.end and line.end > today:
            line.end, line.ongoing, line.outcome = None, True, "ongoing"
    return [line for line in lines if not (line.start and line.start > today)]


# --- the bundle -------------------------------------------------------------------------------------------


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


def extract(parsed: ParsedBundle, *, today: date) -> BundleData:
    patient_entries = parsed.of_type("Patient")
    patients = [read_patient(e, today) for e in patient_entries]
    _one_patient(patient_entries, patients)
    data = BundleData(patients=patients, other=Counter(parsed.other))
    data.mapped["Patient"] = len(patients)
    by_reference: dict[str, int] = {}
    for number, entry in enumerate(patient_entries):
        rid = entry.resource.id
        for ref in (entry.full_url, f"Patient/{rid}", f"urn:uuid:{rid}"):
            if ref and not ref.endswith("/None"):
                by_reference[ref] = number

    per_patient: dict[int, list[Entry]] = {n: [] for n in range(len(patients))}
    for entry in parsed.entries:
        if entry.resource.get_resource_type() == "Patient":
            continue
        reference = _subject_key(entry.resource)
        number = by_reference.get(reference)
        if number is None and reference.endswith(
            tuple(f"/{e.resource.id}" for e in patient_entries if e.resource.id)
        ):
            number = next(
                n for n, e in enumerate(patient_entries) if reference.endswith(f"/{e.resource.id}")
            )
        if number is None:
            data.skip(entry, f"subject {reference or '(none)'} is not a Patient of this bundle")
            continue
        per_patient[number].append(entry)

    for number, patient in enumerate(patients):
        entries = per_patient[number]
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

        readings = [
            r
            for e in entries
            if e.resource.get_resource_type() == "Observation"
            if (r := read_observation(e, data, birth, today))
        ]
        collect_values(readings, patient, data)
        data.mapped["Observation"] += len(readings)

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
        for order in orders:
            order.therapy = m.THERAPY_BY_DISEASE.get((order.therapy, group), order.therapy)
        patient.treatments = merge_orders(orders, today)
    data.mapped = Counter({k: v for k, v in data.mapped.items() if v})
    return data
