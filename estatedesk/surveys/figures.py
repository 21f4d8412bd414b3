"""A survey's figures (SPEC S-2, S-3; procedure §7.3.2, §7.3.6c–d). Pure: no ORM, no settings.

The database hands over counts per building and question (``results.cells``) and per
building the households distributed and returned; everything else is summed here, so the
figures of a 150,000-answer survey come from one grouped query and the same arithmetic can
be checked by hand against a printed sheet.

Definitions
-----------
* A *valid* answer is a rating question answered with a level of the scale; a skipped
  optional question and a free-text answer are not counted.
* Satisfaction rate = satisfied answers ÷ valid answers (the levels the scale marks as
  satisfied: 很满意 and 满意 by default). Mean score = the scores' sum ÷ valid answers.
  Both come with the number of valid answers and a 95 % Wilson interval of the rate.
* Return rate = households that returned the questionnaire ÷ households it was distributed
  to (the drawn sample).
* The return-rate rule: when the return rate is below the threshold (50 %), the rate drops
  ``penalty`` points (1) for every *full* ``step`` points (5) short:
  adjusted = raw − floor((threshold − return rate) / step) × penalty, never below 0.
  Exact fractions throughout: 44.9 % is 5.1 points short, one full step; 45 % is one; 47 % none.
* Each figure is penalised by the return rate of the place it covers: a building's by the
  building's, an estate's (and its categories') by the estate's, the company-wide ones (the
  overall rate, each category, each question) by the whole survey's.
* Below target: the adjusted rate (the one that counts) is under the target that applies.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from estatedesk.core.intervals import wilson

__all__ = [
    "Cell",
    "Figure",
    "Results",
    "ReturnRule",
    "Returns",
    "Tally",
    "compute",
    "figure",
    "one_decimal",
]

HUNDRED = Fraction(100)


@dataclass(frozen=True)
class Tally:
    """Valid ratings counted: how many, how many satisfied, and the sum of their scores."""

    valid: int = 0
    satisfied: int = 0
    score_sum: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.valid + other.valid, self.satisfied + other.satisfied, self.score_sum + other.score_sum
        )


@dataclass(frozen=True)
class Returns:
    distributed: int = 0
    returned: int = 0

    def __add__(self, other: Returns) -> Returns:
        return Returns(self.distributed + other.distributed, self.returned + other.returned)

    @property
    def rate(self) -> Fraction | None:
        """In percent; None when nothing was distributed."""
        return Fraction(self.returned * 100, self.distributed) if self.distributed else None


@dataclass(frozen=True)
class ReturnRule:
    """S-3: below ``threshold`` %, ``penalty`` points off for every full ``step`` points short."""

    threshold: Fraction = Fraction(50)
    step: Fraction = Fraction(5)
    penalty: Fraction = Fraction(1)

    @classmethod
    def of(cls, threshold: object, step: object, penalty: object) -> ReturnRule:
        rule = cls(Fraction(str(threshold)), Fraction(str(step)), Fraction(str(penalty)))
        if rule.step <= 0 or rule.penalty < 0 or not 0 <= rule.threshold <= 100:
            raise ValueError(f"a return-rate rule needs 0..100, a positive step and a penalty >= 0: {rule}")
        return rule

    def shortfall(self, return_rate: Fraction | None) -> Fraction:
        """Points below the threshold (0 when at or above it, or when nothing was distributed)."""
        if return_rate is None or return_rate >= self.threshold:
            return Fraction(0)
        return self.threshold - return_rate

    def steps(self, return_rate: Fraction | None) -> int:
        return math.floor(self.shortfall(return_rate) / self.step)

    def points(self, return_rate: Fraction | None) -> Fraction:
        return self.steps(return_rate) * self.penalty


@dataclass(frozen=True)
class Figure:
    """A satisfaction figure with everything that is shown beside it."""

    tally: Tally
    returns: Returns
    rule: ReturnRule
    target: Fraction

    @property
    def raw(self) -> Fraction | None:
        """The satisfaction rate in percent, before the return-rate rule; None with no valid answer."""
        if not self.tally.valid:
            return None
        return Fraction(self.tally.satisfied * 100, self.tally.valid)

    @property
    def mean_score(self) -> Fraction | None:
        return Fraction(self.tally.score_sum, self.tally.valid) if self.tally.valid else None

    @property
    def interval(self) -> tuple[Fraction, Fraction] | None:
        """The 95 % Wilson interval of the raw rate, in percent."""
        bounds = wilson(self.tally.satisfied, self.tally.valid)
        if bounds is None:
            return None
        return Fraction(bounds[0]) * HUNDRED, Fraction(bounds[1]) * HUNDRED

    @property
    def return_rate(self) -> Fraction | None:
        return self.returns.rate

    @property
    def shortfall(self) -> Fraction:
        return self.rule.shortfall(self.return_rate)

    @property
    def penalty_steps(self) -> int:
        return self.rule.steps(self.return_rate)

    @property
    def penalty_points(self) -> Fraction:
        return self.rule.points(self.return_rate)

    @property
    def adjusted(self) -> Fraction | None:
        raw = self.raw
        if raw is None:
            return None
        return max(Fraction(0), raw - self.penalty_points)

    @property
    def below_target(self) -> bool:
        adjusted = self.adjusted
        return adjusted is not None and adjusted < self.target


def figure(tally: Tally, returns: Returns, rule: ReturnRule, target: Fraction) -> Figure:
    return Figure(tally, returns, rule, target)


@dataclass(frozen=True)
class Cell:
    """One row of the grouped query: a question's valid ratings in one building."""

    estate: int
    building: int
    question: int
    category: str
    valid: int
    satisfied: int
    score_sum: int


# target(estate id or None, category or None) → the target in percent that applies there.
TargetOf = Callable[[int | None, str | None], Fraction]


@dataclass
class Results:
    overall: Figure
    by_category: dict[str, Figure] = field(default_factory=dict)
    by_question: dict[int, Figure] = field(default_factory=dict)
    by_estate: dict[int, Figure] = field(default_factory=dict)
    by_estate_category: dict[tuple[int, str], Figure] = field(default_factory=dict)
    by_building: dict[int, Figure] = field(default_factory=dict)


def compute(
    cells: Iterable[Cell],
    returns: Mapping[tuple[int, int], Returns],
    rule: ReturnRule,
    target_of: TargetOf,
) -> Results:
    """Every figure of a survey from its cells and, per (estate, building), its returns.

    An estate or building with households distributed but no valid answer still gets its
    figure (rate None, return rate shown): a place that did not answer is not left out."""
    by_category: dict[str, Tally] = defaultdict(Tally)
    by_question: dict[int, Tally] = defaultdict(Tally)
    by_estate: dict[int, Tally] = defaultdict(Tally)
    by_estate_category: dict[tuple[int, str], Tally] = defaultdict(Tally)
    by_building: dict[int, Tally] = defaultdict(Tally)
    overall = Tally()
    question_category: dict[int, str] = {}
    building_estate: dict[int, int] = {}
    for cell in cells:
        tally = Tally(cell.valid, cell.satisfied, cell.score_sum)
        overall += tally
        by_category[cell.category] += tally
        by_question[cell.question] += tally
        question_category[cell.question] = cell.category
        by_estate[cell.estate] += tally
        by_estate_category[cell.estate, cell.category] += tally
        by_building[cell.building] += tally
        building_estate[cell.building] = cell.estate

    estate_returns: dict[int, Returns] = defaultdict(Returns)
    building_returns: dict[int, Returns] = {}
    for (estate, building), r in returns.items():
        estate_returns[estate] += r
        building_returns[building] = r
        building_estate[building] = estate
        by_estate.setdefault(estate, Tally())
        by_building.setdefault(building, Tally())
    everyone = sum(estate_returns.values(), Returns())
    company_target = target_of(None, None)
    return Results(
        overall=figure(overall, everyone, rule, company_target),
        by_category={c: figure(t, everyone, rule, target_of(None, c)) for c, t in by_category.items()},
        by_question={
            q: figure(t, everyone, rule, target_of(None, question_category[q]))
            for q, t in by_question.items()
        },
        by_estate={e: figure(t, estate_returns[e], rule, target_of(e, None)) for e, t in by_estate.items()},
        by_estate_category={
            (e, c): figure(t, estate_returns[e], rule, target_of(e, c))
            for (e, c), t in by_estate_category.items()
        },
        by_building={
            b: figure(t, building_returns.get(b, Returns()), rule, target_of(building_estate[b], None))
            for b, t in by_building.items()
        },
    )


def one_decimal(value: Fraction | float | None) -> float | None:
    """A percentage as the API and the sheets give it: one decimal, halves rounded up (92.45 → 92.5)."""
    if value is None:
        return None
    exact = Fraction(value)
    return math.floor(exact * 10 + Fraction(1, 2)) / 10
