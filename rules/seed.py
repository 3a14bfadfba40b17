"""Seeding rule sets from their data files (the data migrations, and tests that flush).

Migrations pass their historical models, which know only the fields that existed at that
point: a field a later version of the file adds is left out, so an old migration keeps
seeding what it always seeded.
"""

from __future__ import annotations

from typing import Any

from .defaults import load_ruleset

V1 = "ebmt-autoimmune-v1"
DEFAULT_NOTES = (
    "Seeded default. Clinical thresholds cite their source and evidence mark "
    "(../shared/clinical/criteria-sources.md); weights, points, band cut-offs and freshness "
    "windows are local policy. Criteria whose source is UNVERIFIED are seeded switched off."
)


def _known(model: Any, row: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in model._meta.get_fields()}
    return {k: v for k, v in row.items() if k in names}


def seed_ruleset(apps, name: str, *, status: str, notes: str = "") -> Any:
    """Create the rule set of rules/rulesets/<name>.yaml with its rows; returns it."""
    data = load_ruleset(name)
    RuleSet = apps.get_model("rules", "RuleSet")
    DiseaseIndication = apps.get_model("rules", "DiseaseIndication")
    Criterion = apps.get_model("rules", "Criterion")
    ruleset = RuleSet.objects.create(
        name=data.ruleset["name"],
        version=data.ruleset["version"],
        status=status,
        domain_weights=data.ruleset["domain_weights"],
        band_thresholds=data.ruleset["band_thresholds"],
        freshness_days=data.ruleset["freshness_days"],
        notes=notes,
    )
    DiseaseIndication.objects.bulk_create(
        DiseaseIndication(ruleset=ruleset, **_known(DiseaseIndication, row))
        for row in data.indications
    )
    Criterion.objects.bulk_create(
        Criterion(ruleset=ruleset, **_known(Criterion, row)) for row in data.criteria
    )
    return ruleset


def seed_default_ruleset(apps) -> None:
    """Create and publish rule set v1 unless some rule set exists already (migration 0002)."""
    RuleSet = apps.get_model("rules", "RuleSet")
    if RuleSet.objects.exists():
        return
    ruleset = seed_ruleset(apps, V1, status="published", notes=DEFAULT_NOTES)
    ruleset.published_at = ruleset.created_at
    ruleset.save(update_fields=["published_at"])
