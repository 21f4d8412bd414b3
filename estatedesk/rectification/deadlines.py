"""How an item's completion date stands (SPEC R-4): due, due soon, overdue, met or late. Pure.

The completion date is a day: the work is due by the end of it in the company's time zone.
It counts while someone is fixing the item (our department or the developer's team); once the
work is reported done it is met or late. Due soon is the last ``SOON_DAYS`` days — the team and
the developer's customer service are reminded then (``rectification.sweeps``). The states are
the floor's (``workcal.due``), the same the complaints use.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from estatedesk.workcal.due import DueState, SoonWindows, due_state

SOON_DAYS = 2
WINDOWS = SoonWindows(urgent=timedelta(days=SOON_DAYS), normal=timedelta(days=SOON_DAYS))
FIXING = frozenset({"prop_fixing", "team_fixing"})


def due_at(due_date: date, zone: ZoneInfo) -> datetime:
    """The end of the completion day (the first moment of the next day)."""
    return datetime.combine(due_date + timedelta(days=1), time.min, tzinfo=zone)


def item_due_state(
    *, status: str, due_date: date | None, completed_at: datetime | None, now: datetime, zone: ZoneInfo
) -> DueState:
    if due_date is None or (status not in FIXING and completed_at is None):
        return DueState.NONE
    done = completed_at if status not in FIXING else None
    return due_state(now=now, due=due_at(due_date, zone), replied_at=done, basis="normal", windows=WINDOWS)


def overdue_before(today: date) -> date:
    """Items fixing with a completion date before this day are overdue (for queries)."""
    return today
