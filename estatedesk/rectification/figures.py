"""The progress figures of rectification (SPEC R-5), from counts. Pure: no ORM, no clock.

``Counts`` is what one row of a progress table counts (an estate, a batch, a team, a category,
a round, or the total); the rates come from it:

* first-round pass rate: the accepted items accepted in their first round, among the accepted;
* average days to acceptance: the days from reported to accepted, averaged over the accepted;
* overdue share: the overdue items among the open ones.

A rate over nothing is ``None`` (shown as "—"), never 0 %: no item accepted yet is not a 0 %
pass rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Counts:
    """Items of one row; cancelled items are counted nowhere."""

    items: int = 0  # every item not cancelled
    with_property: int = 0  # collected, to be decided, or being fixed by the property company
    with_developer: int = 0  # with the developer's customer service or its team
    awaiting_resident: int = 0  # ready for the resident's inspection or awaiting acceptance
    accepted: int = 0
    overdue: int = 0  # being fixed with a completion date before today
    accepted_first_round: int = 0
    days_to_accept: float = 0.0  # total days from reported to accepted, over the accepted items

    @property
    def open(self) -> int:
        return self.items - self.accepted

    @property
    def first_round_pass_rate(self) -> float | None:
        return pass_rate(self.accepted_first_round, self.accepted)

    @property
    def average_days(self) -> float | None:
        return average_days(self.days_to_accept, self.accepted)

    @property
    def overdue_share(self) -> float | None:
        return overdue_share(self.overdue, self.open)

    @property
    def pass_rate_text(self) -> str:
        return percent_text(self.first_round_pass_rate)

    @property
    def average_days_text(self) -> str:
        return days_text(self.average_days)

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


def total(rows: Iterable[Counts]) -> Counts:
    result = Counts()
    for row in rows:
        result = result + row
    return result


def pass_rate(first_round: int, accepted: int) -> float | None:
    """Percent of the accepted items that passed in their first round."""
    if accepted <= 0:
        return None
    return 100.0 * first_round / accepted


def average_days(total_days: float, accepted: int) -> float | None:
    if accepted <= 0:
        return None
    return total_days / accepted


def overdue_share(overdue: int, open_items: int) -> float | None:
    """Percent of the open items that are overdue."""
    if open_items <= 0:
        return None
    return 100.0 * overdue / open_items


def percent_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1f}%"


def days_text(days: float | None) -> str:
    return "—" if days is None else f"{days:.1f}"
