"""Photos and documents attached to complaints (SPEC K-1, W-1, D-3).

Checking by content, re-encoding pictures (no EXIF, no GPS), the size limits, storing under
``UPLOAD_ROOT/complaints/YYYY/MM/`` with a random name and serving are the floor's
(``core.uploads``, decision 0033); this module keeps what is the complaints' own: the form
field, the ``Attachment`` rows and their "attach" event, who may add files, and the orphans
among the complaints' files.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from estatedesk.complaints import events, workflow
from estatedesk.complaints.models import Attachment, Complaint
from estatedesk.complaints.selectors import complaints_for
from estatedesk.core import policy
from estatedesk.core import uploads as floor
from estatedesk.core.actors import Actor, user_of
from estatedesk.core.errors import InvalidInput, NotAllowed
from estatedesk.core.uploads import PDF_TYPE, Checked, clean_name, discard_on_failure, max_bytes, max_pixels
from estatedesk.core.workflow import lock

FIELD = "attachments"
FOLDER = "complaints"
MAX_FILES_PER_REQUEST = 10

__all__ = [
    "FIELD",
    "FOLDER",
    "MAX_FILES_PER_REQUEST",
    "PDF_TYPE",
    "Checked",
    "attach",
    "can_attach",
    "check",
    "clean_name",
    "discard_on_failure",
    "file_response",
    "max_bytes",
    "max_pixels",
    "path_of",
    "precheck",
    "remove_orphans",
    "store",
]


def precheck(upload: Any) -> None:
    """Cheap checks for forms (size, file signature, picture size) before anything is written."""
    floor.precheck(upload, field=FIELD)


def check(upload: Any) -> Checked:
    return floor.check(upload, field=FIELD)


def path_of(attachment: Attachment) -> Path:
    """The stored file; never outside the upload folder, whatever the row says."""
    return floor.path_of(attachment.stored_name)


def store(*, complaint: Complaint, upload: Any, actor: Actor) -> Attachment:
    """Check, clean and keep one file of a complaint; records an "attach" event.

    Callers have checked that ``actor`` may change the complaint (intake, ``attach`` below).
    """
    checked = check(upload)

    def row(stored_name: str) -> Attachment:
        attachment = Attachment.objects.create(
            complaint=complaint,
            stored_name=stored_name,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=len(checked.data),
            uploaded_by=user_of(actor),
        )
        events.attached(complaint, actor, file_name=checked.original_name)
        return attachment

    return floor.keep(checked, folder=FOLDER, row=row)


def can_attach(user: Actor, complaint: Complaint) -> bool:
    """Whether to offer the "add files" form on a complaint the user already sees."""
    return complaint.is_open and policy.role_of(user) in workflow.HANDLING_ROLES


@transaction.atomic
def attach(*, actor: Actor, complaint: Complaint | int, files: Iterable[Any]) -> list[Attachment]:
    """Add photos or documents to an open complaint (handling roles, within their scope)."""
    pk = complaint if isinstance(complaint, int) else complaint.pk
    locked = lock(complaints_for(actor), pk)  # NotFound out of scope
    if policy.role_of(actor) not in workflow.HANDLING_ROLES:
        raise NotAllowed(_("Your role cannot add attachments to complaints."))
    if not locked.is_open:
        raise InvalidInput(
            _("%(number)s is closed; attachments can no longer be added.") % {"number": locked.number},
            field=FIELD,
        )
    uploads = list(files)
    if not uploads:
        raise InvalidInput(_("Choose at least one file."), field=FIELD)
    if len(uploads) > MAX_FILES_PER_REQUEST:
        raise InvalidInput(
            _("Send at most %(count)d files at a time.") % {"count": MAX_FILES_PER_REQUEST}, field=FIELD
        )
    return [store(complaint=locked, upload=upload, actor=actor) for upload in uploads]


# --- Serving --------------------------------------------------------------------------------------


def file_response(attachment: Attachment) -> FileResponse:
    """Pictures shown inline, PDFs only as downloads (``core.uploads.file_response``)."""
    return floor.file_response(
        attachment.stored_name, content_type=attachment.content_type, label=attachment.original_name
    )


def remove_orphans(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete complaint files that no row points to (left by a crash or an undetected rollback)."""
    return floor.remove_orphans(
        folder=FOLDER,
        known=lambda prefix: Attachment.objects.filter(stored_name__startswith=prefix).values_list(
            "stored_name", flat=True
        ),
        older_than=older_than,
    )
