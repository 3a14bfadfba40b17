"""The default rule set, loaded from its data file in rules/rulesets/.

The criteria, indications and their citations are clinical data that clinicians review, so
they live in YAML beside this module (rules/rulesets/ebmt-autoimmune-v1.yaml), with the
comments that explain each choice; this module only reads and checks them. The data
migration and the tests read DEFAULT_RULESET, DEFAULT_INDICATIONS and DEFAULT_CRITERIA:
plain dicts whose keys are the field names of RuleSetSpec, IndicationSpec and CriterionSpec.
``load_ruleset(name)`` reads any version by name, so a later default does not change what an
earlier migration seeded.

The file's format (its header says the same): ``citations`` names each source once; a
``citation`` is one of those names, or a text in which ``{name}`` stands for that source.
Indications may leave out ``screened`` and ``paediatric``, criteria ``required``,
``enabled``, ``cap`` (reviews) and ``not_met_band`` (core); every other field is written out. A file that breaks these rules raises
RulesetFileError naming the entry and the field.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, fields
from importlib import resources
from typing import Any

import yaml

from .specs import CriterionSpec, IndicationSpec, RuleSetSpec

DEFAULT_NAME = "ebmt-autoimmune-v2"
NAME = re.compile(r"[a-z0-9][a-z0-9-]*")  # a file name in rules/rulesets/, never a path
SECTIONS = ("citations", "ruleset", "indications", "criteria")
RULESET_FIELDS = ("name", "version", "domain_weights", "band_thresholds", "freshness_days")
# The only fields a file may leave out, and what they then are (the specs' own defaults).
INDICATION_OPTIONAL = {"screened": True, "paediatric": False}
CRITERION_OPTIONAL = {"required": False, "enabled": True, "cap": "", "not_met_band": ""}


class RulesetFileError(ValueError):
    """A rule set file that does not follow the format; the message says where."""


@dataclass(frozen=True)
class RulesetData:
    """One rule set file as plain dicts, citations resolved to their full text."""

    ruleset: dict[str, Any]
    indications: list[dict[str, Any]]
    criteria: list[dict[str, Any]]

    def spec(self) -> RuleSetSpec:
        return RuleSetSpec.from_dicts(self.ruleset, self.indications, self.criteria)


def load_ruleset(name: str) -> RulesetData:
    """Read rules/rulesets/<name>.yaml (from the installed package, not the working folder)."""
    if not NAME.fullmatch(name):
        raise RulesetFileError(f"{name!r} is not a rule set name (lower case, digits, hyphens).")
    source = resources.files(__package__) / "rulesets" / f"{name}.yaml"
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise RulesetFileError(f"No rule set file named {name!r} in rules/rulesets/.") from error
    return parse_ruleset(yaml.safe_load(text), where=f"{name}.yaml")


def parse_ruleset(data: Any, *, where: str) -> RulesetData:
    """Check a loaded file's shape and turn it into the dicts the specs are built from."""
    if not isinstance(data, dict) or set(data) != set(SECTIONS):
        raise RulesetFileError(
            f"{where}: the file needs exactly the sections {', '.join(SECTIONS)}."
        )
    citations = data["citations"]
    if not isinstance(citations, dict) or not all(
        isinstance(key, str) and isinstance(text, str) and text for key, text in citations.items()
    ):
        raise RulesetFileError(f"{where}: citations: each is a name and a non-empty text.")
    ruleset = _entry(data["ruleset"], RULESET_FIELDS, {}, f"{where}: ruleset")
    indications = []
    for n, row in enumerate(_listed(data["indications"], f"{where}: indications"), 1):
        at = f"{where}: indication #{n}"
        indications.append(
            _cited(_entry(row, _names(IndicationSpec), INDICATION_OPTIONAL, at), citations, at)
        )
    criteria = []
    for n, row in enumerate(_listed(data["criteria"], f"{where}: criteria"), 1):
        at = f"{where}: criterion {row['key']!r}" if row.get("key") else f"{where}: criterion #{n}"
        criteria.append(
            _cited(_entry(row, _names(CriterionSpec), CRITERION_OPTIONAL, at), citations, at)
        )
    return RulesetData(ruleset, indications, criteria)


def _names(spec: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(spec))


def _listed(value: Any, where: str) -> list[dict[Any, Any]]:
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise RulesetFileError(f"{where}: a list of entries is expected.")
    return value


def _entry(
    row: Any, names: tuple[str, ...], optional: dict[str, Any], where: str
) -> dict[str, Any]:
    """The entry's fields in the spec's order, the optional ones filled in."""
    if not isinstance(row, dict):
        raise RulesetFileError(f"{where}: a mapping of fields is expected.")
    unknown = sorted(set(row) - set(names))
    missing = [name for name in names if name not in row and name not in optional]
    faults = ([f"unknown fields {unknown}"] if unknown else []) + (
        [f"missing fields {missing}"] if missing else []
    )
    if faults:
        raise RulesetFileError(f"{where}: {'; '.join(faults)}.")
    return {name: row[name] if name in row else optional[name] for name in names}


def _cited(entry: dict[str, Any], citations: dict[str, str], where: str) -> dict[str, Any]:
    """The entry with its citation resolved: a citation's name, or a text of {name}s."""
    citation = entry["citation"]
    if not isinstance(citation, str):
        raise RulesetFileError(f"{where}: citation: a name or a quoted text is expected.")
    if citation in citations:
        return {**entry, "citation": citations[citation]}
    try:
        pieces = list(string.Formatter().parse(citation))
    except ValueError as error:
        raise RulesetFileError(f"{where}: citation: {error}.") from error
    parts = []
    named = False
    for literal, name, spec, conversion in pieces:
        parts.append(literal)
        if name is None:
            continue
        if name not in citations or spec or conversion:
            raise RulesetFileError(f"{where}: citation: {{{name}}} is not a citation's name.")
        parts.append(citations[name])
        named = True
    if not named:
        raise RulesetFileError(
            f"{where}: citation: {citation!r} names no citation; add it to `citations`."
        )
    return {**entry, "citation": "".join(parts)}


_DEFAULT = load_ruleset(DEFAULT_NAME)
DEFAULT_RULESET: dict[str, Any] = _DEFAULT.ruleset
DEFAULT_INDICATIONS: list[dict[str, Any]] = _DEFAULT.indications
DEFAULT_CRITERIA: list[dict[str, Any]] = _DEFAULT.criteria


def default_ruleset_spec() -> RuleSetSpec:
    """The default rule set as a spec, built from the loaded dicts."""
    return RuleSetSpec.from_dicts(DEFAULT_RULESET, DEFAULT_INDICATIONS, DEFAULT_CRITERIA)
