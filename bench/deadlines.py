"""How fast the deadline engine answers working-day questions, beside the `holidays` package (issue 18).

    .venv/bin/python bench/deadlines.py [--count 100000] [--rounds 5] [--max-n 5] [--seed 3]

No Django settings and no database: only the pure modules. The questions are ``--count``
distinct (start, N) pairs: starts at one-second resolution over 2025-2026, half given in
Shanghai time and half in UTC, N from 1 to ``--max-n``, with the real 2025-2026 China
calendar (as the tests write it out) and office hours 08:30-12:00,13:30-17:30 in
Asia/Shanghai. No question is asked twice within a timing.

The peer is ``holidays.China(...).get_nth_working_day(day, n)``: "the n-th working day
after a date", on the same questions (each start's Shanghai date, worked out before the
timing starts, so the peer is not charged for the zone conversion ours does). Its calendar
object is built, years 2024-2028 filled in, before the timing. Ours, like for like:

* ``add_working_days``: the Civil Code period (SPEC K-5): from the start moment, in any
  zone, to the end of office hours on the N-th working day after the local day of receipt,
  with "provisional" for unconfirmed years. Timed on a calendar just built (as after an
  administrator's change: the compile is inside the timing) and again on the same one.
* ``reply_deadline`` as the product calls it: the mixed cases of the complaint policy
  (20 % urgent, 20 % invalid, 5 % with a requested time, a quarter in business-time mode).

Each round times the peer and then ours, back to back (A/B pairs), and prints the load
average beside the figures; the ratio is taken within each pair, so a busy shared machine
moves both sides of it. Results are computed and dropped. Before any timing every answer
of ours is checked against the peer's (the same day), so the two answer the same questions.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from estatedesk.workcal.deadlines import CountingMode, DeadlinePolicy, reply_deadline  # noqa: E402
from estatedesk.workcal.engine import Calendar, OfficeHours, add_working_days  # noqa: E402
from tests.workcal import HOLIDAYS_2025_2026, WORKDAYS_2025_2026  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
GOAL = 10.0  # issue 18: at least ten times the peer's rate


def fresh_calendar() -> Calendar:
    return Calendar(
        holidays=HOLIDAYS_2025_2026, workdays=WORKDAYS_2025_2026, confirmed_years=frozenset({2025, 2026})
    )


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def rate(count: int, run: Callable[[], None]) -> float:
    began = time.perf_counter()
    run()
    return count / (time.perf_counter() - began)


def questions(count: int, max_n: int, rng: random.Random) -> list[tuple[datetime, int]]:
    origin = datetime(2025, 1, 1, tzinfo=SHANGHAI)
    span = int((datetime(2027, 1, 1, tzinfo=SHANGHAI) - origin).total_seconds())
    seen: set[tuple[datetime, int]] = set()
    while len(seen) < count:
        seen.add((origin + timedelta(seconds=rng.randrange(span)), rng.randint(1, max_n)))
    pairs = sorted(seen)
    rng.shuffle(pairs)
    return [(s.astimezone(UTC) if i % 2 else s, n) for i, (s, n) in enumerate(pairs)]  # half in UTC


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--max-n", type=int, default=5)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    count = args.count
    rng = random.Random(args.seed)
    pairs = questions(count, args.max_n, rng)
    local_days = [(s.astimezone(SHANGHAI).date(), n) for s, n in pairs]
    # (received, urgent, serious, valid, requested): 20% urgent, 20% invalid, 5% with a requested time
    cases = [
        (
            s,
            rng.random() < 0.2,
            rng.random() < 0.3,
            rng.choice((True, True, True, None, False)),
            s + timedelta(days=1) if rng.random() < 0.05 else None,
        )
        for s, _n in pairs
    ]
    hours = OfficeHours.parse("08:30-12:00,13:30-17:30", "Asia/Shanghai")
    civil, business = DeadlinePolicy(), DeadlinePolicy(mode=CountingMode.BUSINESS)

    began = time.perf_counter()
    peer_calendar = holidays.China(years=range(2024, 2029))
    peer_built = time.perf_counter() - began
    nth = peer_calendar.get_nth_working_day

    print(
        f"{count:,} distinct questions (start to the second over 2025-2026, half in UTC; N in 1..{args.max_n}); "
        f"Python {sys.version.split()[0]}, holidays {version('holidays')}, {os.cpu_count()} CPUs"
    )
    print(f"peer calendar built in {peer_built * 1000:.0f} ms (not timed below); {load()}")

    cal = fresh_calendar()
    answers: list[date] = [add_working_days(s, n, cal, hours).due.date() for s, n in pairs]
    differ = [ours for ours, (day, n) in zip(answers, local_days, strict=True) if ours != nth(day, n)]
    known = sum(day.year <= 2026 for day in differ)
    print(
        f"answers on a different day from the peer's: {known:,} in 2025-2026, {len(differ) - known:,} in 2027 "
        "(which our calendar here leaves unconfirmed, so Monday-Friday and provisional; the peer knows its holidays)"
    )
    memo = getattr(cal, "_civil", None)  # engines before decision 0056 memoised answers here
    if memo is not None:
        print(
            f"this engine memoises: {len(memo):,} answers kept, so {1 - len(memo) / count:.1%} of a pass are hits"
        )

    def peer() -> None:
        for day, n in local_days:
            nth(day, n)

    def working_days(c: Calendar) -> Callable[[], None]:
        def run() -> None:
            for s, n in pairs:
                add_working_days(s, n, c, hours)

        return run

    def working_days_memo_cleared(c: Calendar) -> Callable[[], None]:
        kept = getattr(c, "_civil", {})
        after = getattr(c, "_after", {})

        def run() -> None:
            for s, n in pairs:
                kept.clear()
                after.clear()
                add_working_days(s, n, c, hours)

        return run

    def replies(c: Calendar) -> Callable[[], None]:
        def run() -> None:
            for i, (s, urgent, serious, valid, requested) in enumerate(cases):
                reply_deadline(
                    received_at=s,
                    urgent=urgent,
                    serious=serious,
                    valid=valid,
                    requested_at=requested,
                    policy=business if i % 4 == 0 else civil,
                    cal=c,
                    hours=hours,
                )

        return run

    rows: dict[str, list[float]] = {}
    ratios: dict[str, list[float]] = {}
    header = f"{'round':>5}  {'peer /s':>9}  {'ours fresh /s':>13}  {'ours again /s':>13}"
    header += f"  {'memo cleared /s':>15}" if memo is not None else ""
    header += f"  {'reply_deadline /s':>17}  {'ratio fresh':>11}  {'ratio again':>11}  load (1, 5, 15 min)"
    print(header)
    for round_no in range(1, args.rounds + 1):
        figures = {"peer": rate(count, peer), "fresh": rate(count, working_days(fresh_calendar()))}
        figures["again"] = rate(count, working_days(cal))
        if memo is not None:
            figures["cleared"] = rate(count, working_days_memo_cleared(fresh_calendar()))
        figures["peer2"] = rate(count, peer)
        figures["reply"] = rate(count, replies(cal))
        peer_rate = (figures["peer"] + figures["peer2"]) / 2
        for key, value in figures.items():
            rows.setdefault(key, []).append(value)
        for key in ("fresh", "again", "cleared", "reply"):
            if key in figures:
                ratios.setdefault(key, []).append(figures[key] / peer_rate)
        line = f"{round_no:>5}  {peer_rate:>9,.0f}  {figures['fresh']:>13,.0f}  {figures['again']:>13,.0f}"
        line += f"  {figures['cleared']:>15,.0f}" if memo is not None else ""
        line += f"  {figures['reply']:>17,.0f}  {ratios['fresh'][-1]:>10.1f}×  {ratios['again'][-1]:>10.1f}×"
        print(f"{line}  {load()}")

    print("median ratio to the peer (each round's ours over the mean of the peer runs either side):")
    names = {
        "fresh": "add_working_days, calendar just built",
        "again": "add_working_days, same calendar",
        "cleared": "add_working_days, memo cleared per question",
        "reply": "reply_deadline (mixed policy cases)",
    }
    for key, name in names.items():
        if key in ratios:
            median, low = statistics.median(ratios[key]), min(ratios[key])
            verdict = "met" if key != "reply" and low >= GOAL else ("—" if key == "reply" else "not met")
            goal = (
                f"goal ≥ {GOAL:.0f}×: {verdict}" if key != "reply" else "(no goal: more work than the peer)"
            )
            print(f"  {name:<44} {median:5.1f}× (lowest {low:.1f}×)  {goal}")
    print(f"finished; {load()}")


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
