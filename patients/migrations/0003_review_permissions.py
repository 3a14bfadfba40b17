from django.db import migrations

# Kept for the migration history only. It used to grant the review permissions by
# importing the screening app, which sits above patients; candidacy's own migration
# 0005_review_permissions does that now. Databases that ran this have them already.


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0002_reference_data_and_groups"),
    ]

    operations = []
