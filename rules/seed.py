"""Seeding the default rule set (the data migration and tests that flush the database)."""

from .defaults import DEFAULT_CRITERIA, DEFAULT_INDICATIONS, DEFAULT_RULESET

DEFAULT_NOTES = (
    "Seeded default. Clinical thresholds cite their source and evidence mark "
    "(../shared/clinical/criteria-sources.md); weights, points, band cut-offs and freshness "
    "windows are local policy. Criteria whose source is UNVERIFIED are seeded switched off."
)


def seed_default_ruleset(apps) -> None:
    """Create and publish the default rule set unless some rule set exists already."""
    RuleSet = apps.get_model("rules", "RuleSet")
    if RuleSet.objects.exists():
        return
    ruleset = RuleSet.objects.create(
        name=DEFAULT_RULESET["name"],
        version=DEFAULT_RULESET["version"],
        status="published",
        domain_weights=DEFAULT_RULESET["domain_weights"],
        band_thresholds=DEFAULT_RULESET["band_thresholds"],
        freshness_days=DEFAULT_RULESET["freshness_days"],
        notes=DEFAULT_NOTES,
    )
    ruleset.published_at = ruleset.created_at
    ruleset.save(update_fields=["published_at"])
    DiseaseIndication = apps.get_model("rules", "DiseaseIndication")
    Criterion = apps.get_model("rules", "Criterion")
    DiseaseIndication.objects.bulk_create(
        DiseaseIndication(ruleset=ruleset, **row) for row in DEFAULT_INDICATIONS
    )
    Criterion.objects.bulk_create(Criterion(ruleset=ruleset, **row) for row in DEFAULT_CRITERIA)
