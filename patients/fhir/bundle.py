"""Read a FHIR R4 Bundle with fhir.resources' R4B models (they read R4; the R5 root package rejects R4).

Only the resource types the importer maps are built as models: building every Claim and
ExplanationOfBenefit would triple the time of a Synthea bundle for nothing. The Bundle itself is
checked with its R4B model, entries without their resources; the other resources are counted from
the raw entry's ``resourceType``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from pydantic import ValidationError

MAPPED_TYPES: dict[str, type[DomainResource]] = {
    "Patient": Patient,
    "Condition": Condition,
    "Observation": Observation,
    "MedicationRequest": MedicationRequest,
    "MedicationStatement": MedicationStatement,
    "Procedure": Procedure,
}


# The JSON escape of NUL, not itself escaped (an odd number of backslashes before "u0000"). FHIR
# strings hold no control characters, and PostgreSQL cannot store a NUL at all.
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
NUL_IN_FILE = (
    "A value holds a NUL character (\\u0000), which FHIR allows in no string: "
    "nothing of this file was imported."
)


class BundleError(Exception):
    """The bundle cannot be read: nothing of it is imported. The message names what and where."""


@dataclass
class Entry:
    index: int  # position in Bundle.entry, counted from 0
    full_url: str
    resource: Any  # an R4B model

    @property
    def label(self) -> str:
        return f"{self.resource.get_resource_type()} {self.resource.id or '(no id)'} (entry {self.index})"


@dataclass
class ParsedBundle:
    entries: list[Entry] = field(default_factory=list)  # mapped types, in bundle order
    other: Counter = field(default_factory=Counter)  # resourceType -> count, passed over

    def of_type(self, *types: str) -> list[Entry]:
        return [e for e in self.entries if e.resource.get_resource_type() in types]


def error_text(error: ValidationError) -> str:
    """The first pydantic error as ``path.to[0].field: message`` (and how many more)."""
    errors = error.errors()
    first = errors[0]
    path = ""
    for part in first["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    text = f"{path or '(resource)'}: {first['msg']}"
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more)"
    return text


def read_bundle(data: bytes | str) -> ParsedBundle:
    """Parse and validate one bundle, or raise BundleError naming the resource and field at fault."""
    try:
        return _read_bundle(data)
    except RecursionError:
        # JSON (or a resource) nested deeper than Python's recursion limit: json and pydantic both give up.
        raise BundleError(
            "The file is nested too deeply to be read (not a FHIR bundle as exported)."
        ) from None


def _has_nul(data: bytes | str) -> bool:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return b"\x00" in raw or _NUL_ESCAPE.search(raw) is not None


def _read_bundle(data: bytes | str) -> ParsedBundle:
    if _has_nul(data):
        raise BundleError(NUL_IN_FILE)
    try:
        raw = json.loads(data)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise BundleError(f"Not JSON: {exc}") from None
    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        found = raw.get("resourceType") if isinstance(raw, dict) else type(raw).__name__
        raise BundleError(f"Not a FHIR Bundle (resourceType is {found!r}).")
    entries = raw.get("entry") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise BundleError("Bundle.entry must be a list of entries.")

    # The Bundle's own structure (type, entry.fullUrl, entry.request, ...) without its resources.
    shell = {**raw, "entry": [{k: v for k, v in e.items() if k != "resource"} for e in entries]}
    if not shell["entry"]:
        del shell["entry"]
    try:
        Bundle.model_validate(shell)
    except ValidationError as exc:
        raise BundleError(f"Bundle: {error_text(exc)}") from None

    parsed = ParsedBundle()
    for index, entry in enumerate(entries):
        resource = entry.get("resource")
        if resource is None:
            continue
        resource_type = resource.get("resourceType") if isinstance(resource, dict) else None
        if resource_type is not None and not isinstance(resource_type, str):
            raise BundleError(
                f"Entry {index}: resourceType must be a string, not {type(resource_type).__name__}."
            )
        model = MAPPED_TYPES.get(resource_type or "")
        if model is None:
            parsed.other[str(resource_type)] += 1
            continue
        try:
            built = model.model_validate(resource)
        except ValidationError as exc:
            raise BundleError(
                f"{resource_type} {resource.get('id') or '(no id)'} (entry {index}): {error_text(exc)}"
            ) from None
        parsed.entries.append(Entry(index, entry.get("fullUrl") or "", built))
    if not parsed.of_type("Patient"):
        raise BundleError("The bundle has no Patient resource.")
    return parsed
