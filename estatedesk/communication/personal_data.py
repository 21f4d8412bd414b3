"""What customer communication holds about a person, for their copy and their erasure (SPEC D-3).

The person's copy: the notices that reached their household and whether they were read, the
communication log's contacts with them or about their unit, their contracts, and their
property in our care with its incidents.

Erasure (decision 0048) takes their names and phone numbers, however typed, out of every text
of those records and of the records' history rows, and unlinks the customer. What it leaves,
and why, it lists as kept:

- a contact with a follow-up agreed with them still to do, a contract not yet ended, property
  still in our care or with an incident open: still being acted on, so kept whole;
- the read receipts of the notices their unit received: they name the unit, not the person,
  and are the proof that the household was told (§7.1.5), kept with their notice.
"""

from __future__ import annotations

from datetime import date, datetime
from re import Pattern

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from estatedesk.communication.models import (
    Clarification,
    Contact,
    ContactFollowUp,
    Contract,
    ContractChange,
    ContractEvent,
    IncidentEvent,
    NoticeEvent,
    NoticeRecipient,
    PropertyIncident,
    PropertyItem,
)
from estatedesk.communication.models.property import IncidentKind, ItemStatus
from estatedesk.communication.workflow import ContractStatus, IncidentStatus, NoticeStatus
from estatedesk.core.clock import company_zone
from estatedesk.records.registry import Text
from estatedesk.records.subjects import Erasure, Kept, Section, Source, Subject, register_source
from estatedesk.records.toolkit import patterns, scrub_queryset

Entry = list[tuple[Text, str]]


def _when(value: datetime | None) -> str:
    return date_format(value.astimezone(company_zone()), "DATETIME_FORMAT") if value else ""


def _day(value: date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


# --- Which records are the person's -------------------------------------------------------------------


def _recipients(subject: Subject) -> QuerySet[NoticeRecipient]:
    return NoticeRecipient.objects.filter(unit_id__in=subject.unit_ids).exclude(
        notice__status=NoticeStatus.DRAFT
    )


def _contacts(subject: Subject) -> QuerySet[Contact]:
    named = Q()
    for name in subject.names:
        named |= Q(other_people__contains=name) | Q(summary__contains=name)
    return Contact.objects.filter(
        Q(customer_id__in=subject.customer_ids) | Q(unit_id__in=subject.unit_ids) | named
    ).distinct()


def _contracts(subject: Subject) -> QuerySet[Contract]:
    asked = Clarification.objects.filter(contract=OuterRef("pk"), asked_by__in=subject.names)
    return Contract.objects.filter(
        Q(customer_id__in=subject.customer_ids) | Q(counterparty__in=subject.names) | Exists(asked)
    )


def _property(subject: Subject) -> QuerySet[PropertyItem]:
    return PropertyItem.objects.filter(customer_id__in=subject.customer_ids)


# --- The person's copy ---------------------------------------------------------------------------------


def collect(subject: Subject) -> list[Section]:
    return [
        _notice_section(subject),
        _log_section(subject),
        _contract_section(subject),
        _property_section(subject),
    ]


def _notice_section(subject: Subject) -> Section:
    section = Section(title=_("Notices to your household"))
    rows = (
        _recipients(subject)
        .select_related("notice", "unit", "building")
        .order_by("notice__published_at", "id")
    )
    for row in rows:
        notice = row.notice
        entry: Entry = [
            (pgettext_lazy("personal data copy", "Notice"), f"{notice.number} {notice.title}"),
            (_("Unit"), f"{row.building.name} {row.unit.number}"),
            (_("Published at"), _when(notice.published_at)),
            (_("Delivered by"), "、".join(row.channels or [])),
            (_("Read at"), _when(row.read_at) or _t("Not read")),
        ]
        if row.contacted_at:
            entry.append((_("Called or visited"), f"{_when(row.contacted_at)} {row.contact_channel}"))
            entry.append((_("Outcome"), row.contact_outcome))
        section.entries.append(entry)
    return section


def _log_section(subject: Subject) -> Section:
    section = Section(title=_("Communication log"))
    contacts = _contacts(subject).select_related("estate").order_by("occurred_at", "id")
    follow_ups: dict[int, list[ContactFollowUp]] = {}
    for follow_up in ContactFollowUp.objects.filter(contact__in=contacts).order_by("due_date", "id"):
        follow_ups.setdefault(follow_up.contact_id, []).append(follow_up)
    for contact in contacts:
        entry: Entry = [
            (_("Number"), contact.number),
            (_("When"), _when(contact.occurred_at)),
            (_("Subject"), contact.subject),
            (_("What was said"), contact.summary),
        ]
        for follow_up in follow_ups.get(contact.pk, []):
            done = _when(follow_up.done_at) if follow_up.done_at else _t("Not done yet")
            entry.append((_("Agreed follow-up"), f"{follow_up.description} ({done})"))
            if follow_up.result:
                entry.append((_("Result"), follow_up.result))
        section.entries.append(entry)
    return section


def _contract_section(subject: Subject) -> Section:
    section = Section(title=_("Contracts"))
    contracts = list(_contracts(subject).order_by("created_at", "id"))
    clarifications: dict[int, list[Clarification]] = {}
    for each in Clarification.objects.filter(contract__in=contracts).order_by("asked_on", "id"):
        clarifications.setdefault(each.contract_id, []).append(each)
    changes: dict[int, list[ContractChange]] = {}
    for change in ContractChange.objects.filter(contract__in=contracts).order_by("position", "id"):
        changes.setdefault(change.contract_id, []).append(change)
    for contract in contracts:
        entry: Entry = [
            (_("Number"), contract.number),
            (_("Title"), contract.title),
            (_("Status"), str(contract.get_status_display())),
            (_("Signed on"), _day(contract.signed_on)),
            (_("Ended on"), _day(contract.ended_on)),
        ]
        for each in clarifications.get(contract.pk, []):
            entry.append((pgettext_lazy("contract clarification", "Question"), each.question))
            entry.append((pgettext_lazy("contract clarification", "Answer"), each.answer))
        for change in changes.get(contract.pk, []):
            entry.append((_("Change"), change.description))
            entry.append((_("Resolution agreed"), change.resolution))
        section.entries.append(entry)
    return section


def _property_section(subject: Subject) -> Section:
    section = Section(title=_("Your property in our care"))
    items = list(_property(subject).order_by("received_at", "id"))
    incidents: dict[int, list[PropertyIncident]] = {}
    for incident in PropertyIncident.objects.filter(item__in=items).order_by("happened_at", "id"):
        incidents.setdefault(incident.item_id, []).append(incident)
    for item in items:
        entry: Entry = [
            (_("Number"), item.number),
            (_("Description"), item.description),
            (_("Status"), str(item.get_status_display())),
            (pgettext_lazy("customer property", "Received at"), _when(item.received_at)),
            (pgettext_lazy("customer property", "Returned at"), _when(item.returned_at)),
        ]
        for incident in incidents.get(item.pk, []):
            entry.append(
                (_("Incident"), f"{incident.number} {incident.get_kind_display()}: {incident.description}")
            )
            entry.append((_("You were told at"), _when(incident.customer_told_at)))
            entry.append((_("Help given"), incident.help_given))
        section.entries.append(entry)
    return section


# --- Erasure -----------------------------------------------------------------------------------------------


def erase(subject: Subject, now: datetime) -> Erasure:
    pattern = patterns(subject.names, subject.phones)
    erasure = Erasure()
    _erase_notices(subject, pattern, erasure)
    _erase_log(subject, pattern, erasure)
    _erase_contracts(subject, pattern, erasure)
    _erase_property(subject, pattern, erasure)
    return erasure


def _erase_notices(subject: Subject, pattern: Pattern[str] | None, erasure: Erasure) -> None:
    recipients = _recipients(subject)
    erasure.erased += scrub_queryset(recipients, ["contact_outcome"], pattern)
    notices = recipients.values("notice_id")
    scrub_queryset(NoticeEvent.objects.filter(notice_id__in=notices), ["note"], pattern)
    count = recipients.count()
    if count:
        erasure.kept.append(
            Kept(
                what=_t("Read receipts of %(count)d notices to the household") % {"count": count},
                why=_(
                    "The proof that the household was told (§7.1.5): it names the unit, not the "
                    "person, and goes with its notice at the end of the notice's retention."
                ),
            )
        )


def _erase_log(subject: Subject, pattern: Pattern[str] | None, erasure: Erasure) -> None:
    contacts = _contacts(subject)
    open_follow_up = ContactFollowUp.objects.filter(contact=OuterRef("pk"), done_at__isnull=True)
    for number in contacts.filter(Exists(open_follow_up)).values_list("number", flat=True):
        erasure.kept.append(
            Kept(
                what=f"{_t('Communication record')} {number}",
                why=_("A follow-up agreed with them is still to be done."),
            )
        )
    done = list(contacts.exclude(Exists(open_follow_up)).values_list("pk", flat=True))
    if not done:
        return
    texts = ["subject", "other_people", "summary"]
    Contact.objects.filter(pk__in=done, customer_id__in=subject.customer_ids).update(customer=None)
    Contact.history.model.objects.filter(id__in=done, customer_id__in=subject.customer_ids).update(
        customer=None
    )
    scrub_queryset(Contact.objects.filter(pk__in=done), texts, pattern)
    scrub_queryset(Contact.history.model.objects.filter(id__in=done), texts, pattern)
    follow_texts = ["description", "result"]
    scrub_queryset(ContactFollowUp.objects.filter(contact_id__in=done), follow_texts, pattern)
    scrub_queryset(
        ContactFollowUp.history.model.objects.filter(contact_id__in=done),
        follow_texts,
        pattern,
    )
    erasure.erased += len(done)


def _erase_contracts(subject: Subject, pattern: Pattern[str] | None, erasure: Erasure) -> None:
    contracts = _contracts(subject)
    for number in contracts.exclude(status=ContractStatus.ENDED).values_list("number", flat=True):
        erasure.kept.append(
            Kept(
                what=f"{_t('Contract')} {number}",
                why=_("The contract has not ended: it is needed to perform it."),
            )
        )
    ended = list(contracts.filter(status=ContractStatus.ENDED).values_list("pk", flat=True))
    if not ended:
        return
    for model in (Contract, Contract.history.model):
        model.objects.filter(id__in=ended, customer_id__in=subject.customer_ids).update(customer=None)
        model.objects.filter(id__in=ended, counterparty__in=subject.names).update(counterparty="")
        scrub_queryset(model.objects.filter(id__in=ended), ["title", "counterparty", "scope"], pattern)
    for model in (Clarification, Clarification.history.model):
        rows = model.objects.filter(contract_id__in=ended)
        rows.filter(asked_by__in=subject.names).update(asked_by="")
        scrub_queryset(rows, ["asked_by", "question", "answer"], pattern)
    for model in (ContractChange, ContractChange.history.model):
        rows = model.objects.filter(contract_id__in=ended)
        scrub_queryset(rows, ["description", "told_by_name", "resolution"], pattern)
    scrub_queryset(ContractEvent.objects.filter(contract_id__in=ended), ["note"], pattern)
    erasure.erased += len(ended)


def _erase_property(subject: Subject, pattern: Pattern[str] | None, erasure: Erasure) -> None:
    items = _property(subject)
    open_incident = PropertyIncident.objects.filter(item=OuterRef("pk"), status=IncidentStatus.OPEN)
    lost = PropertyIncident.objects.filter(item=OuterRef("pk"), kind=IncidentKind.LOST)
    finished = Q(status=ItemStatus.RETURNED) | Exists(lost)
    for number in items.filter(~finished | Exists(open_incident)).values_list("number", flat=True):
        erasure.kept.append(
            Kept(
                what=f"{_t('Customer property')} {number}",
                why=_("Still in our care, or an incident about it is still open."),
            )
        )
    done = list(items.filter(finished).exclude(Exists(open_incident)).values_list("pk", flat=True))
    if not done:
        return
    item_texts = ["description", "kept_at", "received_by_name", "returned_by_name", "notes"]
    for model in (PropertyItem, PropertyItem.history.model):
        model.objects.filter(id__in=done).update(customer=None)
        scrub_queryset(model.objects.filter(id__in=done), item_texts, pattern)
    incident_texts = ["description", "told_by_name", "help_given"]
    for model in (PropertyIncident, PropertyIncident.history.model):
        scrub_queryset(model.objects.filter(item_id__in=done), incident_texts, pattern)
    scrub_queryset(IncidentEvent.objects.filter(incident__item_id__in=done), ["note"], pattern)
    erasure.erased += len(done)


SOURCE = Source(
    key="communication",
    label=_("Customer communication"),
    collect=collect,
    erase=erase,
    order=60,
)


def register() -> None:
    register_source(SOURCE)
