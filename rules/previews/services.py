"""Starting a preview of a draft: the one write a criteria admin makes to ask "what if"."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..compiler import compile_ruleset
from ..models import RuleSet
from ..specs import RuleSetError
from .job import spec_to_json
from .models import RuleSetPreview

ONLY_DRAFTS_PREVIEW = "Only a draft can be previewed: this version is already published or retired."
NO_ACTIVE_VERSION = "No version is active, so there is nothing to compare the draft with."


@transaction.atomic
def preview_start(*, ruleset: RuleSet, by) -> RuleSetPreview:
    """Snapshot the draft, record the active version and the draft's last edit, queue the job.

    Raises ValidationError (with every problem) for a version that is not a draft, a draft
    that does not compile, or when no version is active. A preview of the same draft, as it
    is now, that is still running is returned instead of starting a second one (a double
    click). The job is queued once the transaction commits.
    """
    from .. import tasks  # rules.tasks imports the job, which imports this package's models

    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.status != RuleSet.Status.DRAFT:
        raise ValidationError(ONLY_DRAFTS_PREVIEW)
    try:
        spec = ruleset.to_spec()
        compile_ruleset(spec)
    except RuleSetError as error:
        raise ValidationError([str(problem) for problem in error.problems]) from error
    baseline = RuleSet.objects.active()
    if baseline is None:
        raise ValidationError(NO_ACTIVE_VERSION)
    edited = ruleset.last_edited_at()
    running = ruleset.previews.filter(
        status=RuleSetPreview.Status.RUNNING, baseline=baseline, draft_edited_at=edited
    ).first()
    if running is not None:
        return running
    preview = RuleSetPreview.objects.create(
        ruleset=ruleset,
        baseline=baseline,
        started_by=by,
        as_of=timezone.localdate(),
        draft_edited_at=edited,
        draft_spec=spec_to_json(spec),
    )
    tasks.preview_run.delay_on_commit(preview.pk)
    return preview
