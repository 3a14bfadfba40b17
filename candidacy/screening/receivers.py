"""Where candidacy answers the other apps' announcements, always after commit."""

import logging
from functools import partial

from django.db import transaction
from django.urls import reverse

from common.retry import TRANSIENT_ERRORS
from rules.signals import PublishFollowUp

from .models import RescreenJob
from .tasks import screen_patient, start_rescreen

logger = logging.getLogger(__name__)


def rescreen_patient(sender, patient_id, **kwargs):
    transaction.on_commit(partial(queue_quietly, screen_patient, patient_id))


def queue_quietly(task, *args) -> bool:
    """Queue a task after commit without ever failing the request that committed.

    With the broker down a save answered 500 after 18 s, though the change was committed,
    and the clinician saved again (issue 15). The broker's timeouts are short (settings);
    a message that cannot be sent is logged, and the reconciler finds what it would have
    done (the record changed after its screening, a job never planned).
    """
    try:
        task.delay(*args)
    except TRANSIENT_ERRORS as error:
        logger.warning("Not queued (%s): %s%r; the reconciler will do it", error, task.name, args)
        return False
    return True


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
