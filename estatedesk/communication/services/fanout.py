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

Everything is written in multi-row inserts (``core.bulk``; ``notifications.notify_many``): a notice to
50,000 households is a few hundred statements, not 100,000 (``bench/notice_publish.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from estatedesk.communication import kinds
from estatedesk.communication.models import Audience, HouseholdLink, Notice, NoticeKind, NoticeRecipient
from estatedesk.communication.models.notices import new_token
from estatedesk.core import bulk, richtext
from estatedesk.core.i18n import in_company_language
from estatedesk.notifications.models import Channel as OutboxChannel
from estatedesk.notifications.services import Outgoing, notify_many
from estatedesk.org.models import CommitteeMember, Customer, CustomerKind, Occupancy, Unit

BATCH = 2000
RECIPIENT_COLUMNS = (
    "notice_id", "unit_id", "building_id", "channels", "contact_channel", "contact_outcome", "contacted_by_name",
)  # fmt: skip
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


def links(units: QuerySet[Unit], unit_ids: list[int], *, at: datetime) -> dict[int, str]:
    """Each unit's private link token, made for the units that have none yet (a unit another
    notice gave a link to meanwhile keeps that one)."""
    tokens = dict(HouseholdLink.objects.filter(unit__in=units.values("pk")).values_list("unit_id", "token"))
    missing = [u for u in unit_ids if u not in tokens]
    if missing:
        made = bulk.db_datetime(at)
        bulk.insert_rows(
            HouseholdLink,
            ("unit_id", "token", "created_at"),
            ((u, new_token(), made) for u in missing),
            skip_conflicts=True,
        )
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            tokens.update(HouseholdLink.objects.filter(unit_id__in=chunk).values_list("unit_id", "token"))
    return tokens


def household_link(token: str, notice_id: int | None = None) -> str:
    if notice_id is None:
        return reverse("portal:notices", args=[token])
    return reverse("portal:notice", args=[token, notice_id])


def _link_maker(notice_id: int) -> Callable[[str], str]:
    """``household_link`` for one notice and many tokens, the URL resolved once."""
    marker = "TOKEN"
    pattern = reverse("portal:notice", args=[marker, notice_id])
    before, after = pattern.split(marker, 1)
    return lambda token: f"{before}{token}{after}"


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


@dataclass
class Reached:
    """The messages of a notice and the units each channel reached."""

    messages: list[Outgoing]
    units: dict[str, set[int]]


def _outgoing(
    notice: Notice, people: QuerySet[Occupancy], tokens: dict[int, str], subject: str, body: str
) -> Reached:
    units_of_customer: dict[int, list[int]] = {}
    for unit_id, customer_id in (
        people.order_by("unit_id", "pk").values_list("unit_id", "customer_id").iterator(chunk_size=BATCH)
    ):
        units_of_customer.setdefault(customer_id, []).append(unit_id)
    wants_sms = kinds.SMS in notice.channels
    wants_email = kinds.EMAIL in notice.channels
    link_of = _link_maker(notice.pk) if kinds.PORTAL in notice.channels else None
    reached = Reached([], {kinds.SMS: set(), kinds.EMAIL: set()})
    text = richtext.plain(notice.body) if wants_email else ""  # once, not once per address
    phones: set[str] = set()
    emails: set[str] = set()
    # The phone's ciphertext is copied into the outbox as it is (``sealed``): 50,000 numbers are
    # neither decrypted nor encrypted again; the blind index tells the same number apart.
    customers = Customer.objects.filter(pk__in=people.values("customer_id")).values_list(
        "pk", Cast("phone", output_field=TextField()), "phone_index", "email"
    )
    for customer_id, sealed_phone, phone_index, email in customers.iterator(chunk_size=BATCH):
        units = units_of_customer.get(customer_id)
        if not units:
            continue
        link = link_of(tokens[units[0]]) if link_of else ""
        if wants_sms and sealed_phone and phone_index not in phones:
            phones.add(phone_index)
            reached.units[kinds.SMS].update(units)
            reached.messages.append(
                Outgoing(
                    key=f"{notice.number}:sms:c{customer_id}",
                    channel=OutboxChannel.SMS,
                    address=sealed_phone,
                    subject=subject,
                    body=body,
                    link=link,
                    sealed=True,
                )
            )
        email = (email or "").strip().lower()
        if wants_email and email and email not in emails:
            emails.add(email)
            reached.units[kinds.EMAIL].update(units)
            reached.messages.append(
                Outgoing(
                    key=f"{notice.number}:email:c{customer_id}",
                    channel=OutboxChannel.EMAIL,
                    address=email,
                    subject=subject,
                    body=text,
                    link=link,
                )
            )
    return reached


def _write_recipients(notice: Notice, rows: list[tuple[int, int]], reached: Reached) -> None:
    portal = kinds.PORTAL in notice.channels
    json_of: dict[tuple[bool, bool], str] = {}

    def channels_of(unit_id: int) -> str:
        key = (unit_id in reached.units[kinds.SMS], unit_id in reached.units[kinds.EMAIL])
        if key not in json_of:
            codes = [kinds.PORTAL] if portal else []
            codes += [kinds.SMS] if key[0] else []
            codes += [kinds.EMAIL] if key[1] else []
            json_of[key] = bulk.db_json(codes)
        return json_of[key]

    bulk.insert_rows(
        NoticeRecipient,
        RECIPIENT_COLUMNS,
        (
            (notice.pk, unit_id, building_id, channels_of(unit_id), "", "", "")
            for unit_id, building_id in rows
        ),
        skip_conflicts=True,
    )


def _wechat(notice: Notice, subject: str, body: str) -> Outgoing:
    """One message to the estate's group: the whole text, and the estate's public notices page."""
    text = richtext.plain(notice.body)
    return Outgoing(
        key=f"{notice.number}:wechat",
        channel=OutboxChannel.WECHAT,
        address=f"estate:{notice.estate.code}",
        subject=subject,
        body=f"{body}\n{text}" if len(text) > SMS_TEXT_LENGTH else body,
        link=reverse("portal:estate_notices", args=[notice.estate.code])
        if kinds.PORTAL in notice.channels
        else "",
    )


def publish(notice: Notice, *, at: datetime) -> Counts:
    """Write the recipients and queue the messages of a notice being published."""
    units = units_of(notice)
    rows = list(units.order_by("building_id", "pk").values_list("pk", "building_id"))
    tokens = links(units, [pk for pk, _building in rows], at=at)
    notice.published_at = at
    subject, body = wording(notice)
    reached = _outgoing(notice, _people(notice, units), tokens, subject, body)
    _write_recipients(notice, rows, reached)
    messages = reached.messages
    if kinds.WECHAT in notice.channels:
        messages.append(_wechat(notice, subject, body))
    notify_many(messages)
    return Counts(
        households=len(rows),
        sms=sum(1 for m in messages if m.channel == OutboxChannel.SMS),
        email=sum(1 for m in messages if m.channel == OutboxChannel.EMAIL),
        wechat=sum(1 for m in messages if m.channel == OutboxChannel.WECHAT),
    )
