"""Read the Patient resource: the identity the record is filed under (MRN, names, dates, sex).

A Patient that cannot be filed (no MRN, no or an implausible date of birth) refuses the whole bundle.
"""

from __future__ import annotations

from datetime import date

from ..models import OLDEST_PLAUSIBLE_AGE_YEARS
from . import mapping as m
from .bundle import BundleError, Entry
from .datatypes import codes_of, to_date
from .imported import ImportedPatient

MAX_MRN = 40


def _mrn(resource) -> str | None:
    identifiers = [i for i in (resource.identifier or []) if i.value]
    for identifier in identifiers:
        if (m.V2_0203, "MR") in codes_of(identifier.type):
            return identifier.value.strip()
    return identifiers[0].value.strip() if identifiers else None


def _years_between(start: date, end: date) -> int:
    """Whole years, as Patient.age_on counts them."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


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
