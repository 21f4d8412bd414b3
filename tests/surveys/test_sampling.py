"""The pure draw (SPEC S-7, §7.3.6a–b): sizes, key households, reproducibility."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estatedesk.surveys.sampling import draw, draw_estate, share_of, target_size

S7 = pytest.mark.req("S-7")
HALF = Fraction(1, 2)


@S7
@pytest.mark.parametrize(
    ("frame", "share", "expected"),
    [
        (10, HALF, 5),
        (7, HALF, 4),  # 3.5 households: rounded up, a share is never undershot
        (1, HALF, 1),
        (0, HALF, 0),
        (32, share_of("66.6"), 22),  # the bank example: 66.6 % of 32 departments = 21.3 → 22
        (300, share_of(Decimal("33.33")), 100),  # 99.99 → 100
        (3, share_of(100), 3),
    ],
)
def test_the_share_asks_for_the_households_rounded_up(frame: int, share: Fraction, expected: int) -> None:
    assert target_size(frame, share) == expected


@S7
@pytest.mark.parametrize("bad", [0, -5, "100.01", 150])
def test_a_share_is_above_nothing_and_at_most_everything(bad: object) -> None:
    with pytest.raises(ValueError):
        share_of(bad)


@S7
def test_every_key_household_is_in_the_sample_and_the_random_part_fills_the_rest() -> None:
    frame = range(1, 101)
    key = {3, 50, 99}
    result = draw_estate(7, frame, key, HALF, "seed")
    assert result.key == (3, 50, 99)
    assert len(result.drawn) == 47
    assert result.sample_size == 50
    assert set(result.drawn).isdisjoint(key)
    assert set(result.sample) <= set(frame)


@S7
def test_key_households_beyond_the_share_are_all_kept() -> None:
    """60 past complainants in an estate of 100 households at 50 %: all 60 are asked, none drawn."""
    key = set(range(1, 61))
    result = draw_estate(1, range(1, 101), key, HALF, "s")
    assert result.key == tuple(range(1, 61))
    assert result.drawn == ()
    assert result.sample_size == 60 > result.target_size == 50


@S7
def test_key_households_outside_the_frame_are_ignored() -> None:
    """A complainant whose unit is now vacant (not in the frame) or in another estate is not drawn."""
    result = draw_estate(1, [1, 2, 3, 4], {2, 900}, HALF, "s")
    assert result.key == (2,)
    assert 900 not in result.sample
    assert result.sample_size == 2


@S7
def test_the_same_seed_gives_the_same_sample_and_another_seed_another() -> None:
    frames = {1: list(range(1, 2001)), 2: list(range(5000, 5400))}
    first = draw(frames, {10, 5005}, HALF, "2026-annual")
    again = draw({2: list(reversed(frames[2])), 1: frames[1][::-1]}, {5005, 10}, HALF, "2026-annual")
    other = draw(frames, {10, 5005}, HALF, "another seed")
    assert [d.sample for d in first] == [d.sample for d in again]
    assert [d.sample for d in first] != [d.sample for d in other]
    assert [d.sample_size for d in first] == [d.sample_size for d in other] == [1000, 200]


@S7
def test_one_estate_s_draw_does_not_move_when_another_estate_changes() -> None:
    before = draw({1: range(1, 500), 2: range(1000, 1100)}, set(), HALF, "x")
    after = draw({1: range(1, 500), 2: range(1000, 1300)}, set(), HALF, "x")
    assert before[0].sample == after[0].sample


@S7
@given(
    frame=st.sets(st.integers(1, 10_000), max_size=300),
    key=st.sets(st.integers(1, 10_000), max_size=80),
    percent=st.integers(1, 100),
    seed=st.text(max_size=12),
)
def test_the_sample_is_never_smaller_than_the_share_and_holds_every_key_household(
    frame: set[int], key: set[int], percent: int, seed: str
) -> None:
    share = share_of(percent)
    result = draw_estate(1, frame, key, share, seed)
    assert result.sample_size == max(target_size(len(frame), share), len(key & frame))
    assert set(result.key) == key & frame
    assert len(set(result.sample)) == result.sample_size
    assert set(result.sample) <= frame


@S7
def test_sampling_and_figures_import_without_django() -> None:
    code = (
        "import sys, estatedesk.surveys.sampling, estatedesk.surveys.figures; "
        "assert 'django' not in sys.modules, 'django imported'"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
