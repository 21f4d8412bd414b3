"""Who a notice reaches, and the messages that tell them (SPEC C-2, C-3, A-4).

Called by ``notices`` inside the transaction that publishes a notice. The households are
fixed then (``NoticeRecipient`` rows), each with its private portal link (``HouseholdLink``,
made the first time a notice reaches the unit) and the channels it went by:

* **Which households.** The occupied units of the estate, or of the buildings chosen; units
  chosen by hand are always included. For all owners, the units that have an owner (a vacant
  flat's owner is still told a financial report); for the owners' committee, the units of its
  members in office.
* **Which people.** Everyone linked to the unit (owner and tenant both live with a water cut);
  for the owners or the committee, only them. One SMS per phone number and one e-mail per
  address, however many units a person has.
* **WeChat** is one message to the estate's group (the robot named ``estate:<code>``, see
  docs/notifications.md), not one per household.

Everything is written in batches (``bulk_create``; ``notifications.notify_many``): a notice to
50,000 households is a few hundred statements, not 100,000 (``bench/notice_publish.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from datetime import datetime

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from estatedesk.communication import kinds
from estatedesk.communication.models import Audience, HouseholdLink, Notice, NoticeKind, NoticeRecipient
from estatedesk.core import richtext
from estatedesk.core.i18n import in_company_language
from estatedesk.notifications.models import Channel as OutboxChannel
from estatedesk.notifications.services import Outgoing, notify_many
from estatedesk.org.models import CommitteeMember, Customer, CustomerKind, Occupancy, Unit

BATCH = 2000
SMS_TEXT_LENGTH = 60  # the part of the text an SMS carries; the link has the rest


@dataclass(frozen=True)
class Counts:
    households: int
    sms: int
    email: int
    wechat: int

    def as_data(self) -> dict[str, object]:
        return {"households": self.households, "sms": self.sms, "email": self.email, "wechat": self.wechat}


def units_of(notice: Notice) -> QuerySet[Unit]:
    """The units a notice reaches (before it is published: the preview's count)."""
    units = Unit.objects.filter(estate_id=notice.estate_id)
    building_ids = list(notice.buildings.values_list("pk", flat=True))
    chosen = list(notice.units.values_list("pk", flat=True))
    if building_ids:
        units = units.filter(building_id__in=building_ids)
    if notice.audience == Audience.OWNERS:
        owned = Occupancy.objects.filter(relation=CustomerKind.OWNER).values("unit_id")
        return units.filter(Q(pk__in=owned) | Q(pk__in=chosen)) if chosen else units.filter(pk__in=owned)
    if notice.audience == Audience.COMMITTEE:
        return units.filter(
            pk__in=Occupancy.objects.filter(customer_id__in=_committee(notice)).values("unit_id")
        )
    if chosen:
        return units.filter(pk__in=chosen)
    return units.filter(occupied=True)


def _committee(notice: Notice) -> QuerySet[CommitteeMember, Any]:
    today = localtime(notice.published_at).date() if notice.published_at else None
    members = CommitteeMember.objects.filter(estate_id=notice.estate_id, customer__isnull=False)
    if today is not None:
        members = members.filter(Q(term_end__isnull=True) | Q(term_end__gte=today))
    return members.values("customer_id")


def _people(notice: Notice, units: QuerySet[Unit]) -> QuerySet[Occupancy]:
    rows = Occupancy.objects.filter(unit__in=units.values("pk"))
    if notice.audience == Audience.OWNERS:
        rows = rows.filter(relation=CustomerKind.OWNER)
    elif notice.audience == Audience.COMMITTEE:
        rows = rows.filter(customer_id__in=_committee(notice))
    return rows


def links(unit_ids: list[int], *, at: datetime) -> dict[int, str]:
    """Each unit's private link token, made for the units that have none yet."""
    tokens: dict[int, str] = {}
    for start in range(0, len(unit_ids), BATCH):
        chunk = unit_ids[start : start + BATCH]
        tokens.update(HouseholdLink.objects.filter(unit_id__in=chunk).values_list("unit_id", "token"))
    missing = [HouseholdLink(unit_id=u, created_at=at) for u in unit_ids if u not in tokens]
    HouseholdLink.objects.bulk_create(missing, batch_size=BATCH)
    tokens.update((link.unit_id, link.token) for link in missing)
    return tokens


def household_link(token: str, notice_id: int | None = None) -> str:
    if notice_id is None:
        return reverse("portal:notices", args=[token])
    return reverse("portal:notice", args=[token, notice_id])


def _when(notice: Notice) -> str:
    if notice.starts_at is None:
        return ""
    start = date_format(localtime(notice.starts_at), "DATETIME_FORMAT")
    if notice.ends_at is None:
        return start
    return _("%(start)s to %(end)s") % {
        "start": start,
        "end": date_format(localtime(notice.ends_at), "DATETIME_FORMAT"),
    }


def wording(notice: Notice) -> tuple[str, str]:
    """The subject and text of the messages, in the company's language."""
    with in_company_language():
        kind = NoticeKind(notice.kind).label
        subject = _("%(estate)s notice: %(title)s") % {"estate": notice.estate.name, "title": notice.title}
        text = richtext.plain(notice.body).replace("\n", " ")
        if len(text) > SMS_TEXT_LENGTH:
            text = text[: SMS_TEXT_LENGTH - 1] + "…"
        when = _when(notice)
        parts = [f"【{notice.estate.name}】{kind}：{notice.title}"]
        if when:
            parts.append(_("Time: %(when)s") % {"when": when})
        parts.append(text)
        return subject, " ".join(str(p) for p in parts)


def _outgoing(
    notice: Notice, people: QuerySet[Occupancy], tokens: dict[int, str], subject: str, body: str
) -> Iterator[Outgoing]:
    first_unit: dict[int, int] = {}
    for unit_id, customer_id in (
        people.order_by("unit_id", "pk").values_list("unit_id", "customer_id").iterator(chunk_size=BATCH)
    ):
        first_unit.setdefault(customer_id, unit_id)
    wants_sms = kinds.SMS in notice.channels
    wants_email = kinds.EMAIL in notice.channels
    with_link = kinds.PORTAL in notice.channels
    phones: set[str] = set()
    emails: set[str] = set()
    customers = Customer.objects.filter(pk__in=people.values("customer_id")).only("pk", "phone", "email")
    for customer in customers.iterator(chunk_size=BATCH):
        found = first_unit.get(customer.pk)
        if found is None:
            continue
        unit_id = found
        link = household_link(tokens[unit_id], notice.pk) if with_link else ""
        if wants_sms and customer.phone and customer.phone not in phones:
            phones.add(customer.phone)
            yield Outgoing(
                key=f"{notice.number}:sms:c{customer.pk}",
                channel=OutboxChannel.SMS,
                address=customer.phone,
                subject=subject,
                body=body,
                link=link,
            )
        email = (customer.email or "").strip().lower()
        if wants_email and email and email not in emails:
            emails.add(email)
            yield Outgoing(
                key=f"{notice.number}:email:c{customer.pk}",
                channel=OutboxChannel.EMAIL,
                address=email,
                subject=subject,
                body=richtext.plain(notice.body),
                link=link,
            )


def publish(notice: Notice, *, at: datetime) -> Counts:
    """Write the recipients and queue the messages of a notice being published."""
    units = units_of(notice)
    rows = list(units.order_by("building_id", "pk").values_list("pk", "building_id"))
    unit_ids = [pk for pk, _building in rows]
    tokens = links(unit_ids, at=at)
    people = _people(notice, units)
    notice.published_at = at
    subject, body = wording(notice)
    messages = list(_outgoing(notice, people, tokens, subject, body))
    sms_units = _units_reached(people, messages, OutboxChannel.SMS)
    email_units = _units_reached(people, messages, OutboxChannel.EMAIL)
    portal = kinds.PORTAL in notice.channels
    recipients = []
    for unit_id, building_id in rows:
        channels = [kinds.PORTAL] if portal else []
        if unit_id in sms_units:
            channels.append(kinds.SMS)
        if unit_id in email_units:
            channels.append(kinds.EMAIL)
        recipients.append(
            NoticeRecipient(notice=notice, unit_id=unit_id, building_id=building_id, channels=channels)
        )
    NoticeRecipient.objects.bulk_create(recipients, batch_size=BATCH, ignore_conflicts=True)
    wechat = 0
    if kinds.WECHAT in notice.channels:
        messages.append(
            Outgoing(
                key=f"{notice.number}:wechat",
                channel=OutboxChannel.WECHAT,
                address=f"estate:{notice.estate.code}",
                subject=subject,
                body=f"{body}\n{richtext.plain(notice.body)}"
                if len(richtext.plain(notice.body)) > SMS_TEXT_LENGTH
                else body,
                link=reverse("portal:estate_notices", args=[notice.estate.code]) if portal else "",
            )
        )
        wechat = 1
    notify_many(messages)
    return Counts(
        households=len(rows),
        sms=sum(1 for m in messages if m.channel == OutboxChannel.SMS),
        email=sum(1 for m in messages if m.channel == OutboxChannel.EMAIL),
        wechat=wechat,
    )


def _units_reached(people: QuerySet[Occupancy], messages: list[Outgoing], channel: str) -> set[int]:
    """The units one of whose people a message of ``channel`` went to."""
    customers = {int(m.key.rsplit(":c", 1)[1]) for m in messages if m.channel == channel}
    if not customers:
        return set()
    reached: set[int] = set()
    for unit_id, customer_id in people.values_list("unit_id", "customer_id").iterator(chunk_size=BATCH):
        if customer_id in customers:
            reached.add(unit_id)
    return reached
