"""Deadline sweeps (SPEC K-5): remind staff before a reply is due, tell the head when it passes.

Run every minute by a worker (``complaints.tasks``) or by cron (``manage sweep_deadlines``).
Each complaint is *claimed* with a conditional UPDATE on its own bookkeeping column
(``reminder_sent_at`` / ``overdue_notified_at`` … WHERE it IS NULL) in the same transaction
that writes the messages, so a sweep run twice, or on two workers at once, tells people
once; a rolled-back claim sends nothing. A deadline moved later clears both columns
(``actions.apply_deadline``), so the new deadline gets its own reminder.

Reminders about non-urgent items wait for the estate's office hours; urgent ones go out
at once. "Urgent" is the 2-hour clock deadline, or a reply time the customer asked for that
is now within the urgent window (a reminder that waited for the office to open would come
after it). Work arrangement notices have no "told" column: the claim is the outbox key
(``<notice number>:overdue…``, unique), and a notice whose head was told is left out of the
next sweep by looking for that key.

Queries are bounded batches on index-friendly conditions (status and reply_due; due_at),
and estates whose office is closed are left out in SQL so that waiting rows never crowd
out the rows that may go now.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.translation import gettext as _

from estatedesk.complaints.actions import complaint_link
from estatedesk.complaints.deadlines import SoonWindows
from estatedesk.complaints.models import Complaint, NoticeStatus, WorkNotice
from estatedesk.complaints.selectors import soon_windows
from estatedesk.core.clock import company_zone
from estatedesk.core.i18n import in_company_language
from estatedesk.core.models import CompanySettings
from estatedesk.notifications.models import Channel, Message
from estatedesk.notifications.recipients import people_of, people_with_role
from estatedesk.notifications.services import notify, tell_staff_group
from estatedesk.org.models import Department, Estate
from estatedesk.workcal import engine
from estatedesk.workcal.selectors import load_calendar, office_hours_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger("estatedesk.complaints")

BATCH = 200
URGENT_BASES = ("urgent", "requested")  # requested: only when due within the urgent window


@dataclass
class Sweep:
    """What one run needs once: the time, the company's settings, the calendar, open estates."""

    now: datetime
    company: CompanySettings
    windows: SoonWindows
    zone: ZoneInfo
    open_estates: list[int] = field(default_factory=list)
    company_open: bool = False

    @classmethod
    def at(cls, now: datetime) -> Sweep:
        company = CompanySettings.load()
        cal = load_calendar()
        sweep = cls(now=now, company=company, windows=soon_windows(company), zone=company_zone(company))
        sweep.company_open = engine.in_office_hours(now, cal, office_hours_for(None, company=company))
        for estate in Estate.objects.only("pk", "office_hours"):
            try:
                hours = office_hours_for(estate, company=company)
            except ValueError:
                hours = office_hours_for(None, company=company)
            if engine.in_office_hours(now, cal, hours):
                sweep.open_estates.append(estate.pk)
        return sweep

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")


# --- Who hears ---------------------------------------------------------------------------------


def handlers_of(complaint: Complaint) -> list[User]:
    """The complaint's handler; without one, the handling department's handlers (else its heads)."""
    handler = complaint.handler
    if handler is not None and handler.user.is_active:
        return [handler.user]
    return people_of(complaint.department, ("handler",)) or people_of(
        complaint.department, ("department_head",)
    )


def heads_of(department: Department | None) -> list[User]:
    """The department's heads; without one, the deputy GM (and failing that, the GM)."""
    return (
        people_of(department, ("department_head",)) or people_with_role("deputy_gm") or people_with_role("gm")
    )


def _send(users: list[User], *, key: str, subject: str, body: str, link: str) -> int:
    """In-app to each user, and an e-mail copy to those who have an address. Returns new in-app messages."""
    created = 0
    for user in users:
        if notify(
            key=f"{key}:u{user.pk}", channel=Channel.IN_APP, user=user, subject=subject, body=body, link=link
        ):
            created += 1
        if user.email:
            notify(
                key=f"{key}:email:u{user.pk}",
                channel=Channel.EMAIL,
                user=user,
                address=user.email,
                subject=subject,
                body=body,
                link=link,
            )
    # The office's WeCom group too, when the company has one (decision 0031): once per key.
    tell_staff_group(key=key, subject=subject, body=body, link=link)
    return created


# --- Reminders before the deadline -------------------------------------------------------------


def _waiting(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return queryset.filter(awaiting_reply=True)  # status waiting, no reply, a deadline (Complaint)


def remind_candidates(sweep: Sweep) -> list[Complaint]:
    """Urgent ones first (any hour), then non-urgent ones of estates whose office is open now."""
    base = _waiting(Complaint.objects.filter(reminder_sent_at__isnull=True)).select_related(
        "handler__user", "department", "estate"
    )
    return _urgent_first(
        sweep,
        urgent=base.filter(due_basis__in=URGENT_BASES, reply_due__lte=sweep.now + sweep.windows.urgent),
        normal=base.filter(~Q(due_basis="urgent"), reply_due__lte=sweep.now + sweep.windows.normal),
    )


def _urgent_first(
    sweep: Sweep, *, urgent: QuerySet[Complaint], normal: QuerySet[Complaint]
) -> list[Complaint]:
    """One batch: urgent rows at any hour, then the rest of estates whose office is open now."""
    found = list(urgent.order_by("reply_due", "pk")[:BATCH])
    if sweep.open_estates and len(found) < BATCH:
        rest = normal.filter(estate_id__in=sweep.open_estates).exclude(pk__in=[c.pk for c in found])
        found += list(rest.order_by("reply_due", "pk")[: BATCH - len(found)])
    return found


def _remind(complaint: Complaint, sweep: Sweep) -> bool:
    due = complaint.reply_due
    assert due is not None
    with transaction.atomic():
        claimed = _waiting(Complaint.objects.filter(pk=complaint.pk, reminder_sent_at__isnull=True)).filter(
            reply_due=due
        )
        if not claimed.update(reminder_sent_at=sweep.now):
            return False  # another worker reminded, or the complaint moved on since it was read
        users = handlers_of(complaint)
        if not users:
            logger.warning("%s: nobody to remind (no handler, no department staff)", complaint.number)
        with in_company_language():
            values = {
                "number": complaint.number,
                "kind": complaint.get_kind_display(),
                "estate": complaint.estate.name,
                "due": sweep.local(due),
            }
            if due < sweep.now:
                subject = _("Reply to %(number)s was due %(due)s") % values
            else:
                subject = _("Reply to %(number)s due %(due)s") % values
            body = (
                _("The reply to the customer on %(kind)s %(number)s (%(estate)s) is due at %(due)s.") % values
            )
            body = f"{body}\n{complaint.description[:200]}"
        _send(
            users,
            key=f"{complaint.number}:remind:{due.isoformat()}",
            subject=subject,
            body=body,
            link=complaint_link(complaint),
        )
    return True


def remind_due(now: datetime) -> int:
    """Remind the handlers of replies coming due. Returns how many complaints were reminded."""
    sweep = Sweep.at(now)
    return sum(_remind(c, sweep) for c in remind_candidates(sweep))


# --- The department head, when a deadline has passed ------------------------------------------


def overdue_candidates(sweep: Sweep) -> list[Complaint]:
    base = _waiting(Complaint.objects.filter(overdue_notified_at__isnull=True, reply_due__lt=sweep.now))
    base = base.select_related("handler", "department", "estate")
    return _urgent_first(
        sweep, urgent=base.filter(due_basis="urgent"), normal=base.exclude(due_basis="urgent")
    )


def _tell_overdue(complaint: Complaint, sweep: Sweep) -> bool:
    due = complaint.reply_due
    assert due is not None
    with transaction.atomic():
        claimed = _waiting(
            Complaint.objects.filter(
                pk=complaint.pk, overdue_notified_at__isnull=True, reply_due__lt=sweep.now
            )
        ).filter(reply_due=due)
        if not claimed.update(overdue_notified_at=sweep.now):
            return False
        users = heads_of(complaint.department)
        if not users:
            logger.warning("%s: overdue and nobody to tell (no head, no deputy GM)", complaint.number)
        with in_company_language():
            values = {
                "number": complaint.number,
                "kind": complaint.get_kind_display(),
                "estate": complaint.estate.name,
                "due": sweep.local(due),
                "handler": complaint.handler.display_name if complaint.handler else _("nobody yet"),
            }
            subject = _("%(number)s is overdue: the reply was due %(due)s") % values
            body = (
                _(
                    "No reply to the customer yet on %(kind)s %(number)s (%(estate)s, handler: %(handler)s). The reply was due at %(due)s."
                )
                % values
            )
        _send(
            users,
            key=f"{complaint.number}:overdue:{due.isoformat()}",
            subject=subject,
            body=body,
            link=complaint_link(complaint),
        )
    return True


def _notice_link(notice: WorkNotice) -> str:
    return reverse("complaints:notice_detail", args=[notice.pk])


NOTICE_TOLD = ":overdue"


def overdue_notices(sweep: Sweep) -> list[WorkNotice]:
    """Issued notices past their date whose head has not been told (no ``<number>:overdue:`` message)."""
    told = Message.objects.filter(key__startswith=Concat(OuterRef("number"), Value(NOTICE_TOLD + ":")))
    office_open = Q(estate_id__in=sweep.open_estates)
    if sweep.company_open:
        office_open |= Q(estate__isnull=True)
    return list(
        WorkNotice.objects.filter(office_open, status=NoticeStatus.ISSUED, due_at__lt=sweep.now)
        .filter(~Exists(told))
        .select_related("department", "complaint")
        .order_by("due_at", "pk")[:BATCH]
    )


def _tell_notice_overdue(notice: WorkNotice, sweep: Sweep) -> bool:
    users = heads_of(notice.department)
    if not users:
        logger.warning("%s: overdue and nobody to tell", notice.number)
        return False
    with transaction.atomic(), in_company_language():
        values = {
            "number": notice.number,
            "department": notice.department.name,
            "due": sweep.local(notice.due_at),
            "task": notice.task[:200],
        }
        created = _send(
            users,
            key=f"{notice.number}{NOTICE_TOLD}",
            subject=_("Work arrangement notice %(number)s is overdue") % values,
            body=_("The task for %(department)s was due at %(due)s and has not been reported done: %(task)s")
            % values,
            link=_notice_link(notice),
        )
    return created > 0


def notify_overdue(now: datetime) -> int:
    """Tell department heads of passed deadlines, once each. Returns complaints plus notices told."""
    sweep = Sweep.at(now)
    told = sum(_tell_overdue(c, sweep) for c in overdue_candidates(sweep))
    told += sum(_tell_notice_overdue(n, sweep) for n in overdue_notices(sweep))
    return told


def sweep_deadlines(now: datetime) -> dict[str, int]:
    return {"reminded": remind_due(now), "overdue": notify_overdue(now)}
