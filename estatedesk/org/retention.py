"""The record types ``org`` declares (SPEC D-1, D-2): the roster imports with their uploaded
files, and — for ``notifications``, which shares a layer with ``records`` and may not import it —
the outbox (decision 0049). Both are kept by the system administrator.

``uploaded_files``: an import job from when it finished (done or failed). The archive holds the
job as JSON and CSV (file name, who, when, counts, the rejected rows and their reasons) and the
uploaded file itself when it is still on disk (an import deletes it once read; an older one may
remain). Disposal deletes the job and the file.

``outbox``: ``notifications.retention`` says which messages are finished and what of them the
archive keeps; disposal deletes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from estatedesk.notifications import retention as outbox
from estatedesk.org.models import ImportJob, ImportStatus
from estatedesk.records.registry import ArchiveBatch, ArchivedFile, Disposal, RecordType, register

ADMINISTRATOR = _("System administrator")
FINISHED = (ImportStatus.DONE, ImportStatus.FAILED)

IMPORT_HEADER = [
    "id",
    "file_name",
    "stored_as",
    "imported_by",
    "uploaded_at",
    "started_at",
    "finished_at",
    "status",
    "rows",
    "created",
    "updated",
    "unchanged",
    "rejected",
    "message",
]


def _when(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _stored(name: str) -> Path | None:
    """The upload on disk, when it is still there (and inside the storage's folder)."""
    if not name or not default_storage.exists(name):
        return None
    return Path(default_storage.path(name))


# --- uploaded files ------------------------------------------------------------------------------


def imports_past_retention(cutoff: datetime) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(status__in=FINISHED, finished_at__lt=cutoff).order_by("pk")


def archive_imports(ids: Sequence[int]) -> ArchiveBatch:
    batch = ArchiveBatch(records=[], csv_header=IMPORT_HEADER, csv_rows=[])
    for job in ImportJob.objects.filter(pk__in=ids).select_related("created_by").order_by("pk"):
        by = job.created_by.get_username() if job.created_by else ""
        row = [
            job.pk,
            job.original_name,
            job.file,
            by,
            _when(job.created_at),
            _when(job.started_at),
            _when(job.finished_at),
            job.status,
            job.total_rows,
            job.created_count,
            job.updated_count,
            job.unchanged_count,
            job.rejected_count,
            job.message,
        ]
        record: dict[str, Any] = dict(zip(IMPORT_HEADER, row, strict=True))
        record["language"] = job.language
        record["summary"] = job.summary
        record["rejected_rows"] = job.errors
        path = _stored(job.file)
        record["file_archived"] = path is not None
        batch.records.append(record)
        batch.csv_rows.append(row)
        if path is not None:
            batch.files.append(
                ArchivedFile(
                    name=f"uploaded_files/files/import-{job.pk}/{Path(job.original_name).name}", path=path
                )
            )
    return batch


@transaction.atomic
def dispose_imports(ids: Sequence[int]) -> int:
    jobs = list(ImportJob.objects.filter(pk__in=ids, status__in=FINISHED).values_list("pk", "file"))
    deleted = (
        ImportJob.objects.filter(pk__in=[pk for pk, _name in jobs]).delete()[1].get(ImportJob._meta.label, 0)
    )
    # The files go with their rows: they are in the run's closed archive already, and a
    # rollback after this point leaves a job whose file was read long ago.
    for _pk, name in jobs:
        if name and default_storage.exists(name):
            default_storage.delete(name)
    return deleted


def import_labels(ids: Sequence[int]) -> dict[int, str]:
    jobs = ImportJob.objects.filter(pk__in=ids).values_list("pk", "original_name")
    return {pk: f"#{pk} {name}" for pk, name in jobs}


def find_import(text: str) -> int | None:
    text = text.strip()
    number = text.lstrip("#").split(" ", 1)[0]
    if number.isdigit() and len(number) < 12:
        return ImportJob.objects.filter(pk=int(number)).values_list("pk", flat=True).first()
    found = list(ImportJob.objects.filter(original_name=text).values_list("pk", flat=True)[:2])
    return found[0] if len(found) == 1 else None


UPLOADED_FILES = RecordType(
    key="uploaded_files",
    label=_("Roster import files"),
    owner=ADMINISTRATOR,
    basis=_("import finished"),
    disposal=Disposal.DELETE,
    past_retention=imports_past_retention,
    archive=archive_imports,
    dispose=dispose_imports,
    labels=import_labels,
    find=find_import,
    order=130,
    note=_("The import's record with its rejected rows, and the uploaded file if it is still on disk."),
)


# --- the outbox ----------------------------------------------------------------------------------


def archive_outbox(ids: Sequence[int]) -> ArchiveBatch:
    records, rows = outbox.archive(ids)
    return ArchiveBatch(records=records, csv_header=list(outbox.CSV_HEADER), csv_rows=rows)


OUTBOX = RecordType(
    key="outbox",
    label=_("Outbox (messages sent)"),
    owner=ADMINISTRATOR,
    basis=_("sent, withdrawn or failed for good"),
    disposal=Disposal.DELETE,
    past_retention=outbox.past_retention,
    archive=archive_outbox,
    dispose=outbox.dispose,
    labels=outbox.labels,
    find=outbox.find,
    order=140,
    note=_("The archive keeps who was sent what subject, when and how (the address masked), not the text."),
)


def register_types() -> None:
    register(UPLOADED_FILES)
    register(OUTBOX)
