"""What the communication log's pages, export, API and home panel read (SPEC C-4, P-1).

Scope is ``selectors.contacts_for`` (the staff of the contact's estate; the customer-service
supervisor and those who see the whole company see all). A contact is **open** while any of its
follow-ups is not done; a follow-up is **overdue** when it is not done and its due date is before
today by the company's clock. The list's counts are subqueries, so its queries do not grow with
its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from estatedesk.communication import selectors
from estatedesk.communication.models import Contact, ContactFollowUp
from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_today, company_zone

__all__ = [
    "LogFilters",
    "Overdue",
    "contact_rows",
    "days_overdue",
    "get_contact",
    "follow_ups_of",
    "open_contacts",
    "overdue_follow_ups",
]

OPEN, OVERDUE = "open", "overdue"
STATES = (OPEN, OVERDUE)


def days_overdue(follow_up: ContactFollowUp, today: date | None = None) -> int:
    """Days past the due date of a follow-up not done (0 when done or not yet due)."""
    if follow_up.done_at is not None:
        return 0
    return max(0, ((today or company_today()) - follow_up.due_date).days)


def _not_done() -> QuerySet[ContactFollowUp]:
    return ContactFollowUp.objects.filter(done_at__isnull=True)


def _count(rows: QuerySet[ContactFollowUp]) -> Coalesce:
    counted = rows.filter(contact=OuterRef("pk")).order_by().values("contact").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), Value(0))


def open_contacts(user: Actor) -> QuerySet[Contact]:
    """The user's contacts with a follow-up not done."""
    return selectors.contacts_for(user).filter(Exists(_not_done().filter(contact=OuterRef("pk"))))


@dataclass(frozen=True)
class LogFilters:
    estate: int | None = None
    channel: str = ""
    counterpart: str = ""
    state: str = ""  # "", "open" or "overdue"
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=company_zone())


def contact_rows(user: Actor, filters: LogFilters | None = None) -> QuerySet[Contact]:
    """The user's contacts, newest first, filtered, with ``open_count`` (follow-ups not done)
    and ``overdue_count`` (of those, past their due date)."""
    f = filters or LogFilters()
    today = company_today()
    rows = selectors.contacts_for(user)
    if f.estate is not None:
        rows = rows.filter(estate=f.estate)
    if f.channel:
        rows = rows.filter(channel=f.channel)
    if f.counterpart:
        rows = rows.filter(counterpart=f.counterpart)
    if f.state == OPEN:
        rows = rows.filter(Exists(_not_done().filter(contact=OuterRef("pk"))))
    elif f.state == OVERDUE:
        rows = rows.filter(Exists(_not_done().filter(contact=OuterRef("pk"), due_date__lt=today)))
    if f.date_from is not None:
        rows = rows.filter(occurred_at__gte=_day_start(f.date_from))
    if f.date_to is not None:
        rows = rows.filter(occurred_at__lt=_day_start(f.date_to + timedelta(days=1)))
    if f.text:
        rows = rows.filter(
            Q(number__icontains=f.text) | Q(subject__icontains=f.text) | Q(summary__icontains=f.text)
        )
    not_done = _not_done()
    return (
        rows.select_related("estate", "office", "unit__building", "customer")
        .prefetch_related("committee_members", "staff")
        .annotate(
            open_count=_count(not_done),
            overdue_count=_count(not_done.filter(due_date__lt=today)),
        )
        .order_by("-occurred_at", "-pk")
    )


def get_contact(user: Actor, pk: int) -> Contact | None:
    return (
        selectors.contacts_for(user)
        .select_related("estate", "office", "unit__building", "customer")
        .prefetch_related(
            "committee_members",
            "staff",
            Prefetch(
                "follow_ups",
                queryset=ContactFollowUp.objects.select_related("owner").order_by("due_date", "pk"),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def follow_ups_of(contact: Contact, today: date | None = None) -> list[ContactFollowUp]:
    """The contact's follow-ups by due date, each with ``overdue_days``."""
    today = today or company_today()
    rows = list(contact.follow_ups.all())
    for row in rows:
        row.overdue_days = days_overdue(row, today)  # type: ignore[attr-defined]
    return rows


@dataclass(frozen=True)
class Overdue:
    follow_up: ContactFollowUp
    days: int


def overdue_follow_ups(user: Actor, *, limit: int | None = None) -> tuple[list[Overdue], int]:
    """The follow-ups of the user's contacts not done past their due date, the longest overdue
    first (at most ``limit``), and how many there are in all: for the home-page panel."""
    today = company_today()
    rows = (
        selectors.follow_ups_for(user)
        .filter(done_at__isnull=True, due_date__lt=today)
        .select_related("owner", "contact")
        .order_by("due_date", "pk")
    )
    count = rows.count()
    chosen = rows[:limit] if limit is not None else rows
    return [Overdue(f, days_overdue(f, today)) for f in chosen], count
