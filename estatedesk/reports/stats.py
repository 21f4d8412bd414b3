"""Figures for the monthly department report and the annual summary (SPEC K-12, K-15, S-2).

Pure: no ORM, no settings, no clock, no I/O. Selectors aggregate in the database (counts per
key, counts per satisfaction level, reply times of one department-month) and pass the plain
numbers in, so a report for a million complaints never loads them into Python and the same
figures can be checked by hand against a printed sheet.

Definitions used everywhere
---------------------------
* A rate keeps its numerator and denominator ("45 / 50") because a percentage alone hides
  the sample size; its value is ``None`` when nothing was counted, never 0 %.
* Percentiles are *nearest-rank*, as on a hand-computed report sheet: the p-th percentile
  of n sorted values is the value at rank ceil(p/100 × n) (1-based), so it is always one of
  the inputs. The rank is computed exactly (no float: 0.7 × 10 must be 7, not 7.000…1).
* The median is the usual middle value: the average of the two middle values for even n.
  It is therefore not always the nearest-rank 50th percentile (for even n that is the
  lower middle value); reports show "median", never "p50".
* Pareto cumulative shares come from integer running sums divided by the total, so the
  last row is exactly 1.0. Zero-count keys are dropped: a bar of height 0 is noise.
* A Pareto's catch-all ("Other", 其他: key ``OTHER_KEY``) is always the last bar, whatever
  its count: it is not one cause to act on, and a chart that puts it first hides the real
  largest category. The cumulative line follows the bars as drawn; the catch-all is
  never one of the vital few (it is no one thing to act on).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Generic, TypeVar

from estatedesk.core.intervals import wilson
from estatedesk.core.pareto import OTHER_KEY, ParetoRow, pareto, pareto_order

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

    K = TypeVar("K", bound=SupportsRichComparison)
else:
    K = TypeVar("K")
Id = TypeVar("Id", bound=Hashable)

__all__ = [
    "OTHER_KEY",
    "SATISFIED_LEVELS",
    "SATISFACTION_LEVELS",
    "CountChange",
    "Durations",
    "ParetoRow",
    "Rate",
    "RateChange",
    "RepeatComplainant",
    "durations",
    "follow_up_coverage",
    "median",
    "on_time_rate",
    "pareto",
    "pareto_order",
    "percentile",
    "repeat_complainants",
    "satisfaction_rate",
    "wilson",
]

# The five-level scale of SPEC S-1; the top two count as satisfied (same codes as
# complaints.models.Satisfaction, repeated here so this module needs no Django).
SATISFACTION_LEVELS = ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")
SATISFIED_LEVELS = frozenset({"very_satisfied", "satisfied"})


def _exact(x: float | Fraction) -> Fraction:
    """0.8 as typed by a person, not 0.8000000000000000444 as stored by a float."""
    return Fraction(str(x)) if isinstance(x, float) else Fraction(x)


# --- rates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """numerator / denominator, kept whole so the report can print "45 / 50 (90.0 %)"."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if not 0 <= self.numerator <= self.denominator:
            raise ValueError(f"a rate needs 0 <= numerator <= denominator, got {self}")

    @property
    def exact(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def value(self) -> float | None:
        """The fraction in [0, 1]; None when there was nothing to count (not 0 %)."""
        return self.numerator / self.denominator if self.denominator else None

    def __str__(self) -> str:
        return f"{self.numerator} / {self.denominator}"


def on_time_rate(on_time: int, replied: int) -> Rate:
    """Replies made by their deadline ÷ replies made (K-12); open complaints are not counted."""
    return Rate(on_time, replied)


def follow_up_coverage(visited_valid: int, valid: int) -> Rate:
    """Valid complaints that got their return visit ÷ valid complaints (K-10, K-12)."""
    return Rate(visited_valid, valid)


def satisfaction_rate(counts: Mapping[str, int]) -> Rate:
    """Satisfied answers ÷ answers, from counts per level as a GROUP BY returns them (S-2).

    A blank level means "not asked / no answer" and is left out of the denominator; an
    unknown level is an error rather than silently counted as dissatisfied.
    """
    unknown = set(counts) - set(SATISFACTION_LEVELS) - {""}
    if unknown:
        raise ValueError(f"unknown satisfaction level(s): {sorted(unknown)}")
    answered = sum(n for level, n in counts.items() if level)
    return Rate(sum(counts.get(level, 0) for level in SATISFIED_LEVELS), answered)


# --- durations -----------------------------------------------------------------------------


def _sorted_seconds(values: Iterable[timedelta | float]) -> list[float]:
    return sorted(v.total_seconds() if isinstance(v, timedelta) else float(v) for v in values)


def median(values: Iterable[timedelta | float]) -> float | None:
    """The middle value in seconds (mean of the two middle ones for even n); None if empty."""
    seconds = _sorted_seconds(values)
    return statistics.median(seconds) if seconds else None


def percentile(values: Iterable[timedelta | float], p: float | Fraction) -> float | None:
    """Nearest-rank p-th percentile in seconds: the value at rank ceil(p/100 × n); None if empty."""
    exact_p = _exact(p)
    if not 0 < exact_p <= 100:
        raise ValueError(f"a percentile needs 0 < p <= 100, got {p}")
    seconds = _sorted_seconds(values)
    if not seconds:
        return None
    rank = math.ceil(exact_p * len(seconds) / 100)
    return seconds[rank - 1]


@dataclass(frozen=True)
class Durations:
    """Count, median and 90th percentile of reply times, in seconds (K-12)."""

    count: int
    median: float | None
    p90: float | None


def durations(values: Iterable[timedelta | float]) -> Durations:
    seconds = _sorted_seconds(values)
    return Durations(len(seconds), median(seconds), percentile(seconds, 90))


# --- Pareto: in ``core.pareto`` (the survey analysis draws the same chart, S-9) -------------


# --- change against an earlier period ------------------------------------------------------


@dataclass(frozen=True)
class CountChange:
    """This period against the previous month or the same month last year (K-12, K-15)."""

    current: int
    previous: int

    @property
    def delta(self) -> int:
        return self.current - self.previous

    @property
    def relative(self) -> float | None:
        """delta ÷ previous; None from zero, where "+∞ %" would mean nothing."""
        return self.delta / self.previous if self.previous else None


@dataclass(frozen=True)
class RateChange:
    """Rates are compared in percentage points (90 % → 85 % is −5 points, not −5.6 %)."""

    current: Rate
    previous: Rate

    @property
    def points(self) -> float | None:
        now, before = self.current.exact, self.previous.exact
        return None if now is None or before is None else float((now - before) * 100)

    @property
    def relative(self) -> float | None:
        now, before = self.current.exact, self.previous.exact
        return None if now is None or not before else float((now - before) / before)


# --- repeat complainants -------------------------------------------------------------------


@dataclass(frozen=True)
class RepeatComplainant(Generic[K, Id]):
    key: K
    count: int
    complaint_ids: tuple[Id, ...]  # in order of receipt, for links from the report
    first_received: datetime
    last_received: datetime


def repeat_complainants(
    rows: Iterable[tuple[K, Id, datetime]],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    minimum: int = 2,
) -> list[RepeatComplainant[K, Id]]:
    """Complainants with ``minimum`` or more complaints received in [start, end) (K-12, K-18).

    Rows are (complainant key, complaint id, received); a complaint id seen twice (a join
    that repeated a row) counts once. Sorted by count descending, then key.
    """
    seen: dict[K, dict[Id, datetime]] = {}
    for key, complaint_id, received in rows:
        if (start is not None and received < start) or (end is not None and received >= end):
            continue
        seen.setdefault(key, {}).setdefault(complaint_id, received)
    found: list[RepeatComplainant[K, Id]] = []
    for key, complaints in seen.items():
        if len(complaints) >= minimum:
            ordered = sorted(complaints.items(), key=lambda item: item[1])
            ids = tuple(i for i, _ in ordered)
            found.append(RepeatComplainant(key, len(ids), ids, ordered[0][1], ordered[-1][1]))
    return sorted(found, key=lambda r: (-r.count, r.key))
