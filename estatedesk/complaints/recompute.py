"""Recomputing the reply deadlines of open complaints when their inputs change (SPEC K-5, P-4).

Registered with ``workcal.recompute``: the calendar calls ``calendar_changed`` with the
years a notice or a correction touched; saving office hours calls ``hours_changed``. Each
open complaint still waiting for its reply gets its deadline computed again; where it
moved, the change is written on the complaint and in its timeline. Urgent deadlines (clock
hours) and requested reply times do not depend on the calendar and are left alone.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from estatedesk.complaints import events
from estatedesk.complaints.actions import apply_deadline
from estatedesk.complaints.models import AWAITING_REPLY, Complaint
from estatedesk.core.actors import SYSTEM
from estatedesk.core.clock import company_zone
from estatedesk.core.i18n import in_company_language
from estatedesk.core.models import CompanySettings

BATCH = 500


def _waiting() -> QuerySet[Complaint]:
    return Complaint.objects.filter(
        status__in=AWAITING_REPLY, replied_at__isnull=True, due_basis__in=("normal", "invalid")
    ).select_related("estate")


def _recompute(queryset: QuerySet[Complaint], reason: str) -> int:
    company = CompanySettings.load()
    moved = 0
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return moved
        last = batch[-1].pk
        for complaint in batch:
            with transaction.atomic():
                change = apply_deadline(complaint, company)
                if change is None:
                    continue
                complaint.save(
                    update_fields=[
                        "reply_due",
                        "due_basis",
                        "due_provisional",
                        "reminder_sent_at",
                        "overdue_notified_at",
                        "updated_at",
                    ]
                )
                events.deadline_changed(complaint, SYSTEM, reason=reason, change=change)
                moved += 1


def calendar_changed(years: set[int]) -> int:
    if not years:
        return 0
    zone = company_zone()
    start = datetime(min(years), 1, 1, tzinfo=zone)
    end = datetime(max(years) + 1, 1, 1, tzinfo=zone)
    with in_company_language():
        reason = _("Working-day calendar changed (%(years)s)") % {
            "years": ", ".join(str(y) for y in sorted(years))
        }
    return _recompute(_waiting().filter(received_at__lt=end, reply_due__gte=start), reason)


def hours_changed(estate_id: int | None) -> int:
    """Office hours of one estate (or the company default, None) changed."""
    queryset = _waiting()
    if estate_id is not None:
        queryset = queryset.filter(estate_id=estate_id)
    with in_company_language():
        reason = _("Office hours changed")
    return _recompute(queryset, reason)
