"""Due states of a deadline (SPEC K-5, R-4). Pure: no ORM.

A complaint's reply deadline comes from ``workcal.deadlines.reply_deadline``, a rectification
item's from its completion date; this module answers "how does it stand now?" for lists and
the home panels of every app, and the sweeps use the same windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

__all__ = ["DueState", "SoonWindows", "due_state"]


class DueState(StrEnum):
    NONE = "none"  # no deadline (not applicable)
    DUE = "due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"  # replied in time
    LATE = "late"  # replied after the deadline


@dataclass(frozen=True)
class SoonWindows:
    """How long before the deadline it counts as "due soon" and the handler is reminded."""

    urgent: timedelta = timedelta(minutes=30)
    normal: timedelta = timedelta(hours=4)

    def for_basis(self, basis: str) -> timedelta:
        return self.urgent if basis == "urgent" else self.normal


def due_state(
    *, now: datetime, due: datetime | None, replied_at: datetime | None, basis: str, windows: SoonWindows
) -> DueState:
    if due is None:
        return DueState.NONE
    if replied_at is not None:
        return DueState.MET if replied_at <= due else DueState.LATE
    if now > due:
        return DueState.OVERDUE
    if due - now <= windows.for_basis(basis):
        return DueState.DUE_SOON
    return DueState.DUE
