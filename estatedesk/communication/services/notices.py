"""Every write to a notice to customers (SPEC C-2, C-3): one function per step.

Write, edit, schedule, publish, cancel, withdraw, confirm the warning sign, record a call or
visit to a household that has not read an urgent notice. Publishing fixes the recipients and
queues the messages (``fanout``) in the same transaction; a scheduled notice is published by
the worker (``publish_due``) with one conditional update, so two workers publish it once.

A work notice published later than the lead time before the work needs a recorded reason
(§7.1.5): the check is made against the moment it goes out (now, or its publish time when
scheduled) and answers on the ``late_reason`` field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from estatedesk.communication import events, kinds, selectors
from estatedesk.communication.models import Audience, Notice, NoticeEventKind, NoticeKind, NoticeRecipient
from estatedesk.communication.services import fanout
from estatedesk.communication.workflow import NOTICE, NoticeStatus
from estatedesk.core import richtext
from estatedesk.core.actors import SYSTEM, Actor, name_of, stamp, user_of
from estatedesk.core.clock import now
from estatedesk.core.errors import InvalidInput, NotFound
from estatedesk.core.models import CompanySettings
from estatedesk.core.numbering import next_number
from estatedesk.core.versioning import take_edit
from estatedesk.core.workflow import check_source, lock, require
from estatedesk.notifications import providers
from estatedesk.org import channels as org_channels
from estatedesk.org.models import Building, Estate, Unit

TITLE_LENGTH = 200
REASON_LENGTH = 1000
OUTCOME_LENGTH = 1000
PLACE_LENGTH = 200


@dataclass
class NoticeDraft:
    """What a form or the API submits for a notice."""

    kind: str
    title: str
    body: str
    estate: int
    buildings: Sequence[int] = ()
    units: Sequence[int] = ()
    audience: str = Audience.HOUSEHOLDS.value
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    publish_at: datetime | None = None
    channels: Sequence[str] = field(default_factory=lambda: [kinds.PORTAL])
    urgent: bool = False
    late_reason: str = ""


def messages() -> dict[str, str]:
    """The words for ``kinds.Problem`` codes, in the active language."""
    return {
        "starts_at_missing": _("Enter when the work or event starts."),
        "ends_before_start": _("The end must be after the start."),
        "owners_only": _(
            "Financial reports and survey results go to all owners or to the owners' committee."
        ),
        "no_channel": _("Choose at least one channel."),
        "reason_too_long": _("At most %(count)d characters.") % {"count": REASON_LENGTH},
    }


def channel_choices(language: str | None = None) -> list[tuple[str, str]]:
    """The channels a notice may go out by, (code, name): the administrators' list for notices,
    without an online channel that would only be written to the log (WeChat without robots in
    production, ``notifications.providers.delivers``): no notice may claim a group was told."""
    return [
        (code, name)
        for code, name in org_channels.choices(org_channels.Use.NOTICES, language=language)
        if code not in kinds.OUTBOX_CHANNELS or providers.delivers(kinds.OUTBOX_CHANNELS[code])
    ]


def lead_hours() -> int:
    return CompanySettings.load().notice_lead_hours


def late_message(notice_starts: datetime, hours: int) -> str:
    return _(
        "A work notice must go out %(hours)d hours before the work, by %(latest)s. Publishing later "
        "needs a reason: enter it."
    ) % {
        "hours": hours,
        "latest": date_format(localtime(kinds.latest_publish(notice_starts, hours)), "DATETIME_FORMAT"),
    }


def _check(actor: Actor, draft: NoticeDraft) -> tuple[Estate, list[Building], list[Unit], list[str]]:
    """Everything a draft must be before it is stored; each problem names its field."""
    if draft.kind not in NoticeKind.values:
        raise InvalidInput(_("Choose a type of notice."), field="kind")
    title = " ".join((draft.title or "").split())
    if not title:
        raise InvalidInput(_("Enter a title."), field="title")
    if len(title) > TITLE_LENGTH:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": TITLE_LENGTH}, field="title")
    if len(draft.body or "") > richtext.MAX_LENGTH:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": richtext.MAX_LENGTH}, field="body")
    if richtext.is_empty(richtext.clean(draft.body)):
        raise InvalidInput(_("Enter the text of the notice."), field="body")
    estate = selectors.estates_for(actor).filter(pk=draft.estate).first()
    if estate is None:
        raise InvalidInput(_("Choose one of your estates."), field="estate")
    buildings = list(Building.objects.filter(estate=estate, pk__in=list(draft.buildings)))
    if len(buildings) != len(set(draft.buildings)):
        raise InvalidInput(_("Choose buildings of this estate."), field="buildings")
    units = list(Unit.objects.filter(estate=estate, pk__in=list(draft.units)))
    if len(units) != len(set(draft.units)):
        raise InvalidInput(_("Choose units of this estate."), field="units")
    if buildings and any(u.building_id not in {b.pk for b in buildings} for u in units):
        raise InvalidInput(_("The units must be in the buildings chosen."), field="units")
    channels = list(dict.fromkeys(c for c in draft.channels if c))
    offered = {code for code, _name in channel_choices()}
    unknown = [c for c in channels if c not in offered]
    if unknown:
        raise InvalidInput(
            _("Not a channel for notices: %(codes)s.") % {"codes": ", ".join(unknown)}, field="channels"
        )
    found = kinds.problems(
        kind=draft.kind,
        audience=draft.audience,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        channels=channels,
        late_reason=draft.late_reason or "",
    )
    if found:
        raise InvalidInput(messages()[found[0].code], field=found[0].field)
    return estate, buildings, units, channels


def _check_on_time(notice: Notice, publish_at: datetime) -> None:
    if (
        kinds.is_late(
            notice.kind, publish_at=publish_at, starts_at=notice.starts_at, lead_hours=notice.lead_hours
        )
        and not notice.late_reason.strip()
    ):
        assert notice.starts_at is not None
        raise InvalidInput(late_message(notice.starts_at, notice.lead_hours), field="late_reason")


def _fill(notice: Notice, draft: NoticeDraft, channels: list[str]) -> None:
    notice.kind = draft.kind
    notice.title = " ".join(draft.title.split())
    notice.body = richtext.clean(draft.body)
    notice.audience = draft.audience
    notice.starts_at = draft.starts_at
    notice.ends_at = draft.ends_at
    notice.publish_at = draft.publish_at
    notice.channels = channels
    notice.urgent = bool(draft.urgent)
    notice.late_reason = (draft.late_reason or "").strip()


@transaction.atomic
def create_notice(*, actor: Actor, draft: NoticeDraft) -> Notice:
    """A draft notice; the lead time is the company's at the moment it is written."""
    require(actor, NOTICE.get("create"))
    estate, buildings, units, channels = _check(actor, draft)
    at = now()
    notice = Notice(
        number=next_number("TZ", at),
        estate=estate,
        status=NoticeStatus.DRAFT,
        lead_hours=lead_hours(),
        created_at=at,
        created_by=user_of(actor),
        created_by_name=name_of(actor),
    )
    _fill(notice, draft, channels)
    stamp(notice, actor)
    notice.save()
    notice.buildings.set(buildings)
    notice.units.set(units)
    events.write(notice, actor, NoticeEventKind.CREATED, from_status="", note=notice.title)
    return notice


def _locked(actor: Actor, notice: Notice | int) -> Notice:
    return lock(selectors.notices_for(actor), notice if isinstance(notice, int) else notice.pk)


@transaction.atomic
def edit_notice(*, actor: Actor, notice: Notice | int, draft: NoticeDraft, based_on: int | None) -> Notice:
    """Change a draft or scheduled notice, based on the version the form showed (decision 0011)."""
    transition = NOTICE.get("edit")
    require(actor, transition)
    notice = _locked(actor, notice)
    check_source(NOTICE, transition, notice.status, notice.number)
    if draft.estate != notice.estate_id:
        raise InvalidInput(
            _("A notice stays with its estate: write a new one for another estate."), field="estate"
        )
    _estate, buildings, units, channels = _check(actor, draft)
    take_edit(
        notice,
        based_on,
        current={"title": notice.title, "body": notice.body, "late_reason": notice.late_reason},
        fields=["title", "body", "late_reason"],
    )
    _fill(notice, draft, channels)
    if notice.status == NoticeStatus.SCHEDULED:
        _check_scheduled(notice)
    stamp(notice, actor)
    notice.save()
    notice.buildings.set(buildings)
    notice.units.set(units)
    events.write(notice, actor, NoticeEventKind.EDITED)
    return notice


def _check_scheduled(notice: Notice) -> None:
    if notice.publish_at is None or notice.publish_at <= now():
        raise InvalidInput(_("Enter a publish time in the future, or publish now."), field="publish_at")
    _check_on_time(notice, notice.publish_at)


@transaction.atomic
def schedule_notice(*, actor: Actor, notice: Notice | int) -> Notice:
    """The worker publishes it at its publish time (``publish_due``)."""
    transition = NOTICE.get("schedule")
    require(actor, transition)
    notice = _locked(actor, notice)
    check_source(NOTICE, transition, notice.status, notice.number)
    _check_scheduled(notice)
    from_status = notice.status
    notice.status = NoticeStatus.SCHEDULED
    stamp(notice, actor)
    notice.save(update_fields=["status"])
    events.write(notice, actor, NoticeEventKind.SCHEDULED, from_status=from_status)
    return notice


def _publish(notice: Notice, actor: Actor, at: datetime) -> Notice:
    """Fix the recipients, queue the messages, mark it published (the row is locked or claimed)."""
    from_status = notice.status
    counts = fanout.publish(notice, at=at)
    notice.status = NoticeStatus.PUBLISHED
    notice.published_at = at
    notice.published_by_name = name_of(actor)
    notice.households = counts.households
    stamp(notice, actor)
    notice.save(update_fields=["status", "published_at", "published_by_name", "households"])
    events.write(notice, actor, NoticeEventKind.PUBLISHED, from_status=from_status, data=counts.as_data())
    return notice


@transaction.atomic
def publish_notice(*, actor: Actor, notice: Notice | int) -> Notice:
    """Publish now: a scheduled notice goes out early, a draft at once."""
    transition = NOTICE.get("publish")
    require(actor, transition)
    notice = _locked(actor, notice)
    check_source(NOTICE, transition, notice.status, notice.number)
    at = now()
    _check_on_time(notice, at)
    return _publish(notice, actor, at)


def publish_due(*, at: datetime | None = None, limit: int = 20) -> int:
    """The worker's job: publish the scheduled notices whose time has come. Each is claimed by
    a conditional update inside its own transaction, so with two workers each notice is
    published once. Returns how many this run published."""
    at = at or now()
    done = 0
    due = list(
        Notice.objects.filter(status=NoticeStatus.SCHEDULED, publish_at__lte=at)
        .order_by("publish_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        with transaction.atomic():
            # The claim: only one worker moves it on from "scheduled"; the other updates nothing.
            claimed = Notice.objects.filter(pk=pk, status=NoticeStatus.SCHEDULED).update(
                status=NoticeStatus.PUBLISHED, published_at=at
            )
            if not claimed:
                continue
            notice = Notice.objects.get(pk=pk)
            notice.status = NoticeStatus.SCHEDULED  # the event records where it came from
            _publish(notice, SYSTEM, notice.publish_at or at)
            done += 1
    return done


@transaction.atomic
def cancel_notice(*, actor: Actor, notice: Notice | int, reason: str = "") -> Notice:
    return _close(actor, notice, "cancel", NoticeEventKind.CANCELLED, reason)


@transaction.atomic
def withdraw_notice(*, actor: Actor, notice: Notice | int, reason: str) -> Notice:
    """The work was called off or the notice was wrong: the portal shows it as withdrawn."""
    if not (reason or "").strip():
        raise InvalidInput(_("Say why the notice is withdrawn: residents read it."), field="reason")
    return _close(actor, notice, "withdraw", NoticeEventKind.WITHDRAWN, reason)


def _close(actor: Actor, notice: Notice | int, step: str, kind: NoticeEventKind, reason: str) -> Notice:
    transition = NOTICE.get(step)
    require(actor, transition)
    notice = _locked(actor, notice)
    check_source(NOTICE, transition, notice.status, notice.number)
    reason = (reason or "").strip()
    if len(reason) > REASON_LENGTH:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": REASON_LENGTH}, field="reason")
    from_status = notice.status
    notice.status = transition.result(notice.status)
    stamp(notice, actor)
    notice.save(update_fields=["status"])
    events.write(notice, actor, kind, from_status=from_status, note=reason)
    return notice


@transaction.atomic
def confirm_sign(
    *, actor: Actor, notice: Notice | int, place: str, placed_at: datetime | None = None
) -> Notice:
    """The warning sign stands on site (§7.1.4, §7.1.9): where, when, confirmed by whom."""
    transition = NOTICE.get("confirm_sign")
    require(actor, transition)
    notice = _locked(actor, notice)
    check_source(NOTICE, transition, notice.status, notice.number)
    if notice.kind not in kinds.SIGN_OFFERED:
        raise InvalidInput(_("This type of notice has no warning sign."), field="place")
    place = " ".join((place or "").split())
    if not place:
        raise InvalidInput(_("Say where the sign stands."), field="place")
    if len(place) > PLACE_LENGTH:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": PLACE_LENGTH}, field="place")
    at = placed_at or now()
    if at > now():
        raise InvalidInput(_("The time cannot be in the future."), field="placed_at")
    notice.sign_placed_at = at
    notice.sign_place = place
    notice.sign_confirmed_by_name = name_of(actor)
    stamp(notice, actor)
    notice.save(update_fields=["sign_placed_at", "sign_place", "sign_confirmed_by_name"])
    events.write(notice, actor, NoticeEventKind.SIGN_CONFIRMED, note=place)
    return notice


@transaction.atomic
def record_contact(
    *, actor: Actor, notice: Notice | int, unit: int, channel: str, outcome: str
) -> NoticeRecipient:
    """A household that has not read an urgent notice was phoned or visited (C-3): how and what
    came of it. Recorded once per household; a second call adds to the outcome."""
    transition = NOTICE.get("record_contact")
    require(actor, transition)
    notice = _locked(actor, notice)
    check_source(NOTICE, transition, notice.status, notice.number)
    recipient = NoticeRecipient.objects.select_for_update().filter(notice=notice, unit_id=unit).first()
    if recipient is None:
        raise NotFound(_("This household is not among the notice's recipients."))
    if not org_channels.is_offered(channel, org_channels.Use.LOG):
        raise InvalidInput(_("Choose how the household was told."), field="channel")
    outcome = (outcome or "").strip()
    if not outcome:
        raise InvalidInput(_("Say what came of it."), field="outcome")
    if len(outcome) > OUTCOME_LENGTH:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": OUTCOME_LENGTH}, field="outcome")
    at = now()
    if recipient.contact_outcome:
        stamp_line = date_format(localtime(at), "DATETIME_FORMAT")
        outcome = f"{recipient.contact_outcome}\n{stamp_line} {outcome}"
    recipient.contacted_at = at
    recipient.contact_channel = channel
    recipient.contact_outcome = outcome
    recipient.contacted_by_name = name_of(actor)
    recipient.save(update_fields=["contacted_at", "contact_channel", "contact_outcome", "contacted_by_name"])
    events.write(
        notice,
        actor,
        NoticeEventKind.CONTACTED,
        data={"unit": unit, "channel": channel},
        note=str(recipient.unit),
    )
    return recipient


__all__ = [
    "NoticeDraft",
    "cancel_notice",
    "confirm_sign",
    "create_notice",
    "edit_notice",
    "publish_due",
    "publish_notice",
    "record_contact",
    "schedule_notice",
    "withdraw_notice",
]
