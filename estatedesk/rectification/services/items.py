"""Collecting rectification items into reports (SPEC R-1, R-2, §7.5.1–7.5.2).

The property customer service opens a report for an estate's handover batch (or for a
department's findings) and enters its items, one unit at a time on a phone or many at once
from a spreadsheet (``rectification.importer``). Every item gets its number, its estate and
source from the report, and starts in round 1, collected and waiting for a decision (R-3).

Photos are checked, cleaned of EXIF/GPS and stored by the floor (``core.uploads``) under
``UPLOAD_ROOT/rectification/``. Callers wrap writes with files in
``uploads.discard_on_failure()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from estatedesk.core import policy, uploads
from estatedesk.core.actors import Actor, name_of, stamp, user_of
from estatedesk.core.clock import now
from estatedesk.core.errors import InvalidInput, NotAllowed, NotFound
from estatedesk.core.numbering import next_number
from estatedesk.core.versioning import take_edit
from estatedesk.core.workflow import lock, require
from estatedesk.org.models import Department, Developer, Unit
from estatedesk.rectification import events, selectors
from estatedesk.rectification.models import (
    Category,
    Item,
    ItemEventKind,
    ItemPhoto,
    PhotoStage,
    Report,
    Source,
)
from estatedesk.rectification.models.items import DESCRIPTION_LENGTH, LOCATION_LENGTH
from estatedesk.rectification.services.common import locked_item, text
from estatedesk.rectification.workflow import ENTRY_ROLES, ITEM, TEAM_ROLES

FOLDER = "rectification"
PHOTO_FIELD = "photos"
REPORT_PREFIX = "ZG"
ITEM_PREFIX = "ZX"
TITLE_LENGTH = 200
# Photos one step may carry (a phone sends them all at once).
MAX_PHOTOS = 9


@dataclass
class ItemInput:
    """One item as entered: on the phone's unit screen, in the API or from a spreadsheet row."""

    location: str
    description: str
    category: str
    unit: Unit | None = None
    source: str = ""  # the report's when empty
    photos: Sequence[Any] = field(default_factory=tuple)


def _developer_of(estate_id: int, developer: Developer | None) -> Developer | None:
    if developer is not None:
        if not developer.estates.filter(pk=estate_id).exists():
            raise InvalidInput(_("This developer did not build this estate."), field="developer")
        return developer
    developers = list(Developer.objects.filter(estates=estate_id)[:2])
    return developers[0] if len(developers) == 1 else None


@transaction.atomic
def create_report(
    *,
    actor: Actor,
    estate: Any,
    title: str,
    source: str = Source.HANDOVER,
    developer: Developer | None = None,
    finding_department: Department | None = None,
    notes: str = "",
) -> Report:
    """A rectification report for an estate's batch; the developer is the estate's when it has one."""
    require(actor, ITEM.get("create"))
    estate_id = estate if isinstance(estate, int) else getattr(estate, "pk", None)
    if estate_id is None or not selectors.estates_for(actor).filter(pk=estate_id).exists():
        raise InvalidInput(_("Choose one of your estates."), field="estate")
    if source not in Source.values:
        raise InvalidInput(_("Choose a source from the list."), field="source")
    if source != Source.HANDOVER and finding_department is None:
        raise InvalidInput(_("Say which department found these items."), field="finding_department")
    when = now()
    report = Report.objects.create(
        number=next_number(REPORT_PREFIX, when),
        estate_id=estate_id,
        developer=_developer_of(estate_id, developer),
        title=text(title, field="title", message=_("Give the report a title."), limit=TITLE_LENGTH),
        source=source,
        finding_department=finding_department if source != Source.HANDOVER else None,
        notes=(notes or "").strip(),
        created_at=when,
        created_by=user_of(actor),
        created_by_name=name_of(actor),
    )
    stamp(report, actor)
    return report


@transaction.atomic
def edit_report(
    *, actor: Actor, report: Report | int, title: str, notes: str, based_on: int | None
) -> Report:
    require(actor, ITEM.get("create"))
    report = lock(selectors.reports_for(actor), report if isinstance(report, int) else report.pk)
    if selectors.side_of(actor) != "property":
        raise NotFound(_("Not found, or not yours to see."))
    title = text(title, field="title", message=_("Give the report a title."), limit=TITLE_LENGTH)
    # On a conflict the person sees the texts saved now (theirs), next to their own.
    take_edit(
        report, based_on, current={"title": report.title, "notes": report.notes}, fields=("title", "notes")
    )
    report.title = title
    report.notes = (notes or "").strip()
    stamp(report, actor)
    report.save()
    return report


def _checked(report: Report, row: ItemInput, index: int | None = None) -> ItemInput:
    """The row cleaned, or InvalidInput naming its field (prefixed ``items-N-`` on a multi-row form)."""
    prefix = "" if index is None else f"items-{index}-"
    if row.unit is not None and row.unit.estate_id != report.estate_id:
        raise InvalidInput(_("This unit is not in the report's estate."), field=f"{prefix}unit")
    if row.category not in Category.values:
        raise InvalidInput(_("Choose a category from the list."), field=f"{prefix}category")
    source = row.source or report.source
    if source not in Source.values:
        raise InvalidInput(_("Choose a source from the list."), field=f"{prefix}source")
    if len(row.photos) > MAX_PHOTOS:
        raise InvalidInput(
            _("At most %(count)d photos at a time.") % {"count": MAX_PHOTOS}, field=f"{prefix}{PHOTO_FIELD}"
        )
    return ItemInput(
        location=text(
            row.location,
            field=f"{prefix}location",
            message=_("Say where the defect is."),
            limit=LOCATION_LENGTH,
        ),
        description=text(
            row.description,
            field=f"{prefix}description",
            message=_("Describe the defect."),
            limit=DESCRIPTION_LENGTH,
        ),
        category=row.category,
        unit=row.unit,
        source=source,
        photos=row.photos,
    )


def _keep_photo(item: Item, upload: Any, *, stage: str, actor: Actor, field: str = PHOTO_FIELD) -> ItemPhoto:
    checked = uploads.check(upload, field=field, images_only=True)

    def row(stored_name: str) -> ItemPhoto:
        return ItemPhoto.objects.create(
            item=item,
            stage=stage,
            round=item.round,
            file=stored_name,
            name=checked.original_name,
            content_type=checked.content_type,
            size=len(checked.data),
            uploaded_at=now(),
            uploaded_by_name=name_of(actor),
        )

    return uploads.keep(checked, folder=FOLDER, row=row)


def keep_photos(
    item: Item, photos: Sequence[Any], *, stage: str, actor: Actor, field: str = PHOTO_FIELD
) -> int:
    """Store the photos of one step on the item (inside the step's transaction)."""
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(_("At most %(count)d photos at a time.") % {"count": MAX_PHOTOS}, field=field)
    for upload in photos:
        _keep_photo(item, upload, stage=stage, actor=actor, field=field)
    return len(photos)


@transaction.atomic
def add_items(*, actor: Actor, report: Report | int, rows: Sequence[ItemInput]) -> list[Item]:
    """Record several items at once (a unit's screen, an API call, a spreadsheet's good rows).

    All or none: a bad row is an InvalidInput naming ``items-N-<field>``."""
    require(actor, ITEM.get("create"))
    report = lock(selectors.reports_for(actor), report if isinstance(report, int) else report.pk)
    if selectors.side_of(actor) != "property":
        raise NotFound(_("Not found, or not yours to see."))
    if not rows:
        raise InvalidInput(_("Enter at least one item."), field="items")
    checked = [_checked(report, row, i if len(rows) > 1 else None) for i, row in enumerate(rows)]
    when = now()
    created: list[Item] = []
    for row in checked:
        item = Item.objects.create(
            report=report,
            estate_id=report.estate_id,
            number=next_number(ITEM_PREFIX, when),
            unit=row.unit,
            location=row.location,
            description=row.description,
            category=row.category,
            source=row.source,
            finding_department_id=report.finding_department_id,
            reported_at=when,
            reported_by=user_of(actor),
            reporter_name=name_of(actor),
        )
        stamp(item, actor)
        events.write(item, actor, ItemEventKind.CREATED, from_status="")
        keep_photos(item, row.photos, stage=PhotoStage.REPORTED, actor=actor)
        created.append(item)
    return created


@transaction.atomic
def edit_item(
    *,
    actor: Actor,
    item: Item | int,
    location: str,
    description: str,
    category: str,
    based_on: int | None,
) -> Item:
    """Correct an item's text before anyone fixes it (version-checked, decision 0011)."""
    item = locked_item(actor, item, ITEM.get("edit"))
    row = _checked(
        item.report, ItemInput(location=location, description=description, category=category, unit=item.unit)
    )
    take_edit(
        item,
        based_on,
        current={"location": item.location, "description": item.description},
        fields=("location", "description", "category"),
    )
    item.location, item.description, item.category = row.location, row.description, row.category
    stamp(item, actor)
    item.save()
    events.write(item, actor, ItemEventKind.EDITED)
    return item


@transaction.atomic
def add_photos(
    *, actor: Actor, item: Item | int, photos: Sequence[Any], stage: str = PhotoStage.REPORTED
) -> Item:
    """More photos of the defect while it is open (anyone who may see and work on the item)."""
    if policy.role_of(actor) not in ENTRY_ROLES | TEAM_ROLES:
        raise NotAllowed(_("Your role cannot do this: %(step)s.") % {"step": ItemEventKind.PHOTO.label})
    item = lock(selectors.items_for(actor), item if isinstance(item, int) else item.pk)
    if item.status in ITEM.final:
        raise InvalidInput(
            _("%(number)s is closed; photos can no longer be added.") % {"number": item.number}
        )
    if not photos:
        raise InvalidInput(_("Choose a photo."), field=PHOTO_FIELD)
    if stage not in (PhotoStage.REPORTED, PhotoStage.COMPLETED):
        raise InvalidInput(_("Choose a stage from the list."), field="stage")
    count = keep_photos(item, photos, stage=stage, actor=actor)
    events.write(item, actor, ItemEventKind.PHOTO, data={"count": count, "stage": stage})
    return item
