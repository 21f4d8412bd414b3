"""Deadline sweeps of rectification items (SPEC R-4): a reminder when the completion date comes
near, a notice when it has passed. Run by the worker (``rectification.tasks``).

An item counts while someone is fixing it (``prop_fixing``, ``team_fixing``) and has a
completion date. It is *due soon* in the last ``deadlines.SOON_DAYS`` days before the end of
that date: the team that fixes it (its rectification members; for our own fix, our department's
handlers and head) and the developer's customer service are reminded once. It is *overdue* once
the day has ended: the team, the developer's customer service and the estate's property
customer service are told once. An item already overdue when first seen gets only the overdue
notice.

Each item is *claimed* with one conditional UPDATE on its own column (``reminder_sent_at`` /
``overdue_notified_at`` … WHERE it IS NULL, and the status and date still the ones read) in the
transaction that writes its messages: a sweep run twice, or on two workers at once, tells people
once, and a claim rolled back sends nothing. The services clear both columns when the date
changes or a new round starts (``routing.plan``, ``routing.fix_ourselves``, ``rounds.next_round``),
so a date moved later is reminded again; the messages' keys name the item, round and date too.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from estatedesk.core.clock import company_zone
from estatedesk.core.i18n import in_company_language
from estatedesk.notifications.recipients import people_of
from estatedesk.notifications.services import tell
from estatedesk.rectification.deadlines import SOON_DAYS
from estatedesk.rectification.models import Item
from estatedesk.rectification.services import alerts
from estatedesk.rectification.workflow import FIXING_STATUSES, ItemStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger("estatedesk.rectification")

BATCH = 200


def _fixing(queryset: QuerySet[Item]) -> QuerySet[Item]:
    return queryset.filter(status__in=FIXING_STATUSES, due_date__isnull=False)


def soon_from(today: date) -> date:
    """The last completion date that is due soon today: the window is the last ``SOON_DAYS``
    days before the end of the date (``deadlines.item_due_state``)."""
    return today + timedelta(days=SOON_DAYS - 1)


def fixers_of(item: Item) -> list[User]:
    """Who does the work: the team's rectification members, or our own department's people."""
    if item.status == ItemStatus.TEAM_FIXING:
        return people_of(item.team_id, ("rectification",))
    return people_of(item.department_id, alerts.FIXER_ROLES)


def _unique(users: list[User]) -> list[User]:
    return list({user.pk: user for user in users}.values())


def _values(item: Item) -> dict[str, object]:
    assert item.due_date is not None
    return {
        "number": item.number,
        "where": item.location,
        "round": item.round,
        "estate": item.estate.name,
        "due": date_format(item.due_date, "DATE_FORMAT"),
    }


def _claim(item: Item, column: str, now: datetime) -> bool:
    """Take the item for this message: one UPDATE, true for exactly one caller."""
    return bool(
        Item.objects.filter(
            pk=item.pk, status=item.status, due_date=item.due_date, round=item.round, **{column: None}
        ).update(**{column: now})
    )


# --- Due soon ----------------------------------------------------------------------------------


def remind_candidates(today: date) -> list[Item]:
    rows = _fixing(Item.objects.filter(reminder_sent_at__isnull=True))
    rows = rows.filter(due_date__gte=today, due_date__lte=soon_from(today))
    return list(rows.select_related("estate").order_by("due_date", "pk")[:BATCH])


def _remind(item: Item, now: datetime) -> bool:
    with transaction.atomic():
        if not _claim(item, "reminder_sent_at", now):
            return False  # another worker reminded, or the item moved on since it was read
        users = _unique(fixers_of(item) + alerts.developer_people(item))
        if not users:
            logger.warning("%s: due soon and nobody to remind", item.number)
        with in_company_language():
            values = _values(item)
            tell(
                users,
                key=f"rect:{item.pk}:{item.round}:soon:{item.due_date:%Y%m%d}",
                subject=_("Rectification %(number)s due %(due)s") % values,
                body=_(
                    "%(number)s (%(estate)s, %(where)s, round %(round)s) is to be rectified by the end of %(due)s."
                )
                % values,
                link=alerts.item_link(item),
            )
    return True


def remind_due(now: datetime) -> int:
    """Remind those who fix items coming due. Returns how many items were reminded."""
    today = now.astimezone(company_zone()).date()
    return sum(_remind(item, now) for item in remind_candidates(today))


# --- Overdue -----------------------------------------------------------------------------------


def overdue_candidates(today: date) -> list[Item]:
    rows = _fixing(Item.objects.filter(overdue_notified_at__isnull=True, due_date__lt=today))
    return list(rows.select_related("estate").order_by("due_date", "pk")[:BATCH])


def _tell_overdue(item: Item, now: datetime) -> bool:
    with transaction.atomic():
        if not _claim(item, "overdue_notified_at", now):
            return False
        users = _unique(fixers_of(item) + alerts.developer_people(item) + alerts.customer_service_of(item))
        if not users:
            logger.warning("%s: overdue and nobody to tell", item.number)
        with in_company_language():
            values = _values(item)
            tell(
                users,
                key=f"rect:{item.pk}:{item.round}:overdue:{item.due_date:%Y%m%d}",
                subject=_("Rectification %(number)s is overdue: it was due %(due)s") % values,
                body=_(
                    "%(number)s (%(estate)s, %(where)s, round %(round)s) was to be rectified by the end of %(due)s and has not been reported done."
                )
                % values,
                link=alerts.item_link(item),
            )
    return True


def notify_overdue(now: datetime) -> int:
    today = now.astimezone(company_zone()).date()
    return sum(_tell_overdue(item, now) for item in overdue_candidates(today))


def sweep_deadlines(now: datetime) -> dict[str, int]:
    return {"reminded": remind_due(now), "overdue": notify_overdue(now)}
