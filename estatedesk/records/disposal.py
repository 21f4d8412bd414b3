"""The disposal job: archive what is past retention, then delete or anonymise it (SPEC D-2).

One run, in two phases (decision 0045):

A. **Archiving.** For each record type, in the table's order: the period in force, the
   cut-off in company time, the records past it (paged by primary key, a chunk at a time)
   minus those under a legal hold. Each chunk is archived (``RecordType.archive``) into the
   run's zip and written to the ledger (``DisposalEntry``) in the same step. Nothing is
   deleted in this phase. The zip is closed, renamed from ``.part``, its SHA-256 and size
   recorded, and the run becomes ARCHIVED.
B. **Disposing.** The run's pending entries, a chunk at a time per type: holds are checked
   again (a hold placed since the archive keeps the record, ``kept_reason``), the rest are
   disposed of (``RecordType.dispose``) and their entries marked ``disposed_at`` in the same
   transaction. Then DONE, with the counts.

Interrupted in B, a run stays ARCHIVED and the next run finishes it first: only entries not
yet marked go, and ``dispose`` skips records already gone, so each archived record is
disposed of once. Interrupted in A, a run stays ARCHIVING: the next run marks it ABANDONED,
deletes its unfinished zip and its entries (nothing of it was disposed of) and archives afresh.
One run at a time (``_exclusive``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from estatedesk.core import clock, numbering
from estatedesk.core.actors import Actor, user_of
from estatedesk.core.errors import AlreadyHandled, NotAllowed
from estatedesk.core.i18n import in_company_language
from estatedesk.core.policy import is_admin
from estatedesk.records import periods
from estatedesk.records.archive import ArchiveWriter, part_path
from estatedesk.records.holds import held_ids
from estatedesk.records.models import DisposalEntry, DisposalRun, RunStatus, RunTrigger
from estatedesk.records.registry import Disposal, RecordType, record_type, record_types
from estatedesk.records.retention import months_for

try:  # POSIX; on other systems the database lock alone (PostgreSQL) keeps runs apart.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

CHUNK = 1000  # records per archive member, ledger write and dispose call
WINDOW = 5000  # primary keys read per listing query (_id_chunks)
SAMPLE = 20  # labels a dry run shows per type
LOCK_FILE = ".disposal.lock"
_PG_LOCK_KEY = 0x45_44_52_31  # "EDR1": the PostgreSQL advisory lock of the disposal job

BUSY = _("A disposal run is already under way. Try again when it has finished.")


def archive_dir() -> Path:
    return Path(settings.RECORDS_ARCHIVE_DIR)


def archive_path(run: DisposalRun) -> Path:
    """Where the run's archive is (the run's number, ``.zip``, in RECORDS_ARCHIVE_DIR)."""
    return archive_dir() / (run.archive_name or f"{run.number}.zip")


# --- The lock ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _exclusive() -> Iterator[None]:
    """Hold the disposal lock for the whole run, or refuse with ``AlreadyHandled``.

    An OS lock on a file in the archive folder (every worker writes its archives there) and, on
    PostgreSQL, a session advisory lock. Both end with the process that holds them, so a run
    killed halfway never leaves the job locked: the next run finds it ARCHIVING or ARCHIVED and
    knows it is dead.
    """
    folder = archive_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK_FILE).open("a") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise AlreadyHandled(BUSY) from None
        try:
            with _database_lock():
                yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def _database_lock() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_PG_LOCK_KEY])
        (taken,) = cursor.fetchone()
    if not taken:
        raise AlreadyHandled(BUSY)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_PG_LOCK_KEY])


# --- Listing ----------------------------------------------------------------------------------


def _listed(kind: RecordType, cutoff: datetime) -> QuerySet[Any]:
    """The type's records past retention. An anonymised record stays in its table: once
    disposed of, it is never listed again."""
    rows = kind.past_retention(cutoff)
    if kind.disposal == Disposal.ANONYMISE:
        done = DisposalEntry.objects.filter(record_type=kind.key, disposed_at__isnull=False)
        rows = rows.exclude(pk__in=done.values("record_id"))
    return rows


def _id_chunks(rows: QuerySet[Any]) -> Iterator[list[int]]:
    """The ids of ``rows`` in order, a chunk at a time, never all ids at once.

    Read by windows of primary keys (``WINDOW`` at a time from the table's lowest to its highest
    id when the run started), not by "the next CHUNK after the last id": a type's listing
    excludes what must stay (open duplicates, open notices, records other apps point at), and
    with those conditions a database may answer "the next 1,000" by reading every candidate
    row and sorting it — once per chunk, so a run over N records would cost N² / CHUNK. A window
    bounds each query by the primary key whatever plan the database picks.
    """
    ids = rows.values_list("pk", flat=True).order_by("pk")
    bounds = rows.model._default_manager.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    low, high = int(bounds["low"]) - 1, int(bounds["high"])
    pending: list[int] = []
    while low < high:
        pending.extend(ids.filter(pk__gt=low, pk__lte=low + WINDOW))
        low += WINDOW
        while len(pending) >= CHUNK:
            yield pending[:CHUNK]
            pending = pending[CHUNK:]
    if pending:
        yield pending


def _cutoffs(now: datetime) -> list[tuple[RecordType, int, datetime]]:
    zone = clock.company_zone()
    table = []
    for kind in record_types():
        months = months_for(kind.key)
        table.append((kind, months, periods.cutoff(now, months, zone)))
    return table


# --- The job ----------------------------------------------------------------------------------


def dispose_past_retention(
    *,
    actor: Actor | None,
    trigger: RunTrigger | str,
    dry_run: bool = False,
    now: datetime | None = None,
    only_if_due: bool = False,
) -> DisposalRun:
    """Run the disposal job (or its dry run) and return the run's record.

    ``only_if_due`` (the monthly schedule): refuse with ``AlreadyHandled`` unless this month's
    scheduled run is still due once the lock is held. Two workers that both found it due
    before taking the lock would otherwise run it one after the other.
    """
    if user_of(actor) is not None and not is_admin(actor):
        raise NotAllowed(_("Only an administrator runs the disposal of records."))
    now = now or clock.now()
    if dry_run:
        return _preview(actor, trigger, now)
    with _exclusive():
        if only_if_due and not monthly_run_due(now):
            raise AlreadyHandled(BUSY)
        for left in DisposalRun.objects.filter(status=RunStatus.ARCHIVING).order_by("id"):
            _abandon(left)
        for left in DisposalRun.objects.filter(status=RunStatus.ARCHIVED).order_by("id"):
            _dispose_entries(left)
        run = _start(actor, trigger, now, RunStatus.ARCHIVING)
        _archive(run, now)
        _dispose_entries(run)
    run.refresh_from_db()
    return run


def _start(actor: Actor | None, trigger: RunTrigger | str, now: datetime, status: RunStatus) -> DisposalRun:
    with transaction.atomic():
        return DisposalRun.objects.create(
            number=numbering.next_number("DR", now),
            trigger=trigger,
            started_by=user_of(actor),
            dry_run=status == RunStatus.PREVIEW,
            status=status,
            started_at=clock.now(),
        )


def _preview(actor: Actor | None, trigger: RunTrigger | str, now: datetime) -> DisposalRun:
    """What a run would list, hold and dispose of now; nothing is archived or touched."""
    counts: dict[str, Any] = {}
    for kind, months, cutoff in _cutoffs(now):
        rows = _listed(kind, cutoff)
        held = held_ids(kind.key)
        listed = rows.count()
        held_count = rows.filter(pk__in=held).count() if held else 0
        sample = list(rows.exclude(pk__in=held).values_list("pk", flat=True).order_by("pk")[:SAMPLE])
        labels = kind.labels(sample) if sample else {}
        counts[kind.key] = {
            "listed": listed,
            "held": held_count,
            "to_dispose": listed - held_count,
            "sample": [labels.get(i, str(i)) for i in sample],
            "cutoff": cutoff.isoformat(),
            "months": months,
        }
    run = _start(actor, trigger, now, RunStatus.PREVIEW)
    run.counts = counts
    run.finished_at = clock.now()
    run.save(update_fields=["counts", "finished_at"])
    return run


def _archive(run: DisposalRun, now: datetime) -> None:
    """Phase A: list, archive and write the ledger; close the zip. Nothing is deleted."""
    path = archive_dir() / f"{run.number}.zip"
    writer = ArchiveWriter(path, run=run.number, created_at=run.started_at.isoformat())
    counts: dict[str, Any] = {}
    try:
        for kind, months, cutoff in _cutoffs(now):
            held = held_ids(kind.key)
            listed = held_count = archived = number = 0
            for ids in _id_chunks(_listed(kind, cutoff)):
                listed += len(ids)
                free = [i for i in ids if i not in held]
                held_count += len(ids) - len(free)
                if free:
                    number += 1
                    archived += _archive_chunk(run, kind, free, number, writer)
            counts[kind.key] = {
                "listed": listed,
                "held": held_count,
                "archived": archived,
                "disposed": 0,
                "kept": 0,
                "cutoff": cutoff.isoformat(),
                "months": months,
            }
            DisposalRun.objects.filter(pk=run.pk).update(counts=counts)
        manifest_types = {
            key: {"count": c["archived"], "cutoff": c["cutoff"], "months": c["months"]}
            for key, c in counts.items()
        }
        sha256, size = writer.close(manifest_types)
    except BaseException as error:
        # Left ARCHIVING, as a killed process would leave it: the next run abandons it.
        writer.abort()
        DisposalRun.objects.filter(pk=run.pk).update(error=_error_text(error))
        raise
    run.status = RunStatus.ARCHIVED
    run.counts = counts
    run.archive_name = path.name
    run.archive_sha256 = sha256
    run.archive_bytes = size
    run.archived_at = clock.now()
    run.save(
        update_fields=["status", "counts", "archive_name", "archive_sha256", "archive_bytes", "archived_at"]
    )


def _archive_chunk(
    run: DisposalRun, kind: RecordType, ids: list[int], number: int, writer: ArchiveWriter
) -> int:
    batch = kind.archive(ids)
    wanted = set(ids)
    # Only what is in the archive is ever disposed of (a record gone meanwhile is not).
    archived = sorted({int(r["id"]) for r in batch.records if r.get("id") is not None} & wanted)
    writer.add_batch(kind.key, number, batch)
    labels = kind.labels(archived) if archived else {}
    DisposalEntry.objects.bulk_create(
        [
            DisposalEntry(
                run=run, record_type=kind.key, record_id=i, record_label=(labels.get(i) or str(i))[:200]
            )
            for i in archived
        ]
    )
    return len(archived)


def _dispose_entries(run: DisposalRun) -> None:
    """Phase B: dispose of the run's pending entries, each once; then DONE with the counts."""
    try:
        pending = DisposalEntry.objects.filter(run=run, disposed_at__isnull=True, kept_reason="")
        for key in list(pending.values_list("record_type", flat=True).distinct().order_by("record_type")):
            kind = record_type(key)
            while True:
                chunk = list(
                    pending.filter(record_type=key).order_by("id").values_list("id", "record_id")[:CHUNK]
                )
                if not chunk:
                    break
                _dispose_chunk(kind, key, chunk)
    except BaseException as error:
        # Left ARCHIVED: the next run finishes it.
        DisposalRun.objects.filter(pk=run.pk).update(error=_error_text(error))
        raise
    counts = dict(run.counts)
    tally = (
        DisposalEntry.objects.filter(run=run)
        .values("record_type")
        .annotate(
            disposed=Count("id", filter=Q(disposed_at__isnull=False)),
            kept=Count("id", filter=~Q(kept_reason="")),
        )
    )
    for row in tally:
        counts.setdefault(row["record_type"], {}).update(disposed=row["disposed"], kept=row["kept"])
    run.counts = counts
    run.status = RunStatus.DONE
    run.finished_at = clock.now()
    run.error = ""
    run.save(update_fields=["counts", "status", "finished_at", "error"])


def _dispose_chunk(kind: RecordType | None, key: str, chunk: Sequence[tuple[int, int]]) -> None:
    with transaction.atomic():
        if kind is None:
            # The app that owned the type is gone: nothing can dispose of its records.
            with in_company_language():
                reason = str(_("The record type is no longer known."))
            DisposalEntry.objects.filter(pk__in=[e for e, _r in chunk]).update(kept_reason=reason[:200])
            return
        held = held_ids(key)
        kept = [entry for entry, record in chunk if record in held]
        going = [(entry, record) for entry, record in chunk if record not in held]
        if kept:
            with in_company_language():
                reason = str(_("A legal hold was placed after the record was archived."))
            DisposalEntry.objects.filter(pk__in=kept).update(kept_reason=reason[:200])
        if going:
            kind.dispose([record for _e, record in going])
            DisposalEntry.objects.filter(pk__in=[entry for entry, _r in going]).update(
                disposed_at=clock.now()
            )


def _abandon(run: DisposalRun) -> None:
    """A run interrupted while archiving: nothing of it was disposed of. Its unfinished zip
    and its entries go; the run stays, ABANDONED, as the record that it was tried."""
    path = archive_path(run) if run.archive_name else archive_dir() / f"{run.number}.zip"
    part_path(path).unlink(missing_ok=True)
    path.unlink(missing_ok=True)
    with transaction.atomic():
        DisposalEntry.objects.filter(run=run, disposed_at__isnull=True).delete()
        run.status = RunStatus.ABANDONED
        run.finished_at = clock.now()
        run.archive_name = ""
        run.save(update_fields=["status", "finished_at", "archive_name"])
    log.warning("Disposal run %s was interrupted while archiving; abandoned.", run.number)


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


# --- The monthly schedule ---------------------------------------------------------------------

SCHEDULE_DAY, SCHEDULE_HOUR = 1, 3  # the 1st of each month, 03:00 company time


def monthly_run_due(now: datetime | None = None) -> bool:
    """Whether this company month's scheduled run is due: it is past 03:00 on the 1st (company
    time) and no scheduled run has started since. One attempt a month; a failed one is on the
    runs page with its error, and an administrator starts it again with the button."""
    local = (now or clock.now()).astimezone(clock.company_zone())
    start = local.replace(day=SCHEDULE_DAY, hour=SCHEDULE_HOUR, minute=0, second=0, microsecond=0)
    if local < start:
        return False
    return not DisposalRun.objects.filter(
        trigger=RunTrigger.SCHEDULE, dry_run=False, started_at__gte=start
    ).exists()
