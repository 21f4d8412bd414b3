"""Customers as the subjects of personal-data requests (SPEC D-3, PIPL art. 45, 47).

``org`` registers with ``records.subjects`` (decision 0049):

- the **finder**: customers by name (the full name or its start), by unit ("1-1201", "3栋-1201"
  as the org pages print them) or by a full phone number through its blind index — never a
  partial number — in the user's scope, at most ``LIMIT``; and the ``Subject`` of the ones
  chosen: every name and number they are known by (their name, their contact person, the
  owners' committee members linked to them, their phone), the numbers' blind indexes, units;
- the **org source**: their customer record, units and committee membership; erasure replaces
  the name by an anonymous marker, empties phone, blind index, e-mail, contact person and notes,
  anonymises the committee rows linked to them, removes their occupancies — in the rows and in
  the history rows — and deletes the customer row itself when nothing points at it;
- the **notifications source**, for ``notifications`` (it shares a layer with ``records``):
  the messages sent to their phones and e-mail addresses, and their erasure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import DO_NOTHING, ForeignObjectRel, Q
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from estatedesk.core import crypto
from estatedesk.core.actors import Actor
from estatedesk.core.i18n import in_company_language
from estatedesk.notifications import personal_data as outbox
from estatedesk.org import selectors
from estatedesk.org.models import CommitteeMember, Customer, ImportJob, Occupancy
from estatedesk.records.subjects import (
    Candidate,
    Erasure,
    Finder,
    Section,
    Source,
    Subject,
    register_finder,
    register_source,
)

LIMIT = 50


# --- the finder ----------------------------------------------------------------------------------


def search(user: Actor, *, name: str = "", unit: str = "", phone: str = "") -> list[Candidate]:
    """Customers in the user's scope matching every criterion given; none given finds none."""
    name, unit, phone = (name or "").strip(), (unit or "").strip(), (phone or "").strip()
    if not (name or unit or phone):
        return []
    customers = selectors.customers_for(user)
    if name:
        customers = customers.filter(Q(name__startswith=name) | Q(contact_person__startswith=name))
    if unit:
        units = selectors.search_units(selectors.units_for(user), unit)
        customers = customers.filter(occupancies__unit__in=units.values("pk"))
    if phone:
        # A full number only, through its blind index: a part of one finds nobody.
        if not crypto.is_valid_phone(phone):
            return []
        customers = customers.filter(phone_index=crypto.blind_index(phone))
    found = list(customers.distinct().order_by("name", "pk")[:LIMIT])
    units_of: dict[int, list[str]] = {}
    occupancies = Occupancy.objects.filter(customer__in=found).select_related("unit__building")
    for occupancy in occupancies.order_by("unit__building__name", "unit__number"):
        units_of.setdefault(occupancy.customer_id, []).append(occupancy.unit.label)
    return [
        Candidate(
            customer_id=customer.pk,
            name=customer.name,
            masked_phone=customer.masked_phone,
            estate=customer.estate.name,
            units=tuple(units_of.get(customer.pk, ())),
            kind=str(customer.get_kind_display()),
        )
        for customer in found
    ]


def _names_of(customers: Sequence[Customer]) -> set[str]:
    ids = [customer.pk for customer in customers]
    names = {customer.name for customer in customers} | {customer.contact_person for customer in customers}
    names |= set(CommitteeMember.objects.filter(customer__in=ids).values_list("name", flat=True))
    return {each.strip() for each in names if each and each.strip()}


def subject(customer_ids: Sequence[int]) -> Subject:
    customers = list(Customer.objects.filter(pk__in=customer_ids).order_by("pk"))
    phones = {crypto.normalise_phone(customer.phone) for customer in customers if customer.phone}
    indexes = {crypto.blind_index(phone) for phone in phones} | {
        c.phone_index for c in customers if c.phone_index
    }
    occupancies = list(Occupancy.objects.filter(customer__in=customers).select_related("unit__building"))
    first = customers[0] if customers else None
    label = crypto.mask_name(first.name) if first else ""
    if occupancies:
        label = f"{label} · {occupancies[0].unit.label}"
    return Subject(
        customer_ids=frozenset(customer.pk for customer in customers),
        names=frozenset(_names_of(customers)),
        phones=frozenset(phones),
        phone_indexes=frozenset(indexes),
        unit_ids=frozenset(occupancy.unit_id for occupancy in occupancies),
        label=label,
    )


# --- the org source ------------------------------------------------------------------------------


def _day(value: Any) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def collect_org(person: Subject) -> list[Section]:
    customers = Customer.objects.filter(pk__in=person.customer_ids).select_related("estate").order_by("pk")
    record = Section(title=_("Customer record"))
    for customer in customers:
        record.entries.append(
            [
                (_("estate"), customer.estate.name),
                (_("name"), customer.name),
                (_("customer type"), str(customer.get_kind_display())),
                (_("phone"), customer.phone),  # their own copy: the number in full
                (_("e-mail"), customer.email),
                (_("contact person"), customer.contact_person),
                (_("notes"), customer.notes),
            ]
        )
    units = Section(title=_("Units"))
    occupancies = Occupancy.objects.filter(customer__in=person.customer_ids).select_related(
        "unit__building", "unit__estate"
    )
    for occupancy in occupancies.order_by("unit__estate__name", "unit__building__name", "unit__number"):
        units.entries.append(
            [
                (_("estate"), occupancy.unit.estate.name),
                (_("unit"), occupancy.unit.label),
                (_("relation"), str(occupancy.get_relation_display())),
            ]
        )
    committee = Section(title=_("Owners' committee"))
    members = CommitteeMember.objects.filter(customer__in=person.customer_ids).select_related("estate")
    for member in members.order_by("estate__name", "pk"):
        committee.entries.append(
            [
                (_("estate"), member.estate.name),
                (_("name"), member.name),
                (_("position"), member.position),
                (_("term starts"), _day(member.term_start)),
                (_("term ends"), _day(member.term_end)),
            ]
        )
    return [section for section in (record, units, committee) if section.entries]


def marker(customer_id: int) -> str:
    """What stands for an erased customer's name: it names no one, and tells rows apart."""
    with in_company_language():
        return gettext("Anonymised customer #%(id)s") % {"id": customer_id}


def _scrub(value: Any, texts: Sequence[str], mark: str) -> Any:
    if isinstance(value, str):
        for text in texts:
            value = value.replace(text, mark)
        return value
    if isinstance(value, list):
        return [_scrub(each, texts, mark) for each in value]
    if isinstance(value, dict):
        return {key: _scrub(each, texts, mark) for key, each in value.items()}
    return value


def _scrub_imports(texts: Sequence[str], mark: str) -> int:
    """The rejected rows of roster imports quote what was typed: names and numbers go there too."""
    changed = 0
    for job in ImportJob.objects.only("pk", "errors", "summary", "message").iterator(chunk_size=500):
        stored = json.dumps([job.errors, job.summary, job.message], ensure_ascii=False)
        if not any(text in stored for text in texts):
            continue
        ImportJob.objects.filter(pk=job.pk).update(
            errors=_scrub(job.errors, texts, mark),
            summary=_scrub(job.summary, texts, mark),
            message=_scrub(job.message, texts, mark),
        )
        changed += 1
    return changed


def _pointed_at(customer_id: int) -> bool:
    """Whether any record besides its own occupancies and committee rows points at the customer."""
    # Hidden relations too (related_name="+"); not the history tables, which never hold one back.
    for relation in Customer._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel) or relation.many_to_many:
            continue
        model = relation.related_model
        if model is None or model in (Occupancy, CommitteeMember) or relation.on_delete is DO_NOTHING:
            continue
        if model._default_manager.filter(**{relation.field.name: customer_id}).exists():
            return True
    return False


def _texts(person: Subject) -> list[str]:
    # Longest first, so that "张三丰" is replaced before "张三" could split it.
    # A one-character name would change every text that holds the character.
    return sorted({*(name for name in person.names if len(name) > 1), *person.phones}, key=len, reverse=True)


def erase_org(person: Subject, now: datetime) -> Erasure:
    ids = sorted(person.customer_ids)
    erasure = Erasure()
    # The messages sent to their e-mail first: only the customer row knows the address.
    _erase_messages(person)
    history = Customer.history.model  # type: ignore[attr-defined]
    member_history = CommitteeMember.history.model  # type: ignore[attr-defined]
    with transaction.atomic():
        for customer_id in ids:
            mark = marker(customer_id)
            blank = {"name": mark, "phone": "", "email": "", "contact_person": "", "notes": ""}
            erasure.erased += Customer.objects.filter(pk=customer_id).update(phone_index="", **blank)
            history.objects.filter(id=customer_id).update(**blank)
            members = list(
                CommitteeMember.objects.filter(customer_id=customer_id).values_list("pk", flat=True)
            )
            erasure.erased += CommitteeMember.objects.filter(pk__in=members).update(name=mark)
            member_history.objects.filter(Q(id__in=members) | Q(customer_id=customer_id)).update(name=mark)
            # Where they live is theirs too: the link goes, with its history (decision 0049).
            erasure.erased += Occupancy.objects.filter(customer_id=customer_id).delete()[0]
            Occupancy.history.model.objects.filter(customer_id=customer_id).delete()  # type: ignore[attr-defined]
            if not _pointed_at(customer_id):
                Customer.objects.filter(pk=customer_id).delete()
                history.objects.filter(id=customer_id).delete()
        erasure.erased += _scrub_imports(_texts(person), marker(ids[0]) if ids else "")
    return erasure


# --- the notifications source --------------------------------------------------------------------


def _emails(person: Subject) -> set[str]:
    emails = (
        Customer.objects.filter(pk__in=person.customer_ids).exclude(email="").values_list("email", flat=True)
    )
    return set(emails)


def collect_messages(person: Subject) -> list[Section]:
    section = Section(title=_("Messages sent"))
    for message in outbox.collect(person.phones, _emails(person)):
        section.entries.append(
            [
                (_("channel"), message.channel),
                (_("sent"), formats.date_format(message.at, "SHORT_DATETIME_FORMAT")),
                (_("status"), message.status),
                (_("subject"), message.subject),
                (_("message"), message.body),
            ]
        )
    return [section] if section.entries else []


def _erase_messages(person: Subject) -> int:
    ids = sorted(person.customer_ids)
    return outbox.erase(
        phones=person.phones,
        emails=_emails(person),
        names=person.names,
        marker=marker(ids[0]) if ids else "",
    )


def erase_messages(person: Subject, now: datetime) -> Erasure:
    return Erasure(erased=_erase_messages(person))


FINDER = Finder(search=search, subject=subject)
ORG = Source(key="org", label=_("Customer record and units"), collect=collect_org, erase=erase_org, order=10)
NOTIFICATIONS = Source(
    key="notifications", label=_("Messages sent"), collect=collect_messages, erase=erase_messages, order=90
)


def register(sources: Iterable[Source] = (ORG, NOTIFICATIONS)) -> None:
    register_finder(FINDER)
    for source in sources:
        register_source(source)
