"""Publishing and cloning rule sets: the only writes that change which criteria score."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .compiler import compile_ruleset
from .models import PUBLISHED_IS_READ_ONLY, Criterion, RuleSet
from .signals import ruleset_published
from .specs import Problem, RuleSetError
from .validation import publication_problems

ONLY_DRAFTS_PUBLISH = "Only a draft can be published."


def ruleset_problems(ruleset: RuleSet) -> list[Problem]:
    """Every problem that would stop ``ruleset`` being published; empty when it can be.

    The publish confirmation lists them before the admin confirms; publishing checks again.
    """
    try:
        spec = ruleset.to_spec()
    except RuleSetError as error:
        return list(error.problems)
    problems = publication_problems(spec)
    if problems:
        return problems
    try:
        compile_ruleset(spec)
    except RuleSetError as error:
        return list(error.problems)
    return []


# Any 64-bit number nobody else uses: the key of the lock that lets one publish through at a time.
PUBLISH_LOCK_KEY = 0x52554C45_53455453  # "RULESETS"
# Shown after "Not published: " (rules/admin_publish.py).
ALREADY_PUBLISHED = "version {version} was already published ({when}); nothing was changed."
PUBLISHED_MEANWHILE = (
    "version {other} was published ({when}) while you were confirming, and "
    "version {version} would have retired it. Compare the two versions, then publish again if "
    "version {version} should replace it."
)
# Passed as ``expected_active`` by callers that do not know which version they replace.
UNCHECKED = object()


def _publish_lock() -> None:
    """Serialise publications: the second waits here until the first has committed.

    Row locks cannot do it: each publisher locks its own draft, and the version both retire
    is found by a WHERE that the second re-checks after the first commits, so it retires
    nothing and collides with the first's new version (an IntegrityError, a 500). A
    transaction-level advisory lock on PostgreSQL; SQLite runs one writer at a time anyway.
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLISH_LOCK_KEY])


def _when(ruleset: RuleSet) -> str:
    stamp = timezone.localtime(ruleset.published_at) if ruleset.published_at else None
    by = f" by {ruleset.published_by}" if ruleset.published_by else ""
    return f"{stamp:%d %b %Y %H:%M}{by}" if stamp else f"earlier{by}"


@transaction.atomic
def ruleset_publish(*, ruleset: RuleSet, by, expected_active=UNCHECKED) -> RuleSet:
    """Validate a draft by compiling it, then make it the one active version.

    Raises ValidationError listing every problem; nothing is published then. Publications
    run one at a time (``_publish_lock``), and everything is read after the lock: the draft
    as it is now, and the active version. ``expected_active`` is the version the admin saw
    active when confirming (None: none was); if another was published since, the loser of
    that race is refused with ``PUBLISHED_MEANWHILE`` rather than retiring it unseen.
    """
    _publish_lock()
    RuleSet.objects.select_for_update().filter(pk=ruleset.pk).first()
    ruleset.refresh_from_db()  # under the lock: the criteria as they are now
    if ruleset.status == RuleSet.Status.PUBLISHED:
        raise ValidationError(
            ALREADY_PUBLISHED.format(version=ruleset.version, when=_when(ruleset))
        )
    if ruleset.status != RuleSet.Status.DRAFT:
        raise ValidationError(ONLY_DRAFTS_PUBLISH)
    active = RuleSet.objects.select_for_update().filter(status=RuleSet.Status.PUBLISHED).first()
    if expected_active is not UNCHECKED and active is not None and active != expected_active:
        raise ValidationError(
            PUBLISHED_MEANWHILE.format(
                other=active.version, when=_when(active), version=ruleset.version
            )
        )
    problems = ruleset_problems(ruleset)
    if problems:
        raise ValidationError([str(problem) for problem in problems])
    if active is not None:
        RuleSet.objects.filter(pk=active.pk).update(status=RuleSet.Status.RETIRED)
    ruleset.status = RuleSet.Status.PUBLISHED
    ruleset.published_at = timezone.now()
    ruleset.published_by = by
    ruleset.save(update_fields=["status", "published_at", "published_by"])
    ruleset_published.send(sender=RuleSet, ruleset=ruleset, by=by)
    return ruleset


def next_version(version: str) -> str:
    """The first free version after this one: 1 -> 2, 1.2 -> 1.3, v1 -> v1.1."""
    head, _, last = version.rpartition(".")
    candidate = (
        f"{head}.{int(last) + 1}"
        if head and last.isdigit()
        else (str(int(version) + 1) if version.isdigit() else f"{version}.1")
    )
    while RuleSet.objects.filter(version=candidate).exists():
        candidate = next_version(candidate)
    return candidate


@transaction.atomic
def ruleset_clone(*, ruleset: RuleSet, version: str | None = None) -> RuleSet:
    """Start the next version as a draft copy of this one."""
    version = version or next_version(ruleset.version)
    draft = RuleSet.objects.create(
        name=ruleset.name,
        version=version,
        status=RuleSet.Status.DRAFT,
        domain_weights=ruleset.domain_weights,
        band_thresholds=ruleset.band_thresholds,
        freshness_days=ruleset.freshness_days,
        notes=ruleset.notes,
        cloned_from=ruleset,
    )
    for indication in ruleset.indications.all():
        indication.pk = None
        indication.ruleset = draft
        indication.save()
    for criterion in ruleset.criteria.all():
        criterion.pk = None
        criterion.ruleset = draft
        criterion.save()
    return draft


def _lock_draft(ruleset_id: int) -> RuleSet:
    """Lock the rule set's row (as publishing does) and refuse it unless it is a draft.

    Taking the same lock as :func:`ruleset_publish` orders an edit and a publication: an
    edit either lands before the draft is compiled, or finds it published and is refused.
    """
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset_id)
    if not ruleset.is_editable:
        raise ValidationError(PUBLISHED_IS_READ_ONLY)
    return ruleset


@transaction.atomic
def criterion_save(*, criterion: Criterion) -> Criterion:
    """Save a criterion (new or changed) of a draft; a published or retired one never changes.

    Raises ValidationError(PUBLISHED_IS_READ_ONLY) when its rule set is not a draft. The
    change is kept in the criterion's history (django-simple-history).
    """
    _lock_draft(criterion.ruleset_id)
    criterion.save()
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion) -> None:
    """Remove a criterion from a draft; refused (ValidationError) once it is published."""
    _lock_draft(criterion.ruleset_id)
    criterion.delete()
