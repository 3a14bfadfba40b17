"""Small readers of FHIR datatypes (dates, codings, concepts) shared by the resource readers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from . import mapping as m


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


def instant(value) -> float:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    day = to_date(value)
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() if day else 0.0


def codings_of(concept) -> list:
    return list(concept.coding or []) if concept is not None else []


def codes_of(concept) -> list[tuple[str, str]]:
    return [(c.system or "", c.code or "") for c in codings_of(concept)]


def first_code(concept) -> str:
    codes = codes_of(concept)
    return f"{codes[0][0]}|{codes[0][1]}" if codes else "(no coding)"


def status_of(concept) -> set[str]:
    return {code for _s, code in codes_of(concept)}


def concept_text(concept) -> str:
    if concept is None:
        return ""
    return m.clean_text(concept.text) or next(
        (m.clean_text(c.display) for c in codings_of(concept) if c.display), ""
    )


def outside_life(day: date, birth: date, today: date) -> str:
    """Why a resource's date cannot be right ("" when it can): before the birth date, or in the future."""
    if day < birth:
        return f"dated {day}, before the date of birth ({birth})"
    if day > today:
        return f"dated in the future ({day})"
    return ""
