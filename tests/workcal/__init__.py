"""Tests of the working-day calendar and the deadline engine (SPEC P-4, K-5).

``CHINA_2025_2026`` is the State Council's holiday notice for 2025 and 2026 written out as
data (国务院办公厅关于2025年/2026年部分节假日安排的通知), so the tables below can be read
against the notice itself. ``test_engine.test_table_calendar_matches_packages`` checks it,
day by day, against the ``holidays`` package and, when installed, ``chinesecalendar``.
"""

from __future__ import annotations

from datetime import date, timedelta


def days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


# (name, first day off, last day off, make-up working days)
NOTICES: dict[int, list[tuple[str, date, date, list[date]]]] = {
    2025: [
        ("元旦 New Year", date(2025, 1, 1), date(2025, 1, 1), []),
        ("春节 Spring Festival", date(2025, 1, 28), date(2025, 2, 4), [date(2025, 1, 26), date(2025, 2, 8)]),
        ("清明节 Qingming", date(2025, 4, 4), date(2025, 4, 6), []),
        ("劳动节 Labour Day", date(2025, 5, 1), date(2025, 5, 5), [date(2025, 4, 27)]),
        ("端午节 Dragon Boat", date(2025, 5, 31), date(2025, 6, 2), []),
        (
            "国庆节、中秋节 National Day and Mid-Autumn",
            date(2025, 10, 1),
            date(2025, 10, 8),
            [date(2025, 9, 28), date(2025, 10, 11)],
        ),
    ],
    2026: [
        ("元旦 New Year", date(2026, 1, 1), date(2026, 1, 3), [date(2026, 1, 4)]),
        (
            "春节 Spring Festival",
            date(2026, 2, 15),
            date(2026, 2, 23),
            [date(2026, 2, 14), date(2026, 2, 28)],
        ),
        ("清明节 Qingming", date(2026, 4, 4), date(2026, 4, 6), []),
        ("劳动节 Labour Day", date(2026, 5, 1), date(2026, 5, 5), [date(2026, 5, 9)]),
        ("端午节 Dragon Boat", date(2026, 6, 19), date(2026, 6, 21), []),
        ("中秋节 Mid-Autumn", date(2026, 9, 25), date(2026, 9, 27), []),
        (
            "国庆节 National Day",
            date(2026, 10, 1),
            date(2026, 10, 7),
            [date(2026, 9, 20), date(2026, 10, 10)],
        ),
    ],
}

HOLIDAYS_2025_2026 = frozenset(
    day
    for notices in NOTICES.values()
    for _name, first, last, _makeup in notices
    for day in days(first, last)
)
WORKDAYS_2025_2026 = frozenset(
    day for notices in NOTICES.values() for _name, _first, _last, makeup in notices for day in makeup
)


def china_calendar(confirmed: tuple[int, ...] = (2025, 2026)):
    """The real calendar for 2025-2026; later years unconfirmed unless listed."""
    from estatedesk.workcal.engine import Calendar

    return Calendar(
        holidays=HOLIDAYS_2025_2026, workdays=WORKDAYS_2025_2026, confirmed_years=frozenset(confirmed)
    )
