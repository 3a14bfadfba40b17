"""The preview job: plan the chunks, screen each under both versions, add up the summary.

rules/tasks.py runs these steps as Celery tasks (in-process when there is no broker). Every
step is safe to run twice:

- planning happens once (the chunks are rows); a second delivery only queues the chunks
  that have not landed yet;
- a chunk replaces its own rows and its share of the summary, and moves the progress only
  the first time it lands;
- the summary is written by whichever chunk lands last, once: it claims the preview with a
  conditional UPDATE, as the re-screen's jobs count their chunks.

Nothing here writes to the patients' screenings: the results live in memory and only the
preview's rows (bands and scores before and after) are stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from patients.models import Patient

from .. import loader
from ..compiler import CompiledRuleSet, compile_ruleset
from ..engine import NotScreenable, evaluate
from ..specs import RuleSetSpec
from .attrition import limit_of
from .models import RuleSetPreview, RuleSetPreviewChunk, RuleSetPreviewRow
from .summary import empty, move_key, summarise, tally_add

CHUNK_SIZE = 500
ERROR_LENGTH = 2000
NO_BASELINE = "No version was active to compare the draft with."
RUNNING = RuleSetPreview.Status.RUNNING

# Compiled draft snapshots, by the snapshot's digest: compiled once per process, not per chunk.
_drafts: dict[str, CompiledRuleSet] = {}
_DRAFTS_KEPT = 8


def spec_to_json(spec: RuleSetSpec) -> dict:
    """A rule set spec as plain JSON (the preview's snapshot of its draft)."""
    return {
        "ruleset": {
            "name": spec.name,
            "version": spec.version,
            "domain_weights": dict(spec.domain_weights),
            "band_thresholds": dict(spec.band_thresholds),
            "freshness_days": dict(spec.freshness_days),
        },
        "indications": [_fields(i) for i in spec.indications],
        "criteria": [_fields(c) for c in spec.criteria],
    }


def _fields(spec) -> dict:
    values = {name: getattr(spec, name) for name in spec.__dataclass_fields__}
    return {name: list(v) if isinstance(v, tuple) else v for name, v in values.items()}


def draft_compiled(preview: RuleSetPreview) -> CompiledRuleSet:
    """The draft as the preview snapshotted it, compiled (once per process)."""
    snapshot = preview.draft_spec
    digest = hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()
    if digest not in _drafts:
        if len(_drafts) >= _DRAFTS_KEPT:
            _drafts.clear()
        spec = RuleSetSpec.from_dicts(
            snapshot["ruleset"], snapshot["indications"], snapshot["criteria"]
        )
        _drafts[digest] = compile_ruleset(spec)
    return _drafts[digest]


def _batched(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def preview_plan(preview_id: int) -> list[int]:
    """Cut the living patients into chunks (the first time) and return the chunks still to do."""
    with transaction.atomic():
        preview = RuleSetPreview.objects.select_for_update().get(pk=preview_id)
        if preview.status != RUNNING:
            return []
        if not preview.chunks.exists():
            ids = list(Patient.objects.living().order_by("pk").values_list("pk", flat=True))
            RuleSetPreviewChunk.objects.bulk_create(
                RuleSetPreviewChunk(
                    preview=preview,
                    index=n,
                    first_patient_id=chunk[0],
                    last_patient_id=chunk[-1],
                    size=len(chunk),
                )
                for n, chunk in enumerate(_batched(ids, CHUNK_SIZE))
            )
            preview.total = len(ids)
            preview.save(update_fields=["total"])
        pending = list(
            preview.chunks.filter(finished=False).order_by("index").values_list("pk", flat=True)
        )
    if not pending:
        preview_finish(preview_id)  # nobody to screen, or every chunk already landed
    return pending


def _screen(
    preview: RuleSetPreview, chunk: RuleSetPreviewChunk
) -> tuple[list[RuleSetPreviewRow], dict]:
    """Screen the chunk's living patients under the baseline and the draft, in memory."""
    if preview.baseline is None:  # preview_start refuses to start one without
        raise ValueError(NO_BASELINE)
    baseline = loader.compiled(preview.baseline)
    draft = draft_compiled(preview)
    patients = list(
        Patient.objects.living()
        .filter(pk__gte=chunk.first_patient_id, pk__lte=chunk.last_patient_id)
        .select_related("disease")
        .order_by("pk")
    )
    records = loader.records_for(patients, as_of=preview.as_of)
    rows, tally = [], empty()
    for patient in patients:
        record = records[patient.pk]
        try:
            before = evaluate(record, baseline, preview.as_of)
            after = evaluate(record, draft, preview.as_of)
        except NotScreenable:
            continue
        limit_after = limit_of(after)
        tally_add(tally, before, after, limit_of(before), limit_after)
        rows.append(
            RuleSetPreviewRow(
                preview_id=preview.pk,
                patient_id=patient.pk,
                centre_id_copy=patient.centre_id,
                band_before=before.band,
                band_after=after.band,
                score_before=before.score,
                score_after=after.score,
                moved=before.band != after.band,
                limited_by=limit_after.id[:60] if limit_after else "",
                disease_key=patient.disease.key if patient.disease else "",
                sort_name=f"{patient.family_name}, {patient.given_name}".lower()[:210],
                move_key=move_key(before.band, after.band),
            )
        )
    return rows, tally


def preview_chunk_run(preview_id: int, chunk_id: int) -> int:
    """Screen one chunk, store its rows and its tally, count it once; returns its rows."""
    chunk = RuleSetPreviewChunk.objects.select_related("preview__baseline", "preview__ruleset").get(
        pk=chunk_id, preview_id=preview_id
    )
    preview = chunk.preview
    if preview.status != RUNNING:
        return 0
    rows, tally = _screen(preview, chunk)
    with transaction.atomic():
        locked = RuleSetPreviewChunk.objects.select_for_update().get(pk=chunk_id)
        # A re-run replaces what an earlier delivery of this chunk stored.
        RuleSetPreviewRow.objects.filter(
            preview_id=preview_id,
            patient_id__gte=chunk.first_patient_id,
            patient_id__lte=chunk.last_patient_id,
        ).delete()
        RuleSetPreviewRow.objects.bulk_create(rows)
        first_time = not locked.finished
        locked.finished, locked.partial = True, tally
        locked.save(update_fields=["finished", "partial"])
        if first_time:
            RuleSetPreview.objects.filter(pk=preview_id).update(done=F("done") + chunk.size)
    preview_finish(preview_id)
    return len(rows)


def preview_finish(preview_id: int) -> bool:
    """Add the chunks' tallies up once every chunk has landed; True for the one caller that did."""
    with transaction.atomic():
        claimed = RuleSetPreview.objects.filter(
            pk=preview_id, status=RUNNING, finished_at__isnull=True, done__gte=F("total")
        ).update(finished_at=timezone.now())
        if not claimed:
            return False
        parts = list(
            RuleSetPreviewChunk.objects.filter(preview_id=preview_id).values_list(
                "partial", flat=True
            )
        )
        RuleSetPreview.objects.filter(pk=preview_id).update(
            status=RuleSetPreview.Status.FINISHED, summary=summarise(parts)
        )
    return True


def preview_fail(preview_id: int, error: str) -> None:
    """Mark a running preview failed, with the error the admin will see."""
    RuleSetPreview.objects.filter(pk=preview_id, status=RUNNING).update(
        status=RuleSetPreview.Status.FAILED, error=error[:ERROR_LENGTH], finished_at=timezone.now()
    )
