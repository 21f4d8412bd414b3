"""What the unit's rectification pages read through its private link (SPEC R-4, W-1, D-3).

Everything starts from ``rectification.selectors.link_of`` and ``items_of_unit``: the link
opens its own unit's items and nothing else. The resident sees the status in plain words, the
round, the defect's photos, the work done in the current round and their own objection
photos; never staff names, internal notes, the signed name in full or a paper scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from estatedesk.rectification import selectors
from estatedesk.rectification.models import Item, ItemPhoto, PhotoStage, UnitLink
from estatedesk.rectification.workflow import FIXING_STATUSES, ItemStatus

# The status as a resident would say it: who has it and what happens next.
PLAIN_STATUS: dict[str, Any] = {
    ItemStatus.REPORTED: _("Recorded; we are arranging who will fix it"),
    ItemStatus.PROPERTY_FIXING: _("Being fixed by the property company"),
    ItemStatus.DEVELOPER_REVIEW: _("With the developer, who is arranging the repair"),
    ItemStatus.TEAM_FIXING: _("Being repaired by the developer's rectification team"),
    ItemStatus.DEVELOPER_INSPECTION: _("Repair reported done; the developer is checking it"),
    ItemStatus.TO_NOTIFY: _("Repaired and checked; we will ask you to inspect it soon"),
    ItemStatus.RESIDENT_CHECK: _("Please inspect it and tell us whether you accept the repair"),
    ItemStatus.ACCEPTED: _("Accepted"),
}

# The photos a resident may open: the defect, the work done, their own objections. A paper
# acceptance's scan is the office's record, not shown on the phone.
SHOWN_STAGES = (PhotoStage.REPORTED, PhotoStage.COMPLETED, PhotoStage.OBJECTION)

# Most items a unit's page lists (a handover finds tens per unit, not hundreds).
LIST_LIMIT = 300


def plain_status(status: str) -> str:
    return str(PLAIN_STATUS.get(status, status))


def awaiting(item: Item) -> bool:
    """Waiting for the resident: the page offers accept and object."""
    return item.status == ItemStatus.RESIDENT_CHECK


@dataclass(frozen=True)
class Row:
    item: Item
    status: str  # in plain words


@dataclass
class UnitItems:
    awaiting: list[Row] = field(default_factory=list)
    in_progress: list[Row] = field(default_factory=list)
    accepted: list[Row] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.awaiting) + len(self.in_progress) + len(self.accepted)


def unit_items(link: UnitLink) -> UnitItems:
    """The unit's items in three groups: awaiting the resident, in progress, accepted (one query)."""
    rows = list(
        selectors.items_of_unit(link.unit_id)
        .only(
            "pk",
            "number",
            "location",
            "description",
            "status",
            "round",
            "due_date",
            "accepted_at",
            "notified_at",
            "reported_at",
        )
        .order_by("reported_at", "pk")[:LIST_LIMIT]
    )
    groups = UnitItems()
    for item in rows:
        row = Row(item, plain_status(item.status))
        if awaiting(item):
            groups.awaiting.append(row)
        elif item.status == ItemStatus.ACCEPTED:
            groups.accepted.append(row)
        else:
            groups.in_progress.append(row)
    # The latest acceptance first.
    groups.accepted.sort(key=lambda r: (r.item.accepted_at is not None, r.item.accepted_at), reverse=True)
    return groups


def unit_item(link: UnitLink, item_id: int) -> Item | None:
    """One of the unit's items; another unit's (or a cancelled one) is None, like a missing one."""
    return selectors.items_of_unit(link.unit_id).filter(pk=item_id).first()


def shows_due_date(item: Item) -> bool:
    return item.status in FIXING_STATUSES and item.due_date is not None


def _shown(photo: ItemPhoto, item: Item) -> bool:
    if photo.stage == PhotoStage.COMPLETED:
        return photo.round == item.round
    return photo.stage in SHOWN_STAGES


@dataclass
class ItemPhotos:
    defect: list[ItemPhoto] = field(default_factory=list)
    done: list[ItemPhoto] = field(default_factory=list)
    objections: list[ItemPhoto] = field(default_factory=list)


def item_photos(item: Item) -> ItemPhotos:
    """The defect's photos, the current round's work done and the resident's objection photos."""
    photos = ItemPhotos()
    for photo in item.photos.filter(stage__in=SHOWN_STAGES).order_by("round", "uploaded_at", "pk"):
        if not _shown(photo, item):
            continue
        if photo.stage == PhotoStage.REPORTED:
            photos.defect.append(photo)
        elif photo.stage == PhotoStage.COMPLETED:
            photos.done.append(photo)
        else:
            photos.objections.append(photo)
    return photos


def unit_photo(link: UnitLink, photo_id: int) -> ItemPhoto | None:
    """A photo the unit's page shows; any other (another unit's, a scan, an old round's work) is None."""
    photo = (
        ItemPhoto.objects.select_related("item")
        .filter(pk=photo_id, item__in=selectors.items_of_unit(link.unit_id))
        .first()
    )
    if photo is None or not _shown(photo, photo.item):
        return None
    return photo
