"""The hash chain over the audit rows: the access log, every history table, review events.

One chain per table (its model label), so tables never wait on each other. Rows are written
as usual, with no lock and no extra query; a *sealer* (a Celery beat task every minute, and
``manage.py seal_audit``) links the rows not yet in the chain, in id order, each link holding

    digest = SHA-256(the row's content, canonical JSON)
    hash   = SHA-256(previous link's hash | chain | position | row id | digest)

Why sealing after the fact, and not a hash computed as each row is written: a row that
hashes its predecessor must know which row that is. Two requests writing at once would both
read the same predecessor (a fork) unless every writer of the table queued on one lock held
until its transaction commits, and history rows are written inside long transactions (an
import, a re-screen), so every edit would wait on them. Ids do not settle the order either:
a transaction that took id 10 may commit after the one that took id 11. The sealer reads
only committed rows, takes positions 1, 2, 3… itself, and the unique (chain, position)
constraint makes two sealers racing fail rather than fork. A row that commits late is
sealed by the next run, at the next position: the chain's order is the order rows were
sealed, which the positions record.

The price: a row is unprotected until it is sealed (a minute, AUDIT_SEAL_SECONDS). In that
window the app's database role still cannot change it (roles.py); only the owner could.

``chain_verify`` recomputes every link from the rows as they are now and reports the first
that does not match: a row changed or deleted after sealing, a link changed or removed. It
can start at any link (``since``), trusting the hash stored before it: verification is
incremental. What no chain can show is its own tail cut off (the last rows and their links
deleted together): ``verify_audit`` prints each chain's head so it can be kept elsewhere.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, Max, OuterRef

from .models import AppendOnlyModel, ChainLink

GENESIS = "0" * 64
BATCH = 1000
# A row committed this many ids behind the newest sealed one is still found by the minute's
# sealer; one later still (a transaction open across 100,000 other inserts) by ``--full``,
# and verify_audit counts it as unsealed meanwhile.
LOOKBACK_IDS = 100_000


def chained_models() -> list[type[models.Model]]:
    """Every table the chain covers: the history tables and the append-only models."""
    from simple_history.models import HistoricalChanges

    found = [
        model
        for model in apps.get_models()
        if issubclass(model, HistoricalChanges)
        or (issubclass(model, AppendOnlyModel) and model is not ChainLink)
    ]
    return sorted(found, key=lambda model: model._meta.label_lower)


def _plain(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value  # str, int, bool, None, and JSON values as read back


def row_digest(row: dict) -> str:
    """SHA-256 of a row as read from the database (``.values()``), in canonical JSON."""
    text = json.dumps(
        {key: _plain(value) for key, value in row.items()},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def link_hash(previous: str, chain: str, position: int, row_id: int, digest: str) -> str:
    return hashlib.sha256(f"{previous}|{chain}|{position}|{row_id}|{digest}".encode()).hexdigest()


def _rows(model) -> models.QuerySet:
    return model._base_manager.order_by()


def chain_seal(*, model, full: bool = False) -> int:
    """Link the rows of ``model`` not yet in its chain, oldest id first; how many were linked."""
    chain = model._meta.label_lower
    pk = model._meta.pk.attname
    sealed_rows = ChainLink.objects.filter(chain=chain, row_id=OuterRef(pk))
    pending = _rows(model).filter(~Exists(sealed_rows)).order_by(pk)
    if not full:
        newest = ChainLink.objects.filter(chain=chain).aggregate(newest=Max("row_id"))["newest"]
        if newest is not None:
            pending = pending.filter(**{f"{pk}__gt": newest - LOOKBACK_IDS})
    total = 0
    while True:
        try:
            with transaction.atomic():
                linked = _seal_batch(chain, pk, list(pending.values()[:BATCH]))
        except IntegrityError:
            return total  # another sealer got there first; the next run goes on from it
        total += linked
        if linked < BATCH:
            return total


def _seal_batch(chain: str, pk: str, rows: list[dict]) -> int:
    last = ChainLink.objects.filter(chain=chain).order_by("-position").first()
    previous, position = (last.hash, last.position) if last else (GENESIS, 0)
    links = []
    for row in rows:
        position += 1
        digest = row_digest(row)
        previous = link_hash(previous, chain, position, row[pk], digest)
        links.append(
            ChainLink(chain=chain, position=position, row_id=row[pk], digest=digest, hash=previous)
        )
    ChainLink.objects.bulk_create(links)
    return len(links)


def seal_all(*, full: bool = False) -> dict[str, int]:
    """Seal every chained table; rows linked per chain."""
    return {
        model._meta.label_lower: chain_seal(model=model, full=full) for model in chained_models()
    }


@dataclass(frozen=True)
class ChainReport:
    chain: str
    links: int  # links checked
    head_position: int
    head_hash: str
    unsealed: int  # rows not yet in the chain
    broken_at: int | None = None  # the first link that does not recompute
    row_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


ROW_CHANGED = "the row was changed after it was sealed"
ROW_DELETED = "the row was deleted after it was sealed"
LINK_CHANGED = "the link itself was changed"
LINK_MISSING = "links are missing before this one (a position was skipped)"


def _link_batches(chain: str, start: int) -> Iterator[list[ChainLink]]:
    position = start - 1
    while True:
        batch = list(
            ChainLink.objects.filter(chain=chain, position__gt=position).order_by("position")[
                :BATCH
            ]
        )
        if not batch:
            return
        yield batch
        position = batch[-1].position


def _start(chain: str, since: datetime.datetime | None) -> tuple[int, str]:
    """The first position to check and the hash before it (trusted: checked earlier)."""
    if since is None:
        return 1, GENESIS
    first = ChainLink.objects.filter(chain=chain, sealed_at__gte=since).order_by("position").first()
    if first is None or first.position == 1:
        return (first.position if first else 1), GENESIS
    before = ChainLink.objects.filter(chain=chain, position=first.position - 1).first()
    return first.position, before.hash if before else GENESIS


def chain_verify(*, model, since: datetime.datetime | None = None) -> ChainReport:
    """Recompute ``model``'s chain from its rows as they are now; the first break, if any."""
    chain = model._meta.label_lower
    pk = model._meta.pk.attname
    expected, previous = _start(chain, since)
    checked = 0
    for batch in _link_batches(chain, expected):
        rows = {
            row[pk]: row
            for row in _rows(model).filter(**{f"{pk}__in": [ln.row_id for ln in batch]}).values()
        }
        for link in batch:
            problem = _problem(link, rows.get(link.row_id), previous, expected, chain)
            if problem:
                return _report(
                    model, checked, broken_at=link.position, row_id=link.row_id, problem=problem
                )
            previous, expected, checked = link.hash, expected + 1, checked + 1
    return _report(model, checked)


def _problem(link: ChainLink, row: dict | None, previous: str, expected: int, chain: str) -> str:
    if link.position != expected:
        return LINK_MISSING
    if row is None:
        return ROW_DELETED
    if row_digest(row) != link.digest:
        return ROW_CHANGED
    if link_hash(previous, chain, link.position, link.row_id, link.digest) != link.hash:
        return LINK_CHANGED
    return ""


def _report(model, checked: int, **broken) -> ChainReport:
    chain = model._meta.label_lower
    pk = model._meta.pk.attname
    head = ChainLink.objects.filter(chain=chain).order_by("-position").first()
    sealed_rows = ChainLink.objects.filter(chain=chain, row_id=OuterRef(pk))
    unsealed = _rows(model).filter(~Exists(sealed_rows)).count()
    return ChainReport(
        chain=chain,
        links=checked,
        head_position=head.position if head else 0,
        head_hash=head.hash if head else GENESIS,
        unsealed=unsealed,
        **broken,
    )
