"""What the dashboard and the monthly report flag about monthly consultations (SPEC S-4,
procedure §7.3.1–7.3.2). Pure: no ORM (``consultation_facts`` reads the database).

For an estate (its management office) and a month:

* ``missing``: no consultation under way or finished in the month (a planned one that never
  started does not count). The current month is flagged only from its last ``GRACE_DAYS``
  days on, as a warning that time is running out; a past month is simply missed.
* ``under_share``: the households consulted in the month (answered, each once) are fewer than
  ``share`` % (5 %) of the occupied households, rounded up. Only for a month whose
  consultations are all finished (or a past month): one still under way may reach it.
* ``low_return``: a questionnaire consultation, finished, returned by fewer than ``threshold``
  % (50 %) of the households asked.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from estatedesk.surveys.consultation_sampling import sample_size

__all__ = ["GRACE_DAYS", "ConsultationFacts", "Flag", "MonthFacts", "flags"]

GRACE_DAYS = 7

MISSING = "missing"
UNDER_SHARE = "under_share"
LOW_RETURN = "low_return"


@dataclass(frozen=True)
class ConsultationFacts:
    id: int
    number: str
    method: str
    status: str  # "running" or "finished" (planned and cancelled ones are not facts)
    asked: int
    answered: int

    @property
    def return_rate(self) -> Fraction | None:
        return Fraction(self.answered * 100, self.asked) if self.asked else None


@dataclass(frozen=True)
class MonthFacts:
    estate: int
    month: date  # the first day
    occupied: int
    consultations: Sequence[ConsultationFacts] = ()
    reached: int = 0  # distinct households answered in the month's consultations


@dataclass(frozen=True)
class Flag:
    kind: str  # MISSING, UNDER_SHARE or LOW_RETURN
    estate: int
    month: date
    consultation: int | None = None
    number: str = ""
    # The figures the flag is about: reached / needed households, or the return rate (%).
    reached: int = 0
    needed: int = 0
    rate: Fraction | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def flags(
    facts: Iterable[MonthFacts],
    today: date,
    *,
    share: Fraction | int | str = 5,
    threshold: Fraction | int | str = 50,
) -> list[Flag]:
    """The flags of these months, in the order given (months after ``today`` are not judged)."""
    limit = Fraction(str(threshold))
    out: list[Flag] = []
    for month in facts:
        end = _month_end(month.month)
        if month.month > today or month.occupied == 0:
            continue
        past = end < today
        needed = sample_size(month.occupied, share)
        if not month.consultations:
            if past or (end - today).days < GRACE_DAYS:
                out.append(Flag(MISSING, month.estate, month.month, needed=needed))
            continue
        settled = past or all(c.status == "finished" for c in month.consultations)
        if settled and month.reached < needed:
            out.append(Flag(UNDER_SHARE, month.estate, month.month, reached=month.reached, needed=needed))
        for c in month.consultations:
            rate = c.return_rate
            if c.method == "questionnaire" and c.status == "finished" and rate is not None and rate < limit:
                out.append(
                    Flag(
                        LOW_RETURN,
                        month.estate,
                        month.month,
                        consultation=c.id,
                        number=c.number,
                        reached=c.answered,
                        needed=c.asked,
                        rate=rate,
                    )
                )
    return out
