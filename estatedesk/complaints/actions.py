"""What the complaint services share: the complaint's reply deadline and the link to its page.

The generic pieces (clock, locking, workflow checks, numbers, messages) live in ``core`` and
``notifications``; the timeline's events in ``events``. Services call these; views and the
API never do.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, QuerySet, Subquery
from django.urls import reverse

from estatedesk.complaints.models import Complaint
from estatedesk.core.models import CompanySettings
from estatedesk.core.prepared import Prepared
from estatedesk.org import channels
from estatedesk.org.models import Department, DepartmentKind
from estatedesk.workcal.deadlines import DeadlinePolicy, ReplyDeadline, reply_deadline
from estatedesk.workcal.engine import Calendar
from estatedesk.workcal.models import CalendarRevision
from estatedesk.workcal.selectors import DEFAULT_REGION, load_calendar, office_hours_for

# --- Deadlines ----------------------------------------------------------------------------------


# The calendars compiled here, by the revision token they were read under (see deadline_settings).
_calendars: dict[str, Calendar] = {}


def _settings_query(*, estate_id: int | None = None, channel: str = "") -> QuerySet[CompanySettings]:
    token = CalendarRevision.objects.filter(region=DEFAULT_REGION).values("token")[:1]
    extra: dict[str, Any] = {"calendar_token": Subquery(token)}
    if estate_id is not None:
        office = Department.objects.filter(
            estate_id=estate_id, kind=DepartmentKind.MANAGEMENT_OFFICE, active=True
        ).order_by("kind", "name", "pk")  # the order ``first()`` gives by the model's ordering
        extra["office_id"] = Subquery(office.values("pk")[:1])
        extra["office_name"] = Subquery(office.values("name")[:1])
    if channel:
        extra["channel_offered"] = Exists(channels.offering(channel, channels.Use.COMPLAINTS))
    return CompanySettings.objects.annotate(**extra).filter(pk=1).order_by()[:1]


# Intake's read, compiled once per process (``core.prepared``): the samples stand for the
# estate and the channel, which no constant of the query can equal.
_INTAKE_SETTINGS = Prepared(_settings_query, estate_id=-424_242, channel="\x01channel\x01")


def deadline_settings(*, estate_id: int | None = None, channel: str = "") -> CompanySettings:
    """The company settings with the calendar's current revision token, in one statement.

    ``compute_deadline`` given these needs no second look-up to know whether the calendar it
    compiled before is still the current one (``workcal.selectors.load_calendar`` reads the
    token for each call). Intake asks in the same statement for what it would otherwise ask
    in two more (decision 0062): with ``estate_id`` and ``channel``, ``office_id`` and
    ``office_name`` are the estate's active management office's (None if it has none;
    ``office_of``) and ``channel_offered`` says whether that channel is active and kept for
    complaints; that statement is compiled once per process. Settings saved without a row
    yet (``CompanySettings.load``) come without these: callers ask for them as before."""
    if estate_id is not None and channel:
        company = _INTAKE_SETTINGS.first(estate_id=estate_id, channel=channel)
    else:
        company = next(iter(_settings_query(estate_id=estate_id, channel=channel)), None)
    if company is not None and hasattr(company, "channel_offered"):
        company.channel_offered = bool(company.channel_offered)  # 0 or 1 from SQLite
    return company if company is not None else CompanySettings.load()


def office_of(company: CompanySettings, estate: Any) -> Department | None:
    """The estate's management office as ``deadline_settings(estate_id=…)`` read it: its id,
    name, kind, estate and state (the rest is loaded if asked for); None when it has none."""
    office_id = getattr(company, "office_id", None)
    if office_id is None:
        return None
    loaded = ("id", "name", "kind", "estate_id", "active")
    name = getattr(company, "office_name", "")
    values = (office_id, name, DepartmentKind.MANAGEMENT_OFFICE.value, estate.pk, True)
    return Department.from_db(company._state.db, loaded, values)


def _calendar(company: CompanySettings) -> Calendar:
    token = getattr(company, "calendar_token", None)
    if token is None:
        return load_calendar()
    calendar = _calendars.get(token)
    if calendar is None:
        # Read now, the calendar is at least as new as the token: a change landing in between
        # is caught by the next call, whose token differs.
        calendar = load_calendar()
        _calendars.clear()
        _calendars[token] = calendar
    return calendar


def compute_deadline(complaint: Complaint, company: CompanySettings | None = None) -> ReplyDeadline:
    company = company or CompanySettings.load()
    start = complaint.reopened_at or complaint.received_at
    return reply_deadline(
        received_at=start,
        urgent=complaint.urgent,
        serious=complaint.serious,
        valid=complaint.valid if complaint.kind == "complaint" else None,
        requested_at=None if complaint.reopened_at else complaint.requested_reply_at,
        policy=DeadlinePolicy.from_settings(company),
        cal=_calendar(company),
        hours=office_hours_for(complaint.estate, company=company),
    )


def apply_deadline(complaint: Complaint, company: CompanySettings | None = None) -> dict[str, Any] | None:
    """Set the deadline fields; returns the change (old and new) when it moved, for the timeline."""
    deadline = compute_deadline(complaint, company)
    old_due, old_basis = complaint.reply_due, complaint.due_basis
    complaint.reply_due = deadline.due
    complaint.due_basis = deadline.basis
    complaint.due_provisional = deadline.provisional
    if old_due == deadline.due and old_basis == deadline.basis:
        return None
    if old_due is None or deadline.due > old_due:
        # A later deadline deserves a fresh reminder.
        complaint.reminder_sent_at = None
        complaint.overdue_notified_at = None
    return {
        "old_due": old_due.isoformat() if old_due else None,
        "new_due": deadline.due.isoformat(),
        "basis": deadline.basis,
        "provisional": deadline.provisional,
    }


def complaint_link(complaint: Complaint) -> str:
    return reverse("complaints:detail", args=[complaint.pk])
