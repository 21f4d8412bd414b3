"""What the complaint services share: the complaint's reply deadline and the link to its page.

The generic pieces (clock, locking, workflow checks, numbers, messages) live in ``core`` and
``notifications``; the timeline's events in ``events``. Services call these; views and the
API never do.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from estatedesk.complaints.models import Complaint
from estatedesk.core.models import CompanySettings
from estatedesk.workcal.deadlines import DeadlinePolicy, ReplyDeadline, reply_deadline
from estatedesk.workcal.selectors import load_calendar, office_hours_for

# --- Deadlines ----------------------------------------------------------------------------------


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
        cal=load_calendar(),
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
