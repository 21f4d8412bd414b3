"""The communication records and how long they are kept (SPEC D-1, D-2; decision 0048).

Four record types, registered when the app starts:

- ``customer_notices``: a notice with its recipients (the proof of who was told, how and
  when), attachments, photos of the posted sheet, and its timeline. Its period runs from
  when it was over: withdrawn or cancelled, or published and its work or event ended (a
  notice with no end, a publicity sheet, from its publishing). Drafts and scheduled notices
  are never past retention.
- ``communication_log``: a contact with its agreed follow-ups, from the last follow-up done
  (a contact with none agreed, from when it took place); a contact with a follow-up still to
  do is never past retention.
- ``contracts``: a contract with its requirement clarifications and changes (§7.1.11,
  §7.1.12), from the day it ended; one negotiated or running is never past retention.
- ``customer_property``: an item of a customer's property with its incidents (§7.1.13), from
  when it was returned — or, lost, from when its last incident closed; one still in our
  care or with an incident open is never past retention.

Each is deleted whole at the end of its period, its history rows and stored files included.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, DateTimeField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from estatedesk.communication.models import (
    Clarification,
    Contact,
    ContactFollowUp,
    Contract,
    ContractChange,
    ContractEvent,
    HouseholdLink,
    IncidentEvent,
    Notice,
    NoticeAttachment,
    NoticeEvent,
    NoticeEventKind,
    NoticeEvidence,
    NoticeRecipient,
    PropertyIncident,
    PropertyItem,
)
from estatedesk.communication.models.property import IncidentKind, ItemStatus
from estatedesk.communication.workflow import ContractStatus, IncidentStatus, NoticeStatus
from estatedesk.core.clock import company_zone
from estatedesk.records.registry import ArchiveBatch, ArchivedFile, Disposal, RecordType, register
from estatedesk.records.toolkit import plain, safe_name, stored_file, unlink_after_commit

EVENT_FIELDS = ("at", "actor_name", "kind", "from_status", "to_status", "note", "data")


def _events(model: Any, owner: str, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in (
        model.objects.filter(**{f"{owner}__in": ids}).order_by("at", "id").values(owner, *EVENT_FIELDS)
    ):
        grouped.setdefault(row.pop(owner), []).append(plain(row))
    return grouped


def _by(model: Any, owner: str, ids: Sequence[int], *fields: str) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in model.objects.filter(**{f"{owner}__in": ids}).order_by("id").values(owner, "id", *fields):
        grouped.setdefault(row.pop(owner), []).append(plain(row))
    return grouped


def _labels(model: Any) -> Any:
    def labels(ids: Sequence[int]) -> dict[int, str]:
        return dict(model.objects.filter(pk__in=ids).values_list("pk", "number"))

    return labels


def _find(model: Any) -> Any:
    def find(text: str) -> int | None:
        number = (text or "").strip().upper()
        if not number:
            return None
        found: int | None = model.objects.filter(number=number).values_list("pk", flat=True).first()
        return found

    return find


def _delete_history(model: Any, ids: Sequence[int], owner: str = "id") -> None:
    """The records' history rows; called after the records, whose deletion writes one more."""
    model.history.model.objects.filter(**{f"{owner}__in": ids}).delete()


# --- Notices to customers ---------------------------------------------------------------------------

OVER = (NoticeStatus.CANCELLED, NoticeStatus.WITHDRAWN)


def notice_over_at() -> Case:
    """When a notice was over: called off (its cancel or withdraw event), or published and ended."""
    called_off = (
        NoticeEvent.objects.filter(
            notice=OuterRef("pk"), kind__in=(NoticeEventKind.CANCELLED, NoticeEventKind.WITHDRAWN)
        )
        .order_by("-at")
        .values("at")[:1]
    )
    return Case(
        When(status__in=OVER, then=Coalesce(Subquery(called_off), F("created_at"))),
        When(
            status=NoticeStatus.PUBLISHED,
            then=Greatest(F("published_at"), Coalesce(F("ends_at"), F("published_at"))),
        ),
        default=None,
        output_field=DateTimeField(),
    )


def notices_past_retention(cutoff: datetime) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(status__in=(*OVER, NoticeStatus.PUBLISHED))
        .annotate(over_at=notice_over_at())
        .filter(over_at__lt=cutoff)
        .order_by("pk")
    )


NOTICE_FIELDS = (
    "id",
    "number",
    "kind",
    "status",
    "title",
    "body",
    "estate__name",
    "audience",
    "starts_at",
    "ends_at",
    "publish_at",
    "published_at",
    "channels",
    "urgent",
    "late_reason",
    "lead_hours",
    "sign_placed_at",
    "sign_place",
    "sign_confirmed_by_name",
    "households",
    "created_at",
    "created_by_name",
    "published_by_name",
)
NOTICE_CSV = [
    "number",
    "kind",
    "status",
    "title",
    "estate",
    "starts_at",
    "ends_at",
    "published_at",
    "households",
    "read",
    "attachments",
    "evidence",
]


def archive_notices(ids: Sequence[int]) -> ArchiveBatch:
    recipients: dict[int, list[dict[str, Any]]] = {}
    for row in (
        NoticeRecipient.objects.filter(notice_id__in=ids)
        .order_by("notice_id", "building_id", "unit_id")
        .values(
            "notice_id",
            "unit_id",
            "unit__number",
            "building__name",
            "channels",
            "read_at",
            "contacted_at",
            "contact_channel",
            "contact_outcome",
            "contacted_by_name",
        )
    ):
        entry = plain(row)
        recipients.setdefault(entry.pop("notice_id"), []).append(entry)
    attachments = _by(
        NoticeAttachment, "notice_id", ids, "file", "name", "content_type", "size", "uploaded_at"
    )
    evidence = _by(
        NoticeEvidence, "notice_id", ids, "file", "content_type", "taken_at", "place", "building__name"
    )
    events = _events(NoticeEvent, "notice_id", ids)
    buildings: dict[int, list[str]] = {}
    for notice_id, name in Notice.buildings.through.objects.filter(notice_id__in=ids).values_list(
        "notice_id", "building__name"
    ):
        buildings.setdefault(notice_id, []).append(name)
    units: dict[int, list[int]] = {}
    for notice_id, unit_id in Notice.units.through.objects.filter(notice_id__in=ids).values_list(
        "notice_id", "unit_id"
    ):
        units.setdefault(notice_id, []).append(unit_id)
    batch = ArchiveBatch(records=[], csv_header=NOTICE_CSV, csv_rows=[])
    for row in Notice.objects.filter(pk__in=ids).order_by("pk").values(*NOTICE_FIELDS):
        record = plain(row)
        pk, number = row["id"], row["number"]
        record["estate"] = record.pop("estate__name")
        record["buildings"] = buildings.get(pk, [])
        record["units"] = units.get(pk, [])
        record["recipients"] = recipients.get(pk, [])
        record["attachments"] = attachments.get(pk, [])
        record["evidence"] = evidence.get(pk, [])
        record["events"] = events.get(pk, [])
        for each in record["attachments"]:
            member = f"customer_notices/files/{number}/attachment-{each['id']}-{safe_name(each['name'])}"
            _add(batch.files, each, stored_file(each["file"], member))
        for each in record["evidence"]:
            suffix = each["file"].rsplit(".", 1)[-1] if "." in each["file"] else "jpg"
            _add(
                batch.files,
                each,
                stored_file(each["file"], f"customer_notices/files/{number}/evidence-{each['id']}.{suffix}"),
            )
        batch.records.append(record)
        batch.csv_rows.append(
            [
                number,
                row["kind"],
                row["status"],
                row["title"],
                record["estate"],
                record["starts_at"],
                record["ends_at"],
                record["published_at"],
                row["households"],
                sum(1 for each in record["recipients"] if each["read_at"]),
                len(record["attachments"]),
                len(record["evidence"]),
            ]
        )
    return batch


def _add(files: list[ArchivedFile], entry: dict[str, Any], member: ArchivedFile | None) -> None:
    """The member beside the record's entry: where it is in the archive, or that it was missing."""
    if member is None:
        entry["archived_as"] = None
        entry["missing"] = True
        return
    entry["archived_as"] = member.name
    files.append(member)


@transaction.atomic
def dispose_notices(ids: Sequence[int]) -> int:
    present = list(Notice.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if not present:
        return 0
    stored = list(NoticeAttachment.objects.filter(notice_id__in=present).values_list("file", flat=True))
    stored += NoticeEvidence.objects.filter(notice_id__in=present).values_list("file", flat=True)
    units = set(NoticeRecipient.objects.filter(notice_id__in=present).values_list("unit_id", flat=True))
    Notice.objects.filter(pk__in=present).delete()  # recipients, files' rows, events: cascade
    _delete_history(Notice, present)  # after the rows: deleting them writes one more history row
    # A household link serves the notices that reached the unit; with none left, it goes too.
    if units:
        still = NoticeRecipient.objects.filter(unit_id=OuterRef("unit_id"))
        HouseholdLink.objects.filter(unit_id__in=units).exclude(Exists(still)).delete()
    unlink_after_commit(stored)
    return len(present)


# --- The communication log --------------------------------------------------------------------------


def contacts_past_retention(cutoff: datetime) -> QuerySet[Contact]:
    open_follow_up = ContactFollowUp.objects.filter(contact=OuterRef("pk"), done_at__isnull=True)
    last_done = (
        ContactFollowUp.objects.filter(contact=OuterRef("pk"))
        .values("contact")
        .annotate(m=Max("done_at"))
        .values("m")
    )
    return (
        Contact.objects.exclude(Exists(open_follow_up))
        .annotate(closed_at=Greatest(F("occurred_at"), Coalesce(Subquery(last_done), F("occurred_at"))))
        .filter(closed_at__lt=cutoff)
        .order_by("pk")
    )


CONTACT_FIELDS = (
    "id",
    "number",
    "estate__name",
    "office__name",
    "occurred_at",
    "subject",
    "channel",
    "counterpart",
    "unit_id",
    "customer_id",
    "other_people",
    "summary",
    "created_at",
    "created_by_name",
)
CONTACT_CSV = [
    "number",
    "estate",
    "office",
    "occurred_at",
    "subject",
    "channel",
    "counterpart",
    "follow_ups",
    "done",
]


def archive_contacts(ids: Sequence[int]) -> ArchiveBatch:
    follow_ups = _by(
        ContactFollowUp,
        "contact_id",
        ids,
        "description",
        "owner__display_name",
        "due_date",
        "done_at",
        "done_by_name",
        "result",
    )
    staff: dict[int, list[str]] = {}
    for contact_id, name in Contact.staff.through.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "staff__display_name"
    ):
        staff.setdefault(contact_id, []).append(name)
    members: dict[int, list[str]] = {}
    for contact_id, name in Contact.committee_members.through.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "committeemember__name"
    ):
        members.setdefault(contact_id, []).append(name)
    batch = ArchiveBatch(records=[], csv_header=CONTACT_CSV, csv_rows=[])
    for row in Contact.objects.filter(pk__in=ids).order_by("pk").values(*CONTACT_FIELDS):
        record = plain(row)
        pk = row["id"]
        record["estate"] = record.pop("estate__name")
        record["office"] = record.pop("office__name")
        record["staff"] = staff.get(pk, [])
        record["committee_members"] = members.get(pk, [])
        record["follow_ups"] = follow_ups.get(pk, [])
        batch.records.append(record)
        batch.csv_rows.append(
            [
                row["number"],
                record["estate"],
                record["office"] or "",
                record["occurred_at"],
                row["subject"],
                row["channel"],
                row["counterpart"],
                len(record["follow_ups"]),
                sum(1 for each in record["follow_ups"] if each["done_at"]),
            ]
        )
    return batch


@transaction.atomic
def dispose_contacts(ids: Sequence[int]) -> int:
    present = list(Contact.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if not present:
        return 0
    Contact.objects.filter(pk__in=present).delete()  # follow-ups and the people present: cascade
    _delete_history(ContactFollowUp, present, owner="contact_id")
    _delete_history(Contact, present)
    return len(present)


# --- Contracts --------------------------------------------------------------------------------------


def contracts_past_retention(cutoff: datetime) -> QuerySet[Contract]:
    # ``ended_on`` is a company day: the cut-off's own day is still kept.
    return Contract.objects.filter(
        status=ContractStatus.ENDED, ended_on__lt=cutoff.astimezone(company_zone()).date()
    ).order_by("pk")


CONTRACT_FIELDS = (
    "id",
    "number",
    "kind",
    "status",
    "title",
    "estate__name",
    "customer_id",
    "unit_id",
    "counterparty",
    "scope",
    "signed_on",
    "starts_on",
    "ends_on",
    "ended_on",
    "created_at",
    "created_by_name",
)
CONTRACT_CSV = ["number", "kind", "title", "estate", "signed_on", "ended_on", "clarifications", "changes"]


def archive_contracts(ids: Sequence[int]) -> ArchiveBatch:
    clarifications = _by(
        Clarification,
        "contract_id",
        ids,
        "asked_on",
        "asked_by",
        "channel",
        "question",
        "answer",
        "answered_on",
        "recorded_by_name",
    )
    changes = _by(
        ContractChange,
        "contract_id",
        ids,
        "position",
        "cause",
        "description",
        "proposed_on",
        "customer_told_at",
        "told_channel",
        "told_by_name",
        "resolution",
        "agreed_on",
        "recorded_by_name",
    )
    events = _events(ContractEvent, "contract_id", ids)
    batch = ArchiveBatch(records=[], csv_header=CONTRACT_CSV, csv_rows=[])
    for row in Contract.objects.filter(pk__in=ids).order_by("pk").values(*CONTRACT_FIELDS):
        record = plain(row)
        pk = row["id"]
        record["estate"] = record.pop("estate__name")
        record["clarifications"] = clarifications.get(pk, [])
        record["changes"] = changes.get(pk, [])
        record["events"] = events.get(pk, [])
        batch.records.append(record)
        batch.csv_rows.append(
            [
                row["number"],
                row["kind"],
                row["title"],
                record["estate"],
                record["signed_on"],
                record["ended_on"],
                len(record["clarifications"]),
                len(record["changes"]),
            ]
        )
    return batch


@transaction.atomic
def dispose_contracts(ids: Sequence[int]) -> int:
    present = list(Contract.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if not present:
        return 0
    Contract.objects.filter(pk__in=present).delete()  # clarifications, changes, events: cascade
    _delete_history(Clarification, present, owner="contract_id")
    _delete_history(ContractChange, present, owner="contract_id")
    _delete_history(Contract, present)
    return len(present)


# --- Customer property ------------------------------------------------------------------------------


def property_past_retention(cutoff: datetime) -> QuerySet[PropertyItem]:
    open_incident = PropertyIncident.objects.filter(item=OuterRef("pk"), status=IncidentStatus.OPEN)
    lost = PropertyIncident.objects.filter(item=OuterRef("pk"), kind=IncidentKind.LOST)
    last_closed = (
        PropertyIncident.objects.filter(item=OuterRef("pk"))
        .values("item")
        .annotate(m=Max("closed_at"))
        .values("m")
    )
    closed = Subquery(last_closed, output_field=DateTimeField())
    return (
        PropertyItem.objects.filter(Q(status=ItemStatus.RETURNED) | Exists(lost))
        .exclude(Exists(open_incident))
        .annotate(
            finished_at=Greatest(
                Coalesce(F("returned_at"), closed, F("received_at")),
                Coalesce(closed, F("returned_at"), F("received_at")),
            )
        )
        .filter(finished_at__lt=cutoff)
        .order_by("pk")
    )


ITEM_FIELDS = (
    "id",
    "number",
    "estate__name",
    "unit_id",
    "customer_id",
    "kind",
    "description",
    "kept_at",
    "received_at",
    "received_by_name",
    "status",
    "returned_at",
    "returned_by_name",
    "notes",
    "created_at",
)
INCIDENT_FIELDS = (
    "number",
    "kind",
    "status",
    "happened_at",
    "description",
    "customer_told_at",
    "told_channel",
    "told_by_name",
    "help_given",
    "closed_at",
    "closed_by_name",
    "created_at",
    "created_by_name",
)
PROPERTY_CSV = ["number", "kind", "estate", "received_at", "status", "returned_at", "incidents"]


def archive_property(ids: Sequence[int]) -> ArchiveBatch:
    incidents = _by(PropertyIncident, "item_id", ids, *INCIDENT_FIELDS)
    incident_ids = [each["id"] for rows in incidents.values() for each in rows]
    events = _events(IncidentEvent, "incident_id", incident_ids)
    for rows in incidents.values():
        for each in rows:
            each["events"] = events.get(each["id"], [])
    batch = ArchiveBatch(records=[], csv_header=PROPERTY_CSV, csv_rows=[])
    for row in PropertyItem.objects.filter(pk__in=ids).order_by("pk").values(*ITEM_FIELDS):
        record = plain(row)
        record["estate"] = record.pop("estate__name")
        record["incidents"] = incidents.get(row["id"], [])
        batch.records.append(record)
        batch.csv_rows.append(
            [
                row["number"],
                row["kind"],
                record["estate"],
                record["received_at"],
                row["status"],
                record["returned_at"],
                len(record["incidents"]),
            ]
        )
    return batch


@transaction.atomic
def dispose_property(ids: Sequence[int]) -> int:
    present = list(PropertyItem.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if not present:
        return 0
    PropertyIncident.objects.filter(item_id__in=present).delete()  # their events: cascade
    PropertyItem.objects.filter(pk__in=present).delete()
    _delete_history(PropertyIncident, present, owner="item_id")
    _delete_history(PropertyItem, present)
    return len(present)


# --- Registration -----------------------------------------------------------------------------------

CUSTOMER_NOTICES = RecordType(
    key="customer_notices",
    label=_("Notices to customers"),
    owner=_("Customer service supervisor"),
    basis=_("withdrawn or cancelled, or published and its work or event over"),
    disposal=Disposal.DELETE,
    past_retention=notices_past_retention,
    archive=archive_notices,
    dispose=dispose_notices,
    labels=_labels(Notice),
    find=_find(Notice),
    order=60,
    note=_(
        "With the households each notice reached, when they read it, the calls and visits, "
        "attachments and photos of the posted sheet. Drafts and scheduled notices are kept."
    ),
)
COMMUNICATION_LOG = RecordType(
    key="communication_log",
    label=_("Communication log"),
    owner=_("Management office directors"),
    basis=_("its last agreed follow-up done"),
    disposal=Disposal.DELETE,
    past_retention=contacts_past_retention,
    archive=archive_contacts,
    dispose=dispose_contacts,
    labels=_labels(Contact),
    find=_find(Contact),
    order=61,
    note=_("With its agreed follow-ups. A contact with a follow-up still to do is kept."),
)
CONTRACTS = RecordType(
    key="contracts",
    label=_("Contract communication"),
    owner=_("The departments"),
    basis=_("ended"),
    disposal=Disposal.DELETE,
    past_retention=contracts_past_retention,
    archive=archive_contracts,
    dispose=dispose_contracts,
    labels=_labels(Contract),
    find=_find(Contract),
    order=62,
    note=_("With its requirement clarifications and changes. Contracts not yet ended are kept."),
)
CUSTOMER_PROPERTY = RecordType(
    key="customer_property",
    label=_("Customer property and incidents"),
    owner=_("Management office directors"),
    basis=_("returned, or lost and its incident closed"),
    disposal=Disposal.DELETE,
    past_retention=property_past_retention,
    archive=archive_property,
    dispose=dispose_property,
    labels=_labels(PropertyItem),
    find=_find(PropertyItem),
    order=63,
    note=_("With its incidents. Property still in our care, or with an incident open, is kept."),
)


def register_types() -> None:
    for record_type in (CUSTOMER_NOTICES, COMMUNICATION_LOG, CONTRACTS, CUSTOMER_PROPERTY):
        register(record_type)
