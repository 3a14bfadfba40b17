"""Read MedicationRequest, MedicationStatement and Procedure resources into treatment lines.

Each order becomes an Order; ``merge_orders`` joins a therapy's orders into lines of treatment.
"""

from __future__ import annotations

from datetime import date, timedelta

from . import mapping as m
from .bundle import Entry
from .datatypes import codes_of, codings_of, concept_text, first_code, outside_life, to_date
from .imported import BundleData, Order

SKIPPED_MEDICATION_STATUSES = {"entered-in-error", "cancelled", "draft", "not-taken", "intended"}
ENDED_MEDICATION_STATUSES = {"stopped", "completed"}


def _therapy_for(concept) -> tuple[str | None, bool]:
    """(therapy key, matched by name)."""
    for system, code in codes_of(concept):
        if system == m.RXNORM and code in m.THERAPY_RXNORM:
            return m.THERAPY_RXNORM[code], False
    texts = [m.clean_text(c.display) for c in codings_of(concept)] + [m.clean_text(concept.text)]
    for pattern, key in m.THERAPY_PATTERNS:
        if any(pattern.search(text) for text in texts if text):
            return key, True
    return None, False


def _outcome(reasons: list) -> tuple[str | None, str]:
    text = ""
    for concept in reasons:
        for code in codes_of(concept):
            if code in m.OUTCOME_CODES:
                return m.OUTCOME_CODES[code], concept_text(concept)
        text = text or concept_text(concept)
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
            entry, f"medication not mapped: {first_code(concept)} {concept_text(concept)}".strip()
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
            f"{entry.label}: {therapy} matched by ingredient name in {concept_text(concept)!r}."
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
    therapy = next((t for code in codes_of(resource.code) if (t := m.PROCEDURES.get(code))), None)
    if therapy is None:
        data.skip(entry, f"procedure not mapped: {first_code(resource.code)}")
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
