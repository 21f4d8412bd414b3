"""The complaint reply-deadline policy (SPEC K-5, procedure §7.2.3) as data. Pure: no ORM.

Which period applies, first match wins:

1. the complaint is invalid (``valid is False``): the reason is explained within
   ``invalid_working_days`` working days (basis ``invalid``), whatever time the customer
   asked for: §7.2.3 gives the customer's time to *valid* complaints only;
2. the customer asked for a reply time: that time (basis ``requested``, never
   provisional). It is taken as given, even if it is earlier than the receipt: checking it
   is the form's job, and the customer's word is what the reply is measured against;
3. urgent: ``urgent_hours`` clock hours, 24/7 (basis ``urgent``);
4. otherwise ``normal_working_days`` working days (basis ``normal``).

Working days are counted per ``mode`` (Civil Code or business time) for both working-day
periods. ``valid=None`` means validity is not decided yet and is treated as valid.
``serious`` does not change the period under the default procedure (urgent serious and
urgent non-serious complaints are both 2 hours; the same for non-urgent ones); it is an
input so a company policy that treats serious complaints differently can be added here
without touching the callers. Every ``due`` is in the office's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from estatedesk.workcal.engine import (
    NAIVE_MESSAGE,
    Calendar,
    OfficeHours,
    add_business_time,
    add_clock_hours,
    add_working_days,
)

__all__ = ["CountingMode", "DeadlinePolicy", "ReplyDeadline", "reply_deadline"]


class CountingMode(StrEnum):
    CIVIL = "civil"
    BUSINESS = "business"


@dataclass(frozen=True)
class DeadlinePolicy:
    urgent_hours: int = 2
    normal_working_days: int = 2
    invalid_working_days: int = 1
    mode: CountingMode = CountingMode.CIVIL

    def __post_init__(self) -> None:
        for name in ("urgent_hours", "normal_working_days", "invalid_working_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number, 0 or more; got {value!r}")
        try:
            mode = CountingMode(str(self.mode))
        except ValueError as exc:
            raise ValueError(f"counting mode must be 'civil' or 'business'; got {self.mode!r}") from exc
        object.__setattr__(self, "mode", mode)

    @classmethod
    def from_settings(cls, company: Any) -> DeadlinePolicy:
        """From a ``CompanySettings`` row, or anything with the same attribute names."""
        return cls(
            urgent_hours=company.urgent_reply_hours,
            normal_working_days=company.normal_reply_working_days,
            invalid_working_days=company.invalid_explanation_working_days,
            mode=CountingMode(str(company.counting_mode)),
        )


@dataclass(frozen=True)
class ReplyDeadline:
    due: datetime
    provisional: bool
    basis: str  # "requested" | "urgent" | "normal" | "invalid"


def reply_deadline(
    *,
    received_at: datetime,
    urgent: bool,
    serious: bool,
    valid: bool | None,
    requested_at: datetime | None,
    policy: DeadlinePolicy,
    cal: Calendar,
    hours: OfficeHours,
) -> ReplyDeadline:
    if received_at.utcoffset() is None:
        raise ValueError(NAIVE_MESSAGE)
    if requested_at is not None and requested_at.utcoffset() is None:
        raise ValueError(NAIVE_MESSAGE)
    count = add_business_time if policy.mode is CountingMode.BUSINESS else add_working_days
    if valid is False:
        deadline = count(received_at, policy.invalid_working_days, cal, hours)
        return ReplyDeadline(deadline.due, deadline.provisional, "invalid")
    if requested_at is not None:
        return ReplyDeadline(requested_at.astimezone(hours.tz), False, "requested")
    if urgent:
        deadline = add_clock_hours(received_at, policy.urgent_hours)
        return ReplyDeadline(deadline.due.astimezone(hours.tz), False, "urgent")
    deadline = count(received_at, policy.normal_working_days, cal, hours)
    return ReplyDeadline(deadline.due, deadline.provisional, "normal")
