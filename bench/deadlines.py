"""How fast the deadline engine computes deadlines (issue 3).

    .venv/bin/python bench/deadlines.py [--count 1000000] [--seed 3]

No Django settings and no database: only the pure modules. Starts are random moments over
2025-2026 (given in Shanghai time and in UTC), N is 1..5, with the real 2025-2026 China
calendar and office hours 08:30-12:00,13:30-17:30. Prints deadlines per second for each
function, first with a calendar just built (as after an administrator's change: nothing
memoised yet) and then again on the same calendar. Results are computed and dropped, so
the figures are the engine's, not the cost of keeping a million objects alive.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from estatedesk.workcal.deadlines import CountingMode, DeadlinePolicy, reply_deadline  # noqa: E402
from estatedesk.workcal.engine import (  # noqa: E402
    Calendar,
    OfficeHours,
    add_business_time,
    add_clock_hours,
    add_working_days,
)
from tests.workcal import HOLIDAYS_2025_2026, WORKDAYS_2025_2026  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")


def fresh_calendar() -> Calendar:
    return Calendar(
        holidays=HOLIDAYS_2025_2026, workdays=WORKDAYS_2025_2026, confirmed_years=frozenset({2025, 2026})
    )


def timed(label: str, count: int, run: Callable[[], None]) -> float:
    began = time.perf_counter()
    run()
    seconds = time.perf_counter() - began
    rate = count / seconds
    print(f"  {label:<44} {count:>9,} in {seconds:6.2f} s = {rate:>11,.0f} /s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    count = args.count
    rng = random.Random(args.seed)

    origin = datetime(2025, 1, 1, tzinfo=SHANGHAI)
    span = int((datetime(2027, 1, 1, tzinfo=SHANGHAI) - origin).total_seconds())
    starts = [origin + timedelta(seconds=rng.randrange(span)) for _ in range(count)]
    starts = [s.astimezone(UTC) if i % 2 else s for i, s in enumerate(starts)]  # half given in UTC
    ns = [rng.randint(1, 5) for _ in range(count)]
    # (received, urgent, serious, valid, requested): 20% urgent, 20% invalid, 5% with a requested time
    cases = [
        (
            s,
            rng.random() < 0.2,
            rng.random() < 0.3,
            rng.choice((True, True, True, None, False)),
            s + timedelta(days=1) if rng.random() < 0.05 else None,
        )
        for s in starts
    ]
    hours = OfficeHours.parse("08:30-12:00,13:30-17:30", "Asia/Shanghai")
    pairs = list(zip(starts, ns, strict=True))
    print(f"{count:,} deadlines, starts over 2025-2026, N in 1..5, Python {sys.version.split()[0]}")

    def working_days(cal: Calendar) -> Callable[[], None]:
        def run() -> None:
            for s, n in pairs:
                add_working_days(s, n, cal, hours)

        return run

    def business_time(cal: Calendar) -> Callable[[], None]:
        def run() -> None:
            for s, n in pairs:
                add_business_time(s, n, cal, hours)

        return run

    def replies(cal: Calendar) -> Callable[[], None]:
        civil, business = DeadlinePolicy(), DeadlinePolicy(mode=CountingMode.BUSINESS)

        def run() -> None:
            for i, (s, urgent, serious, valid, requested) in enumerate(cases):
                reply_deadline(
                    received_at=s,
                    urgent=urgent,
                    serious=serious,
                    valid=valid,
                    requested_at=requested,
                    policy=business if i % 4 == 0 else civil,
                    cal=cal,
                    hours=hours,
                )

        return run

    print("Calendar just built (first pass memoises, as after a calendar change):")
    timed("add_working_days (civil)", count, working_days(fresh_calendar()))
    timed("add_business_time", count, business_time(fresh_calendar()))
    timed("reply_deadline (mixed bases, 1/4 business)", count, replies(fresh_calendar()))
    print("Same calendar again:")
    cal = fresh_calendar()
    working_days(cal)()
    timed("add_working_days (civil)", count, working_days(cal))
    timed("add_business_time", count, business_time(cal))

    def clock_hours() -> None:
        for s, n in pairs:
            add_clock_hours(s, n)

    timed("add_clock_hours", count, clock_hours)
    timed("reply_deadline (mixed bases, 1/4 business)", count, replies(cal))


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
