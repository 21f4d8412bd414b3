"""Pareto arithmetic (排列图), shared by the complaint reports (K-12, K-15) and the survey
analysis (S-9). Pure: no ORM, no settings, no Django.

* Cumulative shares come from integer running sums divided by the total, so the last row is
  exactly 1.0. Zero-count keys are dropped: a bar of height 0 is noise.
* The catch-all ("Other", 其他: key ``OTHER_KEY``) is always the last bar, whatever its count:
  it is not one cause to act on, and a chart that puts it first hides the real largest
  category. The cumulative line follows the bars as drawn; the catch-all is never one of the
  vital few.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

    K = TypeVar("K", bound=SupportsRichComparison)
else:
    K = TypeVar("K")

__all__ = ["OTHER_KEY", "ParetoRow", "nice_axis", "pareto", "pareto_order", "pareto_points"]

# The catch-all category's code (complaints migration 0002: 其他 / Other; surveys.coding.OTHER).
OTHER_KEY = "other"


def _exact(x: float | Fraction) -> Fraction:
    """0.8 as typed by a person, not 0.8000000000000000444 as stored by a float."""
    return Fraction(str(x)) if isinstance(x, float) else Fraction(x)


@dataclass(frozen=True)
class ParetoRow(Generic[K]):
    key: K
    count: int
    cumulative_count: int
    total: int
    vital: bool

    @property
    def share(self) -> float:
        return self.count / self.total

    @property
    def cumulative_share(self) -> float:
        """Integer running sum ÷ total: the last row is exactly 1.0, whatever the counts."""
        return self.cumulative_count / self.total


def pareto_order(counts: Mapping[K, int], *, last: object = OTHER_KEY) -> list[tuple[K, int]]:
    """(key, count) as the bars stand: count descending, ties by key (the same chart on every
    run), the catch-all ``last`` after all others whatever its count; zero counts dropped."""
    if any(n < 0 for n in counts.values()):
        raise ValueError("Pareto counts cannot be negative")
    return sorted(
        ((k, n) for k, n in counts.items() if n > 0),
        key=lambda kv: (kv[0] == last, -kv[1], kv[0]),
    )


def pareto(
    counts: Mapping[K, int], threshold: float | Fraction = 0.8, *, last: object = OTHER_KEY
) -> list[ParetoRow[K]]:
    """Bars in ``pareto_order``: count descending, the catch-all ``last`` at the end.

    ``vital`` marks the "vital few": the shortest prefix whose cumulative share reaches the
    threshold, i.e. a row is vital when the rows before it have not yet reached it. The
    first row is therefore always vital. A tie across the boundary is broken by key, like
    the order; the chart shows the tied bar next to it for the reader to judge. The catch-all
    is never vital: "Other" is no one thing to act on, however large.
    """
    limit = _exact(threshold)
    if not 0 < limit <= 1:
        raise ValueError(f"a Pareto threshold needs 0 < threshold <= 1, got {threshold}")
    items = pareto_order(counts, last=last)
    total = sum(n for _, n in items)
    rows: list[ParetoRow[K]] = []
    running = 0
    for key, n in items:
        vital = Fraction(running, total) < limit and key != last
        running += n
        rows.append(ParetoRow(key, n, running, total, vital))
    return rows


def pareto_points(counts: Sequence[int]) -> list[float]:
    """Cumulative percentages from integer running sums; the last is exactly 100."""
    total = sum(counts)
    if not total:
        return [0.0 for _ in counts]
    running = 0
    points = []
    for n in counts:
        running += n
        points.append(100 * running / total)
    points[-1] = 100.0
    return points


def nice_axis(top: float, intervals: int = 5) -> tuple[int, int]:
    """(max, step) of a count axis with ``intervals`` equal steps and room above ``top``.

    The step is the smallest whole 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k giving at least 10 % headroom, so the
    tallest bar never touches the top of the plot and its count label fits above it; with five
    steps the count axis's grid lines meet the percentage axis's 0, 20, …, 100 %.
    """
    wanted = max(float(top), 0.0) * 1.1 / intervals
    magnitude = 1
    while True:
        for tenths in (10, 15, 20, 25, 30, 40, 50, 60, 80):
            if (tenths * magnitude) % 10:
                continue  # a count axis steps in whole counts
            step = tenths * magnitude // 10
            if step >= wanted and step * intervals > top:
                return step * intervals, step
        magnitude *= 10
