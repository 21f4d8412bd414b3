"""The complaint reply-deadline policy (SPEC K-5): which period applies, with real holidays."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from estatedesk.core.models import CompanySettings
from estatedesk.workcal.deadlines import CountingMode, DeadlinePolicy, ReplyDeadline, reply_deadline
from estatedesk.workcal.engine import OfficeHours
from tests.workcal import china_calendar

pytestmark = pytest.mark.req("K-5")

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = OfficeHours.parse("09:00-12:00,13:00-18:00", "Asia/Shanghai")
CN = china_calendar()
DEFAULT = DeadlinePolicy()
BUSINESS = DeadlinePolicy(mode=CountingMode.BUSINESS)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def reply(received: str, *, urgent=False, serious=False, valid=True, requested=None, policy=DEFAULT, cal=CN):
    return reply_deadline(
        received_at=at(received),
        urgent=urgent,
        serious=serious,
        valid=valid,
        requested_at=at(requested) if requested else None,
        policy=policy,
        cal=cal,
        hours=HOURS,
    )


CASES = [
    # (what, received, flags, policy, expected due, basis)
    ("customer asked for a time: it wins over urgent", "2026-02-13T10:00+08:00",
     {"urgent": True, "requested": "2026-02-13T15:00+08:00"}, DEFAULT, "2026-02-13T15:00+08:00", "requested"),
    ("invalid: 1 working day (the make-up Saturday), even when the customer asked for a later time", "2026-02-13T10:00+08:00",
     {"valid": False, "requested": "2026-03-02T09:00+08:00"}, DEFAULT, "2026-02-14T18:00+08:00", "invalid"),
    ("invalid: 1 working day, even when the customer asked for an earlier time", "2026-02-13T10:00+08:00",
     {"valid": False, "requested": "2026-02-13T15:00+08:00"}, DEFAULT, "2026-02-14T18:00+08:00", "invalid"),
    ("invalid, asked for a reply after National Day", "2026-09-30T15:00+08:00",
     {"valid": False, "requested": "2026-10-20T10:00+08:00"}, DEFAULT, "2026-10-08T18:00+08:00", "invalid"),
    ("requested time given in UTC comes back in Shanghai time", "2026-02-13T10:00+08:00",
     {"requested": "2026-02-13T07:00:00+00:00"}, DEFAULT, "2026-02-13T15:00+08:00", "requested"),
    ("invalid: 1 working day, across Spring Festival", "2026-02-14T10:00+08:00",
     {"valid": False}, DEFAULT, "2026-02-24T18:00+08:00", "invalid"),
    ("invalid beats urgent", "2025-09-30T10:00+08:00",
     {"valid": False, "urgent": True}, DEFAULT, "2025-10-09T18:00+08:00", "invalid"),
    ("invalid in business time", "2025-09-30T10:00+08:00",
     {"valid": False}, BUSINESS, "2025-10-09T10:00+08:00", "invalid"),
    ("urgent: 2 clock hours, even on a holiday night", "2026-02-14T23:00+08:00",
     {"urgent": True}, DEFAULT, "2026-02-15T01:00+08:00", "urgent"),
    ("urgent and serious: the same 2 hours", "2026-02-14T23:00+08:00",
     {"urgent": True, "serious": True}, DEFAULT, "2026-02-15T01:00+08:00", "urgent"),
    ("urgent, received in UTC: due in Shanghai time", "2026-02-12T16:30:00+00:00",
     {"urgent": True}, DEFAULT, "2026-02-13T02:30+08:00", "urgent"),
    ("urgent with a company's 4 hours", "2025-10-01T10:00+08:00",
     {"urgent": True}, DeadlinePolicy(urgent_hours=4), "2025-10-01T14:00+08:00", "urgent"),
    ("normal: 2 working days across Spring Festival", "2026-02-13T10:00+08:00",
     {}, DEFAULT, "2026-02-24T18:00+08:00", "normal"),
    ("normal and serious: the same 2 working days", "2026-02-13T10:00+08:00",
     {"serious": True}, DEFAULT, "2026-02-24T18:00+08:00", "normal"),
    ("validity not decided yet: treated as valid", "2026-02-13T10:00+08:00",
     {"valid": None}, DEFAULT, "2026-02-24T18:00+08:00", "normal"),
    ("normal: received on the make-up Saturday", "2025-02-08T09:30+08:00",
     {}, DEFAULT, "2025-02-11T18:00+08:00", "normal"),
    ("normal: 00:30 local Friday given in UTC", "2026-02-12T16:30:00+00:00",
     {}, DEFAULT, "2026-02-24T18:00+08:00", "normal"),
    ("normal in business time: 3h Friday + 8h make-up Saturday + 5h", "2026-02-13T15:00+08:00",
     {}, BUSINESS, "2026-02-24T15:00+08:00", "normal"),
    ("normal with a company's 3 working days, National Day", "2025-09-30T10:00+08:00",
     {}, DeadlinePolicy(normal_working_days=3), "2025-10-11T18:00+08:00", "normal"),
]  # fmt: skip


@pytest.mark.req("P-4")
@pytest.mark.parametrize(
    ("what", "received", "flags", "policy", "due", "basis"), CASES, ids=[case[0] for case in CASES]
)
def test_reply_deadline_table(what, received, flags, policy, due, basis) -> None:
    result = reply(received, policy=policy, **flags)
    assert result == ReplyDeadline(due=at(due), provisional=False, basis=basis)
    assert result.due.tzinfo == SHANGHAI


@pytest.mark.req("P-4")
@pytest.mark.parametrize(
    ("flags", "basis", "provisional"),
    [
        ({}, "normal", True),
        ({"valid": False}, "invalid", True),
        ({"urgent": True}, "urgent", False),
        ({"requested": "2027-01-05T10:00+08:00"}, "requested", False),
    ],
)
def test_provisional_only_for_working_day_periods_into_an_unconfirmed_year(flags, basis, provisional) -> None:
    result = reply("2026-12-31T10:00+08:00", **flags)  # 2027 is not confirmed
    assert (result.basis, result.provisional) == (basis, provisional)


def test_policy_from_company_settings() -> None:
    assert DeadlinePolicy.from_settings(CompanySettings()) == DeadlinePolicy()
    company = CompanySettings(
        urgent_reply_hours=4,
        normal_reply_working_days=3,
        invalid_explanation_working_days=2,
        counting_mode="business",
    )
    assert DeadlinePolicy.from_settings(company) == DeadlinePolicy(4, 3, 2, CountingMode.BUSINESS)


def test_policy_from_anything_shaped_like_settings() -> None:
    settings = SimpleNamespace(
        urgent_reply_hours=1,
        normal_reply_working_days=5,
        invalid_explanation_working_days=0,
        counting_mode="civil",
    )
    policy = DeadlinePolicy.from_settings(settings)
    assert policy == DeadlinePolicy(1, 5, 0, CountingMode.CIVIL)
    assert policy.mode is CountingMode.CIVIL


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="normal_working_days"):
        DeadlinePolicy(normal_working_days=-1)
    with pytest.raises(ValueError, match="counting mode"):
        DeadlinePolicy(mode="weekly")  # type: ignore[arg-type]
    assert DeadlinePolicy(mode="business").mode is CountingMode.BUSINESS  # type: ignore[arg-type]


def test_naive_times_are_refused() -> None:
    for received, requested in (("2026-02-13T10:00", None), ("2026-02-13T10:00+08:00", "2026-02-13T15:00")):
        with pytest.raises(ValueError, match="timezone-aware datetime required"):
            reply(received, requested=requested)
