"""Roster import jobs: keep the upload, queue it, claim it once, run it, record the outcome.

``run_job`` reads the file with ``importer``, hands the checked rows to
``import_upsert.import_rows`` and stores the counts and the rejected rows with their reasons
on the ``ImportJob``. If an import stops half-way, the rows saved so far are kept and
importing the same file again finishes it.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from estatedesk.core.actors import SYSTEM
from estatedesk.org import importer
from estatedesk.org.import_upsert import import_rows
from estatedesk.org.import_vocab import render
from estatedesk.org.models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)

# Enough to fix a broken file; the count of rejected rows is always exact.
MAX_STORED_ERRORS = 10_000
E_FAILED = gettext_noop(
    "The import stopped because of an unexpected error. Rows saved before it stopped are kept;"
    " import the same file again to finish."
)
E_INTERRUPTED = gettext_noop(
    "The import was interrupted because the background worker stopped. Rows saved before it stopped are kept;"
    " upload the same file again to finish."
)
# An import of 100,000 units takes under two minutes; one still "running" after this has lost its worker.
STALE_AFTER = timedelta(hours=1)

_gc_lock = threading.Lock()
_gc_state = {"pauses": 0, "was_enabled": True}


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while an import builds hundreds of thousands of objects.

    Objects are still freed by reference counting; the collector only looks for cycles, and
    with this many live objects its repeated full scans took a quarter of the import's time
    (measured). The last import to finish puts it back as it was.
    """
    with _gc_lock:
        if _gc_state["pauses"] == 0:
            _gc_state["was_enabled"] = gc.isenabled()
            gc.disable()
        _gc_state["pauses"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_state["pauses"] -= 1
            if _gc_state["pauses"] == 0 and _gc_state["was_enabled"]:
                gc.enable()


# --- Jobs -----------------------------------------------------------------------------------


def claim_job(job_id: int) -> bool:
    """pending -> running, once: a second worker (or a retried task) gets False and stops."""
    return bool(
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
            status=ImportStatus.RUNNING, started_at=timezone.now()
        )
    )


def _finish(job: ImportJob, status: str, **values: Any) -> None:
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
        status=status, finished_at=timezone.now(), **values
    )


def run_job(job_id: int) -> bool:
    """Claim and run one import job; False when another worker had already claimed it."""
    if not claim_job(job_id):
        return False
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE), _cyclic_gc_paused():
            with default_storage.open(job.file, "rb") as upload:
                parsed = importer.parse_file(upload, job.original_name)
            errors = [e.as_dict() for e in parsed.errors[:MAX_STORED_ERRORS]]
            if parsed.file_error is not None:
                problem = parsed.file_error
                _finish(
                    job,
                    ImportStatus.FAILED,
                    message=render(problem.code, problem.params),
                    summary={"problem": problem.as_dict()},
                )
                return True
            ImportJob.objects.filter(pk=job.pk).update(total_rows=parsed.total_rows)
            outcome = import_rows(
                actor=job.created_by or SYSTEM, rows=parsed.rows, reason=f"roster import #{job.pk}"
            )
            _finish(
                job,
                ImportStatus.DONE,
                total_rows=parsed.total_rows,
                created_count=outcome.created,
                updated_count=outcome.updated,
                unchanged_count=outcome.unchanged,
                rejected_count=len(parsed.errors),
                summary=outcome.summary,
                errors=errors,
            )
    except Exception:
        logger.exception("roster import %s failed", job_id)
        with translation.override(job.language or settings.LANGUAGE_CODE):
            _finish(
                job,
                ImportStatus.FAILED,
                message=render(E_FAILED),
                summary={"problem": {"code": E_FAILED, "params": {}}},
            )
    finally:
        # The upload holds phone numbers in clear: it is not kept once read (SPEC D-3).
        default_storage.delete(job.file)
    return True


def sweep_stale_jobs(now: datetime | None = None) -> int:
    """Jobs left "running" by a worker that died are marked failed with a message that says
    so, and their uploaded file (phone numbers in clear) is deleted. Returns how many were swept. Safe to run on several workers: each
    job moves with a conditional update.
    """
    now = now or timezone.now()
    swept = 0
    stale = ImportJob.objects.filter(status=ImportStatus.RUNNING, started_at__lt=now - STALE_AFTER)
    for job in stale.only("pk", "file", "language"):
        with translation.override(job.language or settings.LANGUAGE_CODE):
            moved = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
                status=ImportStatus.FAILED,
                finished_at=now,
                message=render(E_INTERRUPTED),
                summary={"problem": {"code": E_INTERRUPTED, "params": {}}},
            )
        if moved:
            swept += 1
            if job.file and default_storage.exists(job.file):
                default_storage.delete(job.file)
    return swept
