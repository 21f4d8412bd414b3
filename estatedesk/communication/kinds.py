"""What each kind of notice asks for (SPEC C-2; procedure §7.1.4 – §7.1.9). Pure: no database.

* Work notices (water, power, pest control, repairs, maintenance) are published **before**
  the work, by the company's lead time (default 24 h); later needs a recorded reason.
* Pest control and spraying need the warning sign on site confirmed (§7.1.4); a repair may
  have a warning sign instead of or beside the notice (§7.1.9), so it is offered there too.
* Work and events say when they start; financial reports and survey results go to the
  owners or the owners' committee (§7.1.8), not to tenants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from estatedesk.communication.models.notices import Audience, NoticeKind

WORK_KINDS = frozenset(
    {
        NoticeKind.WATER_CUT,
        NoticeKind.POWER_CUT,
        NoticeKind.PEST_CONTROL,
        NoticeKind.REPAIR,
        NoticeKind.MAINTENANCE,
    }
)
SIGN_REQUIRED = frozenset({NoticeKind.PEST_CONTROL})
SIGN_OFFERED = frozenset({NoticeKind.PEST_CONTROL, NoticeKind.REPAIR, NoticeKind.MAINTENANCE})
TIMED_KINDS = WORK_KINDS | {NoticeKind.EVENT}
OWNERS_ONLY_KINDS = frozenset({NoticeKind.FINANCIAL_REPORT, NoticeKind.SURVEY_RESULTS})
# The online channels the product delivers itself; the others are recorded as said.
PORTAL, SMS, EMAIL, WECHAT = "portal", "sms", "email", "wechat"
DELIVERED = frozenset({PORTAL, SMS, EMAIL, WECHAT})
# The channels the outbox sends (``notifications.models.Channel`` values, the same codes).
OUTBOX_CHANNELS = {SMS: "sms", EMAIL: "email", WECHAT: "wechat"}
SHEET = "notice_sheet"
SIGN = "warning_sign"


def is_work(kind: str) -> bool:
    return kind in WORK_KINDS


def audiences_for(kind: str) -> tuple[str, ...]:
    """The audiences a kind may be published to, the default first."""
    if kind in OWNERS_ONLY_KINDS:
        return (Audience.OWNERS.value, Audience.COMMITTEE.value)
    return (Audience.HOUSEHOLDS.value, Audience.OWNERS.value, Audience.COMMITTEE.value)


def latest_publish(starts_at: datetime, lead_hours: int) -> datetime:
    """The last moment a work notice may go out without a reason."""
    return starts_at - timedelta(hours=lead_hours)


def is_late(kind: str, *, publish_at: datetime, starts_at: datetime | None, lead_hours: int) -> bool:
    """True when a work notice published at ``publish_at`` is later than the lead time allows."""
    if not is_work(kind) or starts_at is None:
        return False
    return publish_at > latest_publish(starts_at, lead_hours)


@dataclass(frozen=True)
class Problem:
    field: str
    code: str  # what the caller words: see ``services.notices.MESSAGES``


def problems(
    *,
    kind: str,
    audience: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    channels: list[str],
    late_reason: str,
) -> list[Problem]:
    """What is wrong with a notice before anything is stored (the lateness is checked when it
    is published or scheduled, against the time it goes out)."""
    found = []
    if kind in TIMED_KINDS and starts_at is None:
        found.append(Problem("starts_at", "starts_at_missing"))
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        found.append(Problem("ends_at", "ends_before_start"))
    if audience not in audiences_for(kind):
        found.append(Problem("audience", "owners_only"))
    if not channels:
        found.append(Problem("channels", "no_channel"))
    if len(late_reason) > 1000:
        found.append(Problem("late_reason", "reason_too_long"))
    return found
