"""Where candidacy answers the other apps' announcements, always after commit."""

import logging

from django.urls import reverse

from rules.signals import PublishFollowUp

from .models import RescreenJob
from .publisher import queue_after_commit
from .tasks import screen_patient, start_rescreen

logger = logging.getLogger(__name__)


def rescreen_patient(sender, patient_id, **kwargs):
    # Sent in the background after commit: the request never waits on the broker
    # (publisher.py); the record's version makes the reconciler find it if the send fails.
    queue_after_commit(screen_patient, patient_id)


def rescreen_everyone(sender, ruleset, by=None, **kwargs):
    start_rescreen(reason=RescreenJob.Reason.PUBLISHED, by=by)


def rescreen_progress_link(ruleset) -> PublishFollowUp:
    return PublishFollowUp(
        "Watch the re-screening of every patient",
        reverse("screening:ruleset_progress", args=[ruleset.pk]),
    )


def rescreen_after_migrate(sender, using="default", **kwargs):
    """After migrations, queue the reconciler: a migration may have published a rule set.

    The same job the beat schedule runs every few minutes; run now, the patients of a newly
    published version are re-screened within minutes of the upgrade. Only once the database
    is at its newest migrations (the models read it), and never failing a migration.
    """
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from .tasks import reconcile

    connection = connections[using]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return  # migrating to an older state: not every table is there yet
    try:
        reconcile.delay()
    except Exception:  # noqa: BLE001 - a broker outage must not fail a migration
        logger.warning("Could not queue the reconciler after migrating; beat will run it.")
