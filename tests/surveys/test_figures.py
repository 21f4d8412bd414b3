"""A survey's figures, pure (SPEC S-2, S-3): rates, scores, intervals, the return-rate rule."""

from __future__ import annotations

from fractions import Fraction

import pytest

from estatedesk.core.intervals import wilson
from estatedesk.surveys.figures import Cell, ReturnRule, Returns, Tally, compute, figure, one_decimal

S2 = pytest.mark.req("S-2")
S3 = pytest.mark.req("S-3")
RULE = ReturnRule()
TARGET = Fraction(90)


def returns_at(percent: str) -> Returns:
    """Returns giving exactly ``percent`` % (in tenths): 44.9 % is 449 of 1000."""
    tenths = int(Fraction(percent) * 10)
    return Returns(distributed=1000, returned=tenths)


@S3
@pytest.mark.parametrize(
    ("return_rate", "shortfall", "points"),
    [
        ("50", 0, 0),
        ("47", 3, 0),  # 3 points short: not a full step
        ("45", 5, 1),  # exactly one full step
        ("44.9", Fraction(51, 10), 1),  # 5.1 short: still one full step, not two
        ("30", 20, 4),
        ("0", 50, 10),
        ("62.5", 0, 0),  # above the threshold: no penalty
    ],
)
def test_the_penalty_is_one_point_per_full_five_points_short(
    return_rate: str, shortfall: Fraction, points: int
) -> None:
    f = figure(Tally(valid=100, satisfied=92, score_sum=8800), returns_at(return_rate), RULE, TARGET)
    assert f.return_rate == Fraction(return_rate)
    assert f.shortfall == shortfall
    assert f.penalty_points == points
    assert f.raw == 92
    assert f.adjusted == 92 - points


@S3
def test_the_rule_is_configurable() -> None:
    """A company that wants 60 % returns and takes 2 points per full 4 points short."""
    rule = ReturnRule.of(60, 4, 2)
    f = figure(Tally(10, 9, 900), Returns(100, 49), rule, TARGET)
    assert f.shortfall == 11 and f.penalty_steps == 2 and f.penalty_points == 4
    assert f.adjusted == 86


@S3
def test_the_adjusted_rate_never_goes_below_nothing() -> None:
    f = figure(Tally(10, 0, 200), Returns(100, 0), RULE, TARGET)
    assert f.penalty_points == 10
    assert f.adjusted == 0


@S3
@pytest.mark.parametrize("bad", [(50, 0, 1), (50, 5, -1), (120, 5, 1)])
def test_a_rule_that_makes_no_sense_is_refused(bad: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError):
        ReturnRule.of(*bad)


@S2
def test_rate_score_and_interval_of_one_figure() -> None:
    """15 of 20 valid answers satisfied, scores 1,460 in all: 75.0 %, mean 73.0, Wilson 53.1–88.8 %."""
    f = figure(Tally(valid=20, satisfied=15, score_sum=1460), Returns(40, 20), RULE, TARGET)
    assert f.raw == 75
    assert f.mean_score == 73
    low, high = f.interval or (0, 0)
    assert float(low) == pytest.approx(53.13, abs=0.01)
    assert float(high) == pytest.approx(88.81, abs=0.01)
    assert f.below_target


@S2
@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe, "Two-sided confidence intervals for the single proportion" (Stat. Med. 1998),
        # Table I, method 3 (Wilson score, no continuity correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_intervals_match_the_published_values(successes: int, n: int, low: float, high: float) -> None:
    assert wilson(successes, n) == pytest.approx((low, high), abs=5e-5)


@S2
def test_no_valid_answer_is_no_rate_not_zero() -> None:
    f = figure(Tally(), Returns(10, 0), RULE, TARGET)
    assert f.raw is None and f.adjusted is None and f.interval is None and f.mean_score is None
    assert not f.below_target


@S2
@S3
def test_figures_roll_up_by_question_category_estate_and_building_with_their_own_return_rates() -> None:
    # Estate 1: building 11 (10 distributed, 6 returned), building 12 (10, 2) → 8 / 20 = 40 %.
    # Estate 2: building 21 (10, 9) → 90 %.  The whole survey: 17 / 30 = 56.7 %.
    cells = [
        Cell(1, 11, 100, "cleaning", valid=6, satisfied=6, score_sum=540),
        Cell(1, 11, 101, "repairs", valid=6, satisfied=3, score_sum=420),
        Cell(1, 12, 100, "cleaning", valid=2, satisfied=1, score_sum=140),
        Cell(2, 21, 100, "cleaning", valid=9, satisfied=9, score_sum=900),
        Cell(2, 21, 101, "repairs", valid=8, satisfied=6, score_sum=600),
    ]
    returns = {
        (1, 11): Returns(10, 6),
        (1, 12): Returns(10, 2),
        (2, 21): Returns(10, 9),
        (2, 22): Returns(5, 0),
    }
    targets = {(1, "repairs"): Fraction(80)}

    def target_of(estate: int | None, category: str | None) -> Fraction:
        return targets.get((estate, category or ""), TARGET) if estate else TARGET

    r = compute(cells, returns, RULE, target_of)
    assert r.overall.tally == Tally(31, 25, 2600)
    assert r.overall.returns == Returns(35, 17)
    assert r.overall.penalty_points == 0  # 48.6 % is 1.4 points short: no full step
    assert r.by_category["cleaning"].tally == Tally(17, 16, 1580)
    assert r.by_question[101].tally == Tally(14, 9, 1020)
    estate_1 = r.by_estate[1]
    assert estate_1.tally == Tally(14, 10, 1100)
    assert estate_1.return_rate == 40 and estate_1.penalty_points == 2
    assert estate_1.adjusted == Fraction(1000, 14) - 2
    assert r.by_estate_category[1, "repairs"].target == 80
    assert r.by_estate_category[1, "repairs"].raw == 50 and r.by_estate_category[1, "repairs"].below_target
    assert r.by_building[12].return_rate == 20 and r.by_building[12].penalty_points == 6
    # A building with households but no answer is still shown, with its return rate.
    assert r.by_building[22].raw is None and r.by_building[22].return_rate == 0


@S2
@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(925, 10), 92.5),
        (Fraction(9245, 100), 92.5),
        (Fraction(1000, 14), 71.4),
        (Fraction(200, 3), 66.7),
        (None, None),
    ],
)
def test_rates_are_given_with_one_decimal(value: Fraction | None, shown: float | None) -> None:
    assert one_decimal(value) == shown
