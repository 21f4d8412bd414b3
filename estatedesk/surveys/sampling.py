"""Drawing a survey's sample (SPEC S-7, procedure §7.3.6a–b). Pure: no ORM, no clock.

Per estate:

* the *frame* is its occupied households (vacant units are left out by the caller);
* the share asks for ``ceil(share × frame)`` households (50 % of 7 households is 4);
* every *key* household (second-stage sampling: it complained, grieved, or was dissatisfied in
  the last survey or since) is in the sample, even when there are more of them than the share
  asks for;
* the random part fills the rest, drawn from the frame's other households.

The draw is reproducible: the same seed over the same frame gives the same sample. Each estate
draws with its own generator, seeded by the survey's seed and the estate's id, and from its
households in ascending id order, so one estate's sample does not change when another estate's
frame does, nor with the order the database returned the rows in.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["EstateDraw", "draw", "draw_estate", "share_of", "target_size"]


@dataclass(frozen=True)
class EstateDraw:
    estate_id: int
    frame_size: int
    target_size: int  # what the share asks for
    key: tuple[int, ...]  # the key households in the frame, ascending
    drawn: tuple[int, ...]  # the random part, ascending

    @property
    def sample_size(self) -> int:
        return len(self.key) + len(self.drawn)

    @property
    def sample(self) -> tuple[int, ...]:
        return tuple(sorted(self.key + self.drawn))


def share_of(percent: object) -> Fraction:
    """A share given in percent (``50``, ``Decimal("66.6")``, ``"33.3"``) as an exact fraction."""
    share = Fraction(str(percent)) / 100
    if not 0 < share <= 1:
        raise ValueError(f"a sample share is more than 0 % and at most 100 %, got {percent}")
    return share


def target_size(frame_size: int, share: Fraction) -> int:
    """Households the share asks for, rounded up: a share is a floor, never undershot."""
    return math.ceil(share * frame_size)


def draw_estate(
    estate_id: int, frame: Iterable[int], key: Collection[int], share: Fraction, seed: str
) -> EstateDraw:
    key = key if isinstance(key, set | frozenset) else set(key)
    households = sorted(set(frame))
    in_key = [h for h in households if h in key]
    key_set = set(in_key)
    rest = [h for h in households if h not in key_set]
    target = target_size(len(households), share)
    wanted = max(0, target - len(in_key))
    generator = random.Random(f"{seed}/{estate_id}")
    drawn = generator.sample(rest, wanted)
    return EstateDraw(estate_id, len(households), target, tuple(in_key), tuple(sorted(drawn)))


def draw(
    frames: Mapping[int, Iterable[int]], key: Collection[int], share: Fraction, seed: str
) -> list[EstateDraw]:
    """One ``EstateDraw`` per estate of ``frames`` (estate id → its households' ids), by estate id.
    ``key`` may hold households of any estate, or none in the frames: those are ignored."""
    key_set = key if isinstance(key, set | frozenset) else frozenset(key)
    return [draw_estate(estate, frames[estate], key_set, share, seed) for estate in sorted(frames)]
