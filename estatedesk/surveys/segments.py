"""Customer segments (SPEC S-10): a survey's or a consultation's satisfaction broken down by
customer type (owner, tenant, office tenant), by building, and by whether the customer
complained in the period. Pure: no ORM, no settings (``segment_data`` counts the answers).

* Each segment value gets a ``Figure`` with the survey's arithmetic: satisfied ÷ valid answers,
  the number of valid answers and the 95 % Wilson interval.
* The return-rate rule (S-3) is not applied: it judges whether a *place's* figure stands for
  the place; a segment compares groups of the people who answered. Segments show the raw rate.
* A group with fewer than ``MIN_GROUP`` (5) valid answers is *too small to tell*: its rate and
  interval are withheld and only its n is shown (one dissatisfied answer out of three says
  nothing about tenants, but would read as "67 %").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from estatedesk.surveys.figures import Figure, ReturnRule, Returns, Tally

__all__ = [
    "BUILDING",
    "COMPLAINED",
    "CUSTOMER_TYPE",
    "KINDS",
    "MIN_GROUP",
    "NO_RULE",
    "Segment",
    "Segments",
    "segments",
]

MIN_GROUP = 5

CUSTOMER_TYPE = "customer_type"
BUILDING = "building"
COMPLAINED = "complained"
KINDS = (CUSTOMER_TYPE, BUILDING, COMPLAINED)

# No threshold, no penalty: the raw rate is the rate of a segment.
NO_RULE = ReturnRule(Fraction(0), Fraction(5), Fraction(0))


@dataclass(frozen=True)
class Segment:
    kind: str  # one of KINDS
    value: str  # a customer type code, a building id, "yes" / "no"
    label: str
    figure: Figure

    @property
    def valid(self) -> int:
        return self.figure.tally.valid

    @property
    def satisfied(self) -> int:
        return self.figure.tally.satisfied

    @property
    def too_small(self) -> bool:
        return self.valid < MIN_GROUP

    @property
    def rate(self) -> Fraction | None:
        """The satisfaction rate in percent; None when the group is too small to tell."""
        return None if self.too_small else self.figure.raw

    @property
    def interval(self) -> tuple[Fraction, Fraction] | None:
        return None if self.too_small else self.figure.interval

    @property
    def below_target(self) -> bool:
        return not self.too_small and self.figure.below_target


@dataclass(frozen=True)
class Segments:
    """The three breakdowns, each in the order given (customer types in their choice order,
    buildings by name, complained before not complained)."""

    customer_type: Sequence[Segment]
    building: Sequence[Segment]
    complained: Sequence[Segment]

    def of(self, kind: str) -> Sequence[Segment]:
        return {CUSTOMER_TYPE: self.customer_type, BUILDING: self.building, COMPLAINED: self.complained}[kind]

    @property
    def empty(self) -> bool:
        return not (self.customer_type or self.building or self.complained)


def segments(
    kind: str,
    tallies: Mapping[str, Tally],
    labels: Mapping[str, str],
    target: Fraction,
    *,
    order: Sequence[str] = (),
    always: Sequence[str] = (),
) -> list[Segment]:
    """One breakdown: a segment per value with at least one valid answer (and, when any value
    has one, each value of ``always``, even with none: shown as too small), in ``order`` first, then the others by
    label. ``labels`` names each value (a missing one shows its value)."""
    if kind not in KINDS:
        raise ValueError(f"unknown segment kind {kind!r}")
    rank = {v: i for i, v in enumerate(order)}
    values = sorted(
        {v for v, t in tallies.items() if t.valid}
        | (set(always) if any(t.valid for t in tallies.values()) else set()),
        key=lambda v: (rank.get(v, len(rank)), labels.get(v, v), v),
    )
    return [
        Segment(kind, v, labels.get(v, v), Figure(tallies.get(v, Tally()), Returns(), NO_RULE, target))
        for v in values
    ]
