"""Seeding rule sets from their data files (the data migrations, and tests that flush).

Migrations pass their historical models, which know only the fields that existed at that
point: a field a later version of the file adds is left out, so an old migration keeps
seeding what it always seeded.
"""

from __future__ import annotations

from typing import Any

from .defaults import load_ruleset

V1 = "ebmt-autoimmune-v1"
V2 = "ebmt-autoimmune-v2"
DEFAULT_NOTES = (
    "Seeded default. Clinical thresholds cite their source and evidence mark "
    "(../shared/clinical/criteria-sources.md); weights, points, band cut-offs and freshness "
    "windows are local policy. Criteria whose source is UNVERIFIED are seeded switched off."
)


def _known(model: Any, row: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in model._meta.get_fields()}
    return {k: v for k, v in row.items() if k in names}


def seed_ruleset(apps, name: str, *, status: str, notes: str = "", version: str = "") -> Any:
    """Create the rule set of rules/rulesets/<name>.yaml with its rows; returns it.

    ``version`` overrides the file's version (when the file's is taken already).
    """
    data = load_ruleset(name)
    RuleSet = apps.get_model("rules", "RuleSet")
    DiseaseIndication = apps.get_model("rules", "DiseaseIndication")
    Criterion = apps.get_model("rules", "Criterion")
    ruleset = RuleSet.objects.create(
        name=data.ruleset["name"],
        version=version or data.ruleset["version"],
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


V2_NOTES = (
    "Rule set v2, published by a data migration as a criteria admin would publish a draft; "
    "it retired the version active before it. What changed from v1 and why: 'Corrections for "
    "rule set v2' in the scoring model. Clinical thresholds cite their source and evidence "
    "mark; UNVERIFIED criteria that can only lower a band are enabled, those that add points "
    "are switched off. Weights, points, band cut-offs and freshness windows are local policy."
)


def _free_version(RuleSet: Any, wanted: str) -> str:
    """``wanted``, or the first of wanted.1, wanted.2 ... that no rule set has taken."""
    candidate, n = wanted, 0
    while RuleSet.objects.filter(version=candidate).exists():
        n += 1
        candidate = f"{wanted}.{n}"
    return candidate


def publish_ruleset_v2(apps) -> None:
    """Publish rule set v2 and retire the active version (migration rules/0004; idempotent).

    What a criteria admin does, done once: the new version is created, becomes the one
    published version, and the one it replaces is retired, not deleted (its screenings keep
    naming it). Drafts an admin had started are left alone. Patients are re-screened by the
    screening app once migrations finish (and by its reconciler in any case).
    """
    RuleSet = apps.get_model("rules", "RuleSet")
    name = load_ruleset(V2).ruleset["name"]
    if RuleSet.objects.filter(name=name).exists():
        return
    previous = RuleSet.objects.filter(status="published").first()
    version = _free_version(RuleSet, load_ruleset(V2).ruleset["version"])
    ruleset = seed_ruleset(apps, V2, status="draft", notes=V2_NOTES, version=version)
    RuleSet.objects.filter(status="published").update(status="retired")
    ruleset.status = "published"
    ruleset.published_at = ruleset.created_at
    ruleset.cloned_from = previous
    ruleset.save(update_fields=["status", "published_at", "cloned_from"])
