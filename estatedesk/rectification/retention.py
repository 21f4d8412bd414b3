"""Rectification records and how long they are kept (SPEC D-1, D-2; decision 0048).

§8 of the procedure forgets the rectification records; they are kept like the complaint
records: two years, by the departments. The record is a rectification report (项目整改报告)
with its items, their photos (the defect, the work done, objections, scans of signed paper
acceptances), the residents' signatures drawn on the phone, and the items' timelines.

Its period runs from when its last item was accepted or cancelled; a report with an item
still open is never past retention (a report with no items, from when it was created). It is
deleted whole: the items, photos, signatures and events, their history rows and stored files,
and the private links of units left with no item.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import DateTimeField, Exists, F, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from estatedesk.records.registry import ArchiveBatch, ArchivedFile, Disposal, RecordType, register
from estatedesk.records.toolkit import plain, stored_file, unlink_after_commit
from estatedesk.rectification.models import Item, ItemEvent, ItemEventKind, ItemPhoto, Report, UnitLink
from estatedesk.rectification.workflow import OPEN_STATUSES

KEY = "rectification"
EVENT_FIELDS = ("at", "actor_name", "kind", "round", "from_status", "to_status", "note", "data")


def finished_at() -> Greatest:
    """When the report's last item was accepted or cancelled (its creation when it has none)."""
    accepted = Subquery(
        Item.objects.filter(report=OuterRef("pk"))
        .values("report")
        .annotate(m=Max("accepted_at"))
        .values("m"),
        output_field=DateTimeField(),
    )
    cancelled = Subquery(
        ItemEvent.objects.filter(item__report=OuterRef("pk"), kind=ItemEventKind.CANCELLED)
        .values("item__report")
        .annotate(m=Max("at"))
        .values("m"),
        output_field=DateTimeField(),
    )
    return Greatest(
        Coalesce(accepted, cancelled, F("created_at")),
        Coalesce(cancelled, accepted, F("created_at")),
    )


def open_items() -> Exists:
    return Exists(Item.objects.filter(report=OuterRef("pk"), status__in=OPEN_STATUSES))


def past_retention(cutoff: datetime) -> QuerySet[Report]:
    return (
        Report.objects.exclude(open_items())
        .annotate(finished_at=finished_at())
        .filter(finished_at__lt=cutoff)
        .order_by("pk")
    )


REPORT_FIELDS = (
    "id",
    "number",
    "estate__name",
    "developer__name",
    "title",
    "source",
    "finding_department__name",
    "notes",
    "created_at",
    "created_by_name",
)
ITEM_FIELDS = (
    "id",
    "report_id",
    "number",
    "unit_id",
    "unit__building__name",
    "unit__number",
    "location",
    "description",
    "category",
    "source",
    "finding_department__name",
    "reported_at",
    "reporter_name",
    "status",
    "route",
    "department__name",
    "developer__name",
    "team__name",
    "measure",
    "due_date",
    "round",
    "completed_at",
    "inspected_at",
    "notified_at",
    "accepted_at",
    "acceptance_method",
    "signature",
    "objection",
)
PHOTO_FIELDS = (
    "id",
    "item_id",
    "stage",
    "round",
    "file",
    "name",
    "content_type",
    "size",
    "uploaded_at",
    "uploaded_by_name",
)
CSV_HEADER = ["number", "estate", "title", "source", "created_at", "items", "accepted", "cancelled", "photos"]


def _suffix(stored_name: str, default: str = "jpg") -> str:
    return stored_name.rsplit(".", 1)[-1] if "." in stored_name.rsplit("/", 1)[-1] else default


def _add(files: list[ArchivedFile], entry: dict[str, Any], key: str, member: ArchivedFile | None) -> None:
    """The member beside the record's entry: where it is in the archive, or that it was missing."""
    entry[key] = member.name if member else None
    if member is None:
        entry[f"{key}_missing"] = True
    else:
        files.append(member)


def archive(ids: Sequence[int]) -> ArchiveBatch:
    batch = ArchiveBatch(records=[], csv_header=CSV_HEADER, csv_rows=[])
    reports = {
        row["id"]: row for row in Report.objects.filter(pk__in=ids).order_by("pk").values(*REPORT_FIELDS)
    }
    items: dict[int, list[dict[str, Any]]] = {}
    by_id: dict[int, dict[str, Any]] = {}
    # The resident's signed name is encrypted: read through the model, not values().
    signed = dict(Item.objects.filter(report_id__in=reports).values_list("pk", "signed_name"))
    for row in Item.objects.filter(report_id__in=reports).order_by("pk").values(*ITEM_FIELDS):
        record = plain(row)
        record["signed_name"] = signed.get(row["id"], "")
        record["photos"], record["events"] = [], []
        by_id[row["id"]] = record
        items.setdefault(row["report_id"], []).append(record)
    for row in (
        ItemPhoto.objects.filter(item_id__in=by_id)
        .order_by("item_id", "round", "uploaded_at", "id")
        .values(*PHOTO_FIELDS)
    ):
        by_id[row["item_id"]]["photos"].append(plain(row))
    for row in (
        ItemEvent.objects.filter(item_id__in=by_id).order_by("at", "id").values("item_id", *EVENT_FIELDS)
    ):
        by_id[row.pop("item_id")]["events"].append(plain(row))
    for pk, row in reports.items():
        record = plain(row)
        number = row["number"]
        record["estate"] = record.pop("estate__name")
        record["developer"] = record.pop("developer__name")
        record["finding_department"] = record.pop("finding_department__name")
        record["items"] = items.get(pk, [])
        photos = 0
        for item in record["items"]:
            folder = f"{KEY}/files/{number}/{item['number']}"
            for each in item["photos"]:
                member = f"{folder}/{each['stage']}-r{each['round']}-{each['id']}.{_suffix(each['file'])}"
                _add(batch.files, each, "archived_as", stored_file(each["file"], member))
                photos += 1
            if item["signature"]:
                member = f"{folder}/signature.{_suffix(item['signature'], 'png')}"
                _add(batch.files, item, "signature_archived_as", stored_file(item["signature"], member))
        batch.records.append(record)
        batch.csv_rows.append(
            [
                number,
                record["estate"],
                row["title"],
                row["source"],
                record["created_at"],
                len(record["items"]),
                sum(1 for item in record["items"] if item["status"] == "accepted"),
                sum(1 for item in record["items"] if item["status"] == "cancelled"),
                photos,
            ]
        )
    return batch


@transaction.atomic
def dispose(ids: Sequence[int]) -> int:
    present = list(Report.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if not present:
        return 0
    items = Item.objects.filter(report_id__in=present)
    stored = list(ItemPhoto.objects.filter(item__in=items).values_list("file", flat=True))
    stored += [name for name in items.values_list("signature", flat=True) if name]
    units = {unit for unit in items.values_list("unit_id", flat=True) if unit is not None}
    items.delete()  # photos and events: cascade
    Report.objects.filter(pk__in=present).delete()
    # After the rows: deleting them writes one more history row each.
    Item.history.model.objects.filter(report_id__in=present).delete()
    Report.history.model.objects.filter(id__in=present).delete()
    # A unit's private link serves its items; with none left, it goes too.
    if units:
        UnitLink.objects.filter(unit_id__in=units).exclude(
            Exists(Item.objects.filter(unit_id=OuterRef("unit_id")))
        ).delete()
    unlink_after_commit(stored)
    return len(present)


def labels(ids: Sequence[int]) -> dict[int, str]:
    return dict(Report.objects.filter(pk__in=ids).values_list("pk", "number"))


def find(text: str) -> int | None:
    """A report by its number, or the report of an item by the item's number."""
    number = (text or "").strip().upper()
    if not number:
        return None
    found: int | None = Report.objects.filter(number=number).values_list("pk", flat=True).first()
    if found is None:
        found = Item.objects.filter(number=number).values_list("report_id", flat=True).first()
    return found


RECTIFICATION = RecordType(
    key=KEY,
    label=_("Rectification records"),
    owner=_("The departments"),
    basis=_("its last item accepted or cancelled"),
    disposal=Disposal.DELETE,
    past_retention=past_retention,
    archive=archive,
    dispose=dispose,
    labels=labels,
    find=find,
    order=45,
    note=_(
        "Kept like the complaint records (§8 does not name them). A report with its items, "
        "photos, the residents' signed acceptances and timelines; a report with an item still "
        "open is kept."
    ),
)


def register_types() -> None:
    register(RECTIFICATION)
