"""The monthly consultation's proposed sample (SPEC S-4, procedure §7.3.2). Pure: no ORM.

* Size: at least ``share`` % (5 %) of the estate's *occupied* households, rounded up; at least
  one household when any is occupied, never more than there are.
* Who: households are taken in order of how often they were asked this year (never first),
  then of how long ago they were last asked (never before, or longest ago, first), and at
  random within a tie. So a month's proposal takes households not consulted yet this year
  before any other, no household is asked twice in a year while another has not been asked,
  and over the years the households asked longest ago come round first.
* Reproducible: the same seed and history give the same proposal.
* A swap offers the next households in the same order.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["History", "Proposal", "propose", "ranked", "sample_size"]


@dataclass(frozen=True)
class History:
    """A household's consultations so far: how many this year, and the last one's ordinal day
    (``date.toordinal()``; 0 when never)."""

    this_year: int = 0
    last: int = 0


NEVER = History()


def sample_size(occupied: int, share: Fraction | int | str) -> int:
    """ceil(share % × occupied), at least 1 when any household is occupied."""
    if occupied <= 0:
        return 0
    fraction = Fraction(str(share)) if not isinstance(share, Fraction) else share
    if fraction <= 0:
        raise ValueError("a consultation's share must be positive")
    return min(occupied, max(1, math.ceil(fraction * occupied / 100)))


def ranked(units: Iterable[int], history: Mapping[int, History], seed: str) -> list[int]:
    """Every unit in the order the proposal takes them (see the module's docstring)."""
    rng = random.Random(seed)
    keyed = [
        (history.get(u, NEVER).this_year, history.get(u, NEVER).last, rng.random(), u) for u in sorted(units)
    ]
    keyed.sort()
    return [u for *_, u in keyed]


@dataclass(frozen=True)
class Proposal:
    units: list[int]  # sorted
    occupied: int
    fresh: int  # households not asked this year, in the whole estate

    @property
    def size(self) -> int:
        return len(self.units)


def propose(
    occupied_units: Iterable[int], history: Mapping[int, History], share: Fraction | int | str, seed: str
) -> Proposal:
    units = list(occupied_units)
    order = ranked(units, history, seed)
    size = sample_size(len(units), share)
    fresh = sum(1 for u in units if history.get(u, NEVER).this_year == 0)
    return Proposal(sorted(order[:size]), len(units), fresh)
