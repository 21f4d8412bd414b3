"""A notice's attachments and the evidence that it was posted (SPEC C-2, C-3, D-3).

* **Attachments**: a PDF or pictures that go with the notice (the water company's letter, a
  map of the works), added while it is a draft, scheduled or published, by those who may edit
  notices.
* **Evidence**: a photo of the printed sheet on the lobby board or of the warning sign on
  site, with when it was taken (not in the future, not before the notice was written) and
  where; optionally the building, which must be the notice's estate's.

Files are checked, cleaned of EXIF/GPS and stored by the floor (``core.uploads``) under
``UPLOAD_ROOT/notices/YYYY/MM/``. Callers wrap these in ``uploads.discard_on_failure()``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from estatedesk.communication import events, selectors
from estatedesk.communication.models import Notice, NoticeAttachment, NoticeEventKind, NoticeEvidence
from estatedesk.communication.workflow import NOTICE, NoticeStatus
from estatedesk.core import policy, uploads
from estatedesk.core.actors import Actor, name_of
from estatedesk.core.clock import now
from estatedesk.core.errors import InvalidInput
from estatedesk.core.workflow import check_source, lock, require
from estatedesk.org.models import Building

FOLDER = "notices"
ATTACHMENT_FIELD = "file"
EVIDENCE_FIELD = "photo"
PLACE_LENGTH = 200
# Attachments can be added until the notice is over (cancelled or withdrawn).
ATTACHABLE = (NoticeStatus.DRAFT, NoticeStatus.SCHEDULED, NoticeStatus.PUBLISHED)
# A phone's clock may run a little ahead of the server's.
CLOCK_SLACK = timedelta(minutes=5)


def _locked(actor: Actor, notice: Notice | int) -> Notice:
    return lock(selectors.notices_for(actor), notice if isinstance(notice, int) else notice.pk)


def can_attach(user: Actor, notice: Notice) -> bool:
    """Whether to offer the "add an attachment" form on a notice the user already sees."""
    return notice.status in ATTACHABLE and policy.role_of(user) in NOTICE.get("edit").roles


def can_add_evidence(user: Actor, notice: Notice) -> bool:
    transition = NOTICE.get("add_evidence")
    return transition.allows(notice.status) and policy.role_of(user) in transition.roles


@transaction.atomic
def add_attachment(*, actor: Actor, notice: Notice | int, upload: Any) -> NoticeAttachment:
    """A PDF or picture that goes with the notice (draft, scheduled or published)."""
    require(actor, NOTICE.get("edit"))
    notice = _locked(actor, notice)
    if notice.status not in ATTACHABLE:
        raise InvalidInput(
            _("%(number)s is over; attachments can no longer be added.") % {"number": notice.number},
            field=ATTACHMENT_FIELD,
        )
    if upload is None:
        raise InvalidInput(_("Choose a file."), field=ATTACHMENT_FIELD)
    checked = uploads.check(upload, field=ATTACHMENT_FIELD)
    locked = notice

    def row(stored_name: str) -> NoticeAttachment:
        attachment = NoticeAttachment.objects.create(
            notice=locked,
            file=stored_name,
            name=checked.original_name,
            content_type=checked.content_type,
            size=len(checked.data),
            uploaded_at=now(),
            uploaded_by_name=name_of(actor),
        )
        events.write(locked, actor, NoticeEventKind.ATTACHMENT_ADDED, note=checked.original_name)
        return attachment

    return uploads.keep(checked, folder=FOLDER, row=row)


@transaction.atomic
def add_evidence(
    *,
    actor: Actor,
    notice: Notice | int,
    upload: Any,
    taken_at: datetime | None,
    place: str,
    building: int | None = None,
) -> NoticeEvidence:
    """A photo of the posted notice or the warning sign, with when and where it was taken."""
    transition = NOTICE.get("add_evidence")
    require(actor, transition)
    notice = _locked(actor, notice)
    check_source(NOTICE, transition, notice.status, notice.number)
    if taken_at is None:
        raise InvalidInput(_("Enter when the photo was taken."), field="taken_at")
    if taken_at > now() + CLOCK_SLACK:
        raise InvalidInput(_("The time cannot be in the future."), field="taken_at")
    # Times are typed to the minute: a photo taken the minute the notice was written is fine.
    if taken_at < notice.created_at.replace(second=0, microsecond=0):
        raise InvalidInput(
            _("The photo cannot be older than the notice: it was written %(when)s.")
            % {"when": _local(notice.created_at)},
            field="taken_at",
        )
    place = " ".join((place or "").split())
    if not place:
        raise InvalidInput(_("Say where the notice was posted."), field="place")
    if len(place) > PLACE_LENGTH:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": PLACE_LENGTH}, field="place")
    where: Building | None = None
    if building:
        where = Building.objects.filter(pk=building, estate_id=notice.estate_id).first()
        if where is None:
            raise InvalidInput(_("Choose a building of this estate."), field="building")
    if upload is None:
        raise InvalidInput(_("Choose a photo."), field=EVIDENCE_FIELD)
    checked = uploads.check(upload, field=EVIDENCE_FIELD, images_only=True)
    locked = notice

    def row(stored_name: str) -> NoticeEvidence:
        evidence = NoticeEvidence.objects.create(
            notice=locked,
            file=stored_name,
            content_type=checked.content_type,
            taken_at=taken_at,
            place=place,
            building=where,
            uploaded_at=now(),
            uploaded_by_name=name_of(actor),
        )
        events.write(
            locked,
            actor,
            NoticeEventKind.EVIDENCE_ADDED,
            note=place,
            data={"evidence": evidence.pk, "building": where.pk if where else None},
        )
        return evidence

    return uploads.keep(checked, folder=FOLDER, row=row)


def _local(value: datetime) -> str:
    return date_format(localtime(value), "DATETIME_FORMAT")


def remove_orphans(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete notice files that no attachment or evidence row points to."""

    def known(prefix: str) -> list[str]:
        return [
            *NoticeAttachment.objects.filter(file__startswith=prefix).values_list("file", flat=True),
            *NoticeEvidence.objects.filter(file__startswith=prefix).values_list("file", flat=True),
        ]

    return uploads.remove_orphans(folder=FOLDER, known=known, older_than=older_than)
