"""What a household reads on the resident portal (SPEC C-3, W-1), and its read receipts.

* ``household_by_token``: the household behind a private link ``/r/n/<token>/`` (or None).
* ``household_notices``: the notices whose recipients include the household's unit, published
  or withdrawn (a withdrawn one stays, struck through with the reason, so that a resident who
  stored water for a cut called off learns why); urgent ones whose work has not ended first,
  then the newest.
* ``estate_notices``: the public page of an estate (its QR code): the published notices for
  all households or all owners, not the committee's, not those limited to some units; a
  notice limited to buildings says which. No read receipts there: nobody is known.
* ``mark_read``: opening a notice through the household's link is the read receipt; the
  first time is kept (a conditional update, so two taps at once still record one time).

A notice that did not reach the household is "not found", exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from estatedesk.communication.models import (
    Audience,
    HouseholdLink,
    Notice,
    NoticeEvent,
    NoticeEventKind,
    NoticeRecipient,
)
from estatedesk.communication.workflow import NoticeStatus
from estatedesk.core.clock import now
from estatedesk.core.errors import NotFound
from estatedesk.org.models import Estate

# What a household may still read: a cancelled draft never reached anyone.
VISIBLE = (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN)
# An urgent notice with no end time counts as current this long after it went out.
URGENT_WITHOUT_END = timedelta(days=3)
# The newest this many: a household's list and an estate's page are read on a phone.
LIST_LIMIT = 100
TOKEN_LENGTHS = (20, 64)


@dataclass(frozen=True)
class HouseholdNotice:
    notice: Notice
    read_at: datetime | None
    current_urgent: bool
    withdrawn_reason: str


def household_by_token(token: str) -> HouseholdLink | None:
    """The household of a private link; None for an unknown or malformed token."""
    if not (TOKEN_LENGTHS[0] <= len(token or "") <= TOKEN_LENGTHS[1]):
        return None
    return HouseholdLink.objects.select_related("unit__building", "unit__estate").filter(token=token).first()


def _current_urgent(prefix: str, at: datetime) -> Case:
    """0 for an urgent published notice whose work has not ended yet, 1 for the rest."""
    live = Q(**{f"{prefix}urgent": True, f"{prefix}status": NoticeStatus.PUBLISHED}) & (
        Q(**{f"{prefix}ends_at__gt": at})
        | Q(**{f"{prefix}ends_at__isnull": True, f"{prefix}published_at__gt": at - URGENT_WITHOUT_END})
    )
    return Case(When(live, then=Value(0)), default=Value(1), output_field=IntegerField())


def is_current_urgent(notice: Notice, at: datetime | None = None) -> bool:
    at = at or now()
    if not notice.urgent or notice.status != NoticeStatus.PUBLISHED:
        return False
    if notice.ends_at is not None:
        return notice.ends_at > at
    return notice.published_at is not None and notice.published_at > at - URGENT_WITHOUT_END


def withdrawal_reasons(notice_ids: list[int]) -> dict[int, str]:
    """The reason each withdrawn notice was withdrawn with (its timeline keeps it)."""
    rows = (
        NoticeEvent.objects.filter(notice_id__in=notice_ids, kind=NoticeEventKind.WITHDRAWN)
        .order_by("notice_id", "pk")
        .values_list("notice_id", "note")
    )
    return dict(rows)


def household_notices(link: HouseholdLink, *, limit: int = LIST_LIMIT) -> list[HouseholdNotice]:
    """The notices that reached the household, current urgent ones first, then the newest."""
    at = now()
    rows = list(
        NoticeRecipient.objects.filter(unit_id=link.unit_id, notice__status__in=VISIBLE)
        .select_related("notice")
        .annotate(first=_current_urgent("notice__", at))
        .order_by("first", "-notice__published_at", "-notice_id")[:limit]
    )
    withdrawn = [r.notice_id for r in rows if r.notice.status == NoticeStatus.WITHDRAWN]
    reasons = withdrawal_reasons(withdrawn) if withdrawn else {}
    return [
        HouseholdNotice(
            notice=r.notice,
            read_at=r.read_at,
            current_urgent=r.first == 0,  # type: ignore[attr-defined]  # the annotation above
            withdrawn_reason=reasons.get(r.notice_id, ""),
        )
        for r in rows
    ]


def household_notice(link: HouseholdLink, notice_id: int) -> NoticeRecipient:
    """The household's row of one notice it received (published or withdrawn), or NotFound."""
    row = (
        NoticeRecipient.objects.select_related("notice__estate")
        .filter(unit_id=link.unit_id, notice_id=notice_id, notice__status__in=VISIBLE)
        .first()
    )
    if row is None:
        raise NotFound(_("Not found."))
    return row


def mark_read(link: HouseholdLink, notice_id: int) -> Notice:
    """The household opened the notice: its read time, the first time only. NotFound when the
    notice did not reach this household."""
    row = household_notice(link, notice_id)
    if row.read_at is None:
        # Conditional: of two opens at once, the first one's time is kept.
        NoticeRecipient.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=now())
    return row.notice


def _public(estate: Estate) -> QuerySet[Notice]:
    limited = Notice.units.through.objects.values("notice_id")
    return Notice.objects.filter(
        estate=estate,
        status=NoticeStatus.PUBLISHED,
        audience__in=(Audience.HOUSEHOLDS, Audience.OWNERS),
    ).exclude(pk__in=limited)


def estate_notices(estate: Estate, *, limit: int = LIST_LIMIT) -> list[Notice]:
    """The estate's public notices, current urgent ones first, then the newest; each with its
    buildings prefetched (empty: the whole estate)."""
    at = now()
    return list(
        _public(estate)
        .annotate(first=_current_urgent("", at))
        .prefetch_related("buildings")
        .order_by("first", "-published_at", "-pk")[:limit]
    )


__all__ = [
    "HouseholdNotice",
    "estate_notices",
    "household_by_token",
    "household_notice",
    "household_notices",
    "is_current_urgent",
    "mark_read",
    "withdrawal_reasons",
]
