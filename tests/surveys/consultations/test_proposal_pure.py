"""The monthly consultation's proposed sample, pure (SPEC S-4, §7.3.2): at least 5 % of occupied
households, households not consulted this year first, everyone before anyone twice."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estatedesk.surveys.consultation_sampling import History, propose, ranked, sample_size

S4 = pytest.mark.req("S-4")


@S4
@pytest.mark.parametrize(
    ("occupied", "share", "expected"),
    [
        (1000, 5, 50),
        (999, 5, 50),  # 49.95 rounded up: the share is never undershot
        (21, 5, 2),
        (10, 5, 1),  # half a household is one household
        (1, 5, 1),
        (0, 5, 0),
        (40, "12.5", 5),
    ],
)
def test_the_size_is_the_share_of_occupied_households_rounded_up(occupied, share, expected):
    assert sample_size(occupied, share) == expected


@S4
@given(occupied=st.integers(min_value=1, max_value=5000), share=st.integers(min_value=1, max_value=100))
def test_the_size_is_never_below_the_share(occupied, share):
    size = sample_size(occupied, share)
    assert size >= occupied * share / 100
    assert size <= occupied
    assert size == max(1, math.ceil(occupied * share / 100))


def _year_of_proposals(units: list[int], share: int, months: int, seed: str) -> list[list[int]]:
    """Twelve monthly proposals, each recorded into the history the next one reads."""
    history: dict[int, History] = {}
    asked: list[list[int]] = []
    for month in range(1, months + 1):
        proposal = propose(units, history, share, f"{seed}-{month}")
        asked.append(proposal.units)
        day = date(2026, month, 1).toordinal()
        for u in proposal.units:
            before = history.get(u, History())
            history[u] = History(before.this_year + 1, day)
    return asked


@S4
def test_a_small_estate_is_reached_entirely_before_any_household_is_asked_twice():
    units = list(range(100, 140))  # 40 occupied households, 5 % = 2 a month…
    asked = _year_of_proposals(units, 10, 12, "small")  # …at 10 %, 4 a month: 48 in a year
    seen: set[int] = set()
    for month, proposal in enumerate(asked, start=1):
        assert len(proposal) == 4
        repeats = seen & set(proposal)
        if repeats:
            assert seen == set(units), f"month {month} asks {repeats} again before everyone was asked"
        seen |= set(proposal)
    assert seen == set(units)


@S4
@given(
    households=st.integers(min_value=1, max_value=80),
    share=st.integers(min_value=5, max_value=60),
    seed=st.text(min_size=1, max_size=8),
)
def test_nobody_is_asked_twice_while_someone_has_not_been_asked(households, share, seed):
    units = list(range(households))
    counts = dict.fromkeys(units, 0)
    for proposal in _year_of_proposals(units, share, 12, seed):
        for u in proposal:
            counts[u] += 1
        assert max(counts.values()) - min(counts.values()) <= 1


@S4
def test_the_proposal_is_reproducible_and_prefers_households_asked_longest_ago():
    units = list(range(20))
    history = {u: History(0, date(2025, 1, 1).toordinal() + (u * 7) % 20) for u in units}
    first = propose(units, history, 25, "seed")
    assert first == propose(units, history, 25, "seed")
    # Last year's consultations: the five asked longest ago come first.
    oldest = sorted(units, key=lambda u: history[u].last)[:5]
    assert sorted(first.units) == sorted(oldest)
    assert first.fresh == 20 and first.occupied == 20


@S4
def test_households_asked_this_year_come_after_the_others():
    units = list(range(10))
    history = {u: History(1, 700000) for u in range(7)}  # seven asked this year
    order = ranked(units, history, "x")
    assert set(order[:3]) == {7, 8, 9}
    proposal = propose(units, history, 30, "x")
    assert proposal.units == [7, 8, 9]
    assert proposal.fresh == 3
