from django.db import migrations

from rules.seed import publish_ruleset_v2


def forwards(apps, schema_editor):
    publish_ruleset_v2(apps)


class Migration(migrations.Migration):
    """Rule set v2 replaces v1 as the published version (scoring-model.md, "Corrections for
    rule set v2"). Everyone is re-screened after migrating (candidacy's post-migrate hook and
    its reconciler). Reversing leaves v2 in place: unpublishing is a criteria admin's choice."""

    dependencies = [
        ("rules", "0003_criterion_cap_and_core_band"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
