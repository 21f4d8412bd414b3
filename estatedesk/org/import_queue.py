"""Starting a roster import: the upload is kept under a name we make, the job row is created,
and the worker is told after commit (``tasks.run_import`` then calls ``import_service.run_job``)."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation

from estatedesk.core.actors import Actor, user_of
from estatedesk.org import tasks
from estatedesk.org.models import ImportJob

IMPORT_DIR = "imports"


def create_job(*, actor: Actor, upload: File, language: str = "") -> ImportJob:
    """Keep the upload under a name we make (never the user's) and queue its import."""
    original = Path(getattr(upload, "name", "") or "roster").name[:255]
    suffix = ".xlsx" if original.lower().endswith(".xlsx") else ".csv"
    path = default_storage.save(f"{IMPORT_DIR}/{uuid4().hex}{suffix}", upload)
    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=user_of(actor),
            file=path,
            original_name=original,
            language=language or translation.get_language() or settings.LANGUAGE_CODE,
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    tasks.run_import(job_id)
