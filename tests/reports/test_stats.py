"""The report statistics read as a specification (SPEC K-12, K-15, K-18, S-2).

Every expected value is computed by hand in the comment beside it, as a person checking a
printed monthly report would do it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estatedesk.reports.stats import (
    OTHER_KEY,
    CountChange,
    Rate,
    RateChange,
    durations,
    follow_up_coverage,
    median,
    on_time_rate,
    pareto,
    pareto_order,
    percentile,
    repeat_complainants,
    satisfaction_rate,
    wilson,
)

K12 = pytest.mark.req("K-12")
S2 = pytest.mark.req("S-2")
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = 3600.0

# --- rates -------------------------------------------------------------------------------


@K12
def test_on_time_rate_keeps_both_numbers() -> None:
    rate = on_time_rate(45, 50)
    assert (rate.numerator, rate.denominator, rate.value, str(rate)) == (45, 50, 0.9, "45 / 50")
    assert on_time_rate(0, 0).value is None  # nothing replied: no rate, not 0 %
    for bad in [(51, 50), (-1, 5)]:
        with pytest.raises(ValueError):
            on_time_rate(*bad)


@K12
def test_follow_up_coverage_and_satisfaction() -> None:
    assert follow_up_coverage(18, 20).value == 0.9
    # 12 very satisfied + 6 satisfied = 18 satisfied of 12+6+1+1 = 20 answers; 5 blanks left out
    counts = {"very_satisfied": 12, "satisfied": 6, "neutral": 1, "dissatisfied": 1, "": 5}
    assert satisfaction_rate(counts) == Rate(18, 20)
    assert satisfaction_rate({}).value is None
    with pytest.raises(ValueError, match="unknown"):
        satisfaction_rate({"happy": 3})


# --- durations ---------------------------------------------------------------------------


@K12
@pytest.mark.parametrize(
    ("hours", "expected_median", "expected_p90"),
    [
        # sorted; median = (5 + 8) / 2 = 6.5; p90 = value at rank ceil(0.9 × 10) = 9 → 34
        ([1, 2, 2, 3, 5, 8, 13, 21, 34, 55], 6.5, 34),
        # sorted [1, 3, 4]; median = 3; p90 = rank ceil(0.9 × 3) = ceil(2.7) = 3 → 4
        ([4, 1, 3], 3, 4),
        ([5], 5, 5),  # one reply: it is both
        # median = (2 + 3) / 2 = 2.5; p90 = rank ceil(3.6) = 4 → 4
        ([4, 3, 2, 1], 2.5, 4),
    ],
)
def test_median_and_p90_of_reply_times(hours: list[int], expected_median: float, expected_p90: int) -> None:
    summary = durations([timedelta(hours=h) for h in hours])
    assert (summary.count, summary.median, summary.p90) == (
        len(hours),
        expected_median * HOUR,
        expected_p90 * HOUR,
    )


@K12
def test_percentile_is_nearest_rank_computed_exactly() -> None:
    hundred = list(range(1, 101))
    # rank ceil(7/100 × 100) = 7; in floats 0.07 × 100 = 7.000000000000001 would give rank 8
    assert percentile(hundred, 7) == 7
    assert percentile(hundred, 100) == 100 and percentile(hundred, 1) == 1
    # nearest-rank p50 of [1, 2, 3, 4] is rank 2 → 2, while the median is 2.5 (see module doc)
    assert (percentile([1, 2, 3, 4], 50), median([1, 2, 3, 4])) == (2, 2.5)
    # seconds and timedeltas mix: [60, 120, 180] → 120
    assert median([60, 120.0, timedelta(minutes=3)]) == 120
    assert durations([]).median is None and percentile([], 90) is None
    for bad in (0, -5, 101):
        with pytest.raises(ValueError):
            percentile(hundred, bad)


# --- Pareto ------------------------------------------------------------------------------


@K12
def test_pareto_of_categories() -> None:
    counts = {"其他": 4, "噪音": 25, "停车": 15, "漏水": 40, "保洁": 10, "安保": 6}
    rows = pareto(counts)
    # total 100; sorted 40, 25, 15, 10, 6, 4; cumulative 40, 65, 80, 90, 96, 100
    assert [(r.key, r.count) for r in rows] == [
        ("漏水", 40),
        ("噪音", 25),
        ("停车", 15),
        ("保洁", 10),
        ("安保", 6),
        ("其他", 4),
    ]
    assert [r.cumulative_share for r in rows] == [0.4, 0.65, 0.8, 0.9, 0.96, 1.0]
    assert rows[0].share == 0.4
    # vital few: the rows before 停车 reach only 65 % < 80 %, 停车 brings it to exactly 80 %
    assert [r.key for r in rows if r.vital] == ["漏水", "噪音", "停车"]


@K12
def test_pareto_cumulative_ends_at_exactly_one() -> None:
    # ten bars of 1: summing float shares 0.1 ten times gives 0.9999999999999999
    rows = pareto({f"c{i:02d}": 1 for i in range(10)})
    assert rows[-1].cumulative_share == 1.0
    assert [r.key for r in rows] == [f"c{i:02d}" for i in range(10)]  # ties by key
    # rows before c08 hold 80 %, so c00 … c07 are the vital few
    assert sum(r.vital for r in rows) == 8


@K12
@pytest.mark.parametrize(
    ("counts", "threshold", "expected"),
    [
        ({"b": 5, "a": 5, "c": 2}, 0.8, [("a", True), ("b", True), ("c", False)]),  # 5/12, 10/12 ≥ 0.8
        ({"a": 5, "b": 5, "c": 2}, 0.8, [("a", True), ("b", True), ("c", False)]),  # same, any input order
        ({"x": 3}, 0.8, [("x", True)]),  # one category: 100 %, vital
        ({"a": 50, "b": 30, "c": 20}, 0.5, [("a", True), ("b", False), ("c", False)]),  # a alone is 50 %
        ({"a": 50, "b": 30, "c": 20}, 1.0, [("a", True), ("b", True), ("c", True)]),
        ({"a": 3, "b": 0}, 0.8, [("a", True)]),  # zero-count keys are dropped
        ({"a": 0, "b": 0}, 0.8, []),  # all zero: no bars
        ({}, 0.8, []),
    ],
)
def test_pareto_table(counts: dict[str, int], threshold: float, expected: list[tuple[str, bool]]) -> None:
    assert [(r.key, r.vital) for r in pareto(counts, threshold)] == expected


@K12
@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # issue 12: 其他 (Other) is the last bar whatever its count
        (
            {"other": 30, "repairs": 10, "cleaning": 5},
            [("repairs", True), ("cleaning", True), ("other", False)],
        ),
        # 10 of 16 is 62.5 % < 80 %: cleaning is still vital, Other never
        (
            {"repairs": 10, "other": 5, "cleaning": 1},
            [("repairs", True), ("cleaning", True), ("other", False)],
        ),
        ({"other": 8}, [("other", False)]),  # only Other: shown, but no one thing to act on
        ({"other": 0, "a": 2}, [("a", True)]),  # zero Other is dropped like any zero
        (
            {"b": 4, "other": 4, "a": 4},
            [("a", True), ("b", True), ("other", False)],
        ),  # ties by key, Other last
    ],
)
def test_pareto_puts_other_last_and_never_among_the_vital_few(
    counts: dict[str, int], expected: list[tuple[str, bool]]
) -> None:
    rows = pareto(counts)
    assert [(r.key, r.vital) for r in rows] == expected
    assert [(r.key, r.count) for r in rows] == [(k, counts[k]) for k, _v in expected]
    if rows:
        assert rows[-1].cumulative_share == 1.0


@K12
def test_pareto_order_takes_any_catch_all_key() -> None:
    assert pareto_order({"其他": 9, "噪音": 3, "漏水": 5}, last="其他") == [
        ("漏水", 5),
        ("噪音", 3),
        ("其他", 9),
    ]
    assert OTHER_KEY == "other"  # the catch-all category's code (complaints migration 0002)


@K12
def test_pareto_rejects_bad_input() -> None:
    for threshold in (0, 1.5):
        with pytest.raises(ValueError, match="threshold"):
            pareto({"a": 1}, threshold)
    with pytest.raises(ValueError, match="negative"):
        pareto({"a": -1})


# --- change against an earlier period ----------------------------------------------------


@K12
@pytest.mark.req("K-15")
def test_change_against_previous_period() -> None:
    assert (CountChange(120, 100).delta, CountChange(120, 100).relative) == (20, 0.2)
    assert (CountChange(80, 100).delta, CountChange(80, 100).relative) == (-20, -0.2)
    assert (CountChange(5, 0).delta, CountChange(5, 0).relative) == (5, None)
    # 45/50 = 90 % against 34/40 = 85 %: +5 points exactly (floats give 5.000000000000004);
    # relative (0.90 − 0.85) / 0.85 = 1/17
    change = RateChange(Rate(45, 50), Rate(34, 40))
    assert change.points == 5.0
    assert change.relative == pytest.approx(1 / 17)
    assert RateChange(Rate(9, 10), Rate(0, 0)).points is None  # no previous rate
    assert (RateChange(Rate(1, 4), Rate(0, 10)).points, RateChange(Rate(1, 4), Rate(0, 10)).relative) == (
        25.0,
        None,
    )


# --- repeat complainants -----------------------------------------------------------------


def _march(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


ROWS = [
    ("C1", 101, _march(3)),
    ("C1", 105, _march(10)),
    ("C1", 109, _march(28)),
    ("C2", 102, _march(4)),
    ("C2", 102, _march(4)),  # the same complaint twice (a join repeated it): counts once
    ("C2", 107, _march(20)),
    ("C3", 103, _march(5)),
    ("C4", 90, _march(27, month=2)),  # February: outside the period
    ("C4", 104, _march(6)),
    ("C5", 110, _march(31, 23, 59)),
    ("C5", 111, _march(1, 0, 0, month=4)),  # the end is exclusive
    ("C6", 106, _march(15)),
    ("C6", 108, _march(12)),  # received before 106
]


@K12
@pytest.mark.req("K-18")
def test_repeat_complainants_of_a_month() -> None:
    found = repeat_complainants(ROWS, start=_march(1, 0), end=_march(1, 0, month=4))
    assert [(r.key, r.count, r.complaint_ids) for r in found] == [
        ("C1", 3, (101, 105, 109)),
        ("C2", 2, (102, 107)),
        ("C6", 2, (108, 106)),  # ties by key; ids in order of receipt
    ]
    assert (found[0].first_received, found[0].last_received) == (_march(3), _march(28))
    # without a period every row counts: C4 and C5 become repeats too
    assert [r.key for r in repeat_complainants(ROWS)] == ["C1", "C2", "C4", "C5", "C6"]


# --- Wilson interval ---------------------------------------------------------------------


@S2
@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # 0/n: low 0, high = z²/(n + z²) = 3.841459/13.841459 = 0.27753
        (0, 10, 0.0, 0.27753),
        # n/n: low = n/(n + z²) = 10/13.841459 = 0.72247, high 1
        (10, 10, 0.72247, 1.0),
        # 45/50: centre (0.9 + 3.841459/100)/(1 + 3.841459/50) = 0.87146,
        # margin 1.959964 × √(0.0018 + 3.841459/10000)/1.0768292 = 0.08506
        (45, 50, 0.78640, 0.95652),
    ],
)
def test_wilson_interval(successes: int, n: int, low: float, high: float) -> None:
    assert wilson(successes, n) == pytest.approx((low, high), abs=1e-5)


@S2
def test_wilson_edges() -> None:
    assert wilson(0, 0) is None
    for bad in [(-1, 5), (6, 5)]:
        with pytest.raises(ValueError):
            wilson(*bad)


@K12
def test_stats_import_without_django() -> None:
    code = "import sys, estatedesk.reports.stats; assert 'django' not in sys.modules, 'django imported'"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- properties --------------------------------------------------------------------------

seconds = st.lists(st.floats(0, 10**7, allow_nan=False), min_size=1, max_size=60)


@K12
@given(counts=st.dictionaries(st.text(max_size=3), st.integers(0, 10**6), min_size=1))
def test_pareto_properties(counts: dict[str, int]) -> None:
    rows = pareto(counts)
    positive = [n for n in counts.values() if n > 0]
    assert [r.count for r in rows] == sorted(positive, reverse=True)
    if not rows:
        return
    cumulative = [r.cumulative_share for r in rows]
    assert cumulative == sorted(cumulative) and cumulative[-1] == 1.0
    vital = [r for r in rows if r.vital]
    assert rows[: len(vital)] == vital  # a prefix, at least one row
    # the prefix reaches 80 % and is the shortest that does (checked in integers)
    assert vital[-1].cumulative_count * 5 >= rows[0].total * 4
    if len(vital) > 1:
        assert vital[-2].cumulative_count * 5 < rows[0].total * 4


@K12
@given(
    counts=st.dictionaries(
        st.one_of(st.just(OTHER_KEY), st.text(max_size=3)), st.integers(0, 10**6), min_size=1
    )
)
def test_pareto_bars_descend_except_other_which_is_last(counts: dict[str, int]) -> None:
    rows = pareto(counts)
    assert sorted((r.key, r.count) for r in rows) == sorted((k, n) for k, n in counts.items() if n > 0)
    others = [r for r in rows if r.key == OTHER_KEY]
    rest = [r for r in rows if r.key != OTHER_KEY]
    assert [r.count for r in rest] == sorted((r.count for r in rest), reverse=True)
    if others:
        assert rows[-1].key == OTHER_KEY and not rows[-1].vital
    if rows:
        # the cumulative line rises to exactly 100 % at the last bar, Other included
        assert [r.cumulative_count for r in rows] == sorted(r.cumulative_count for r in rows)
        assert rows[-1].cumulative_share == 1.0
        assert rows[-1].cumulative_count == sum(counts.values())
        vital = [r for r in rows if r.vital]
        assert rows[: len(vital)] == vital


@K12
@given(values=seconds, p=st.integers(1, 100), q=st.integers(1, 100))
def test_percentile_and_median_properties(values: list[float], p: int, q: int) -> None:
    assert percentile(values, p) in values
    low, high = (percentile(values, rank) for rank in sorted((p, q)))
    assert low is not None and high is not None and low <= high  # non-decreasing in p
    middle = median(values)
    assert middle is not None and min(values) <= middle <= max(values)


@S2
@given(data=st.data(), n=st.integers(1, 100_000))
def test_wilson_contains_the_observed_proportion(data: st.DataObject, n: int) -> None:
    successes = data.draw(st.integers(0, n))
    interval = wilson(successes, n)
    assert interval is not None
    assert 0.0 <= interval[0] <= successes / n <= interval[1] <= 1.0


@K12
@given(data=st.data(), replied=st.integers(1, 10**9))
def test_on_time_rate_within_zero_and_one(data: st.DataObject, replied: int) -> None:
    value = on_time_rate(data.draw(st.integers(0, replied)), replied).value
    assert value is not None and 0.0 <= value <= 1.0
