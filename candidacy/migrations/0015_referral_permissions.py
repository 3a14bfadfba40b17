from django.db import migrations

from candidacy.referrals.permissions import grant_referral_permissions


def grant(apps, schema_editor):
    grant_referral_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [("candidacy", "0014_referrals")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
