"""Holiday spans as the State Council's notice announces them (SPEC P-4). Pure: no ORM.

A notice gives each festival one span of days off, weekends included: "端午节：6月19日（周五）
至21日（周日）放假，共3天". Seeded years store only the days that change counting (the
weekdays off and the festival day itself), and an administrator's notice may store the
weekends or not, so the span is rebuilt for display: a run of consecutive days off that
holds at least one stored holiday, where a day off is a stored holiday or a weekend day that
is not a make-up working day. A weekend next to a holiday thus belongs to its span (端午
2026: Friday 19 to Sunday 21 June), and a make-up Saturday ends it (元旦 2026: 1–3 January,
with Sunday 4 January worked).

Counting working days never uses this: ``engine.Calendar`` already treats those weekend days
as days off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

_ONE_DAY = timedelta(days=1)
# The eve of Spring Festival has its own name in the data (statutory since 2025), but the
# notice announces one Spring Festival span: the eve is part of it.
_PART_OF_NEXT = ("除夕",)

Names = tuple[str, str, str]  # Simplified Chinese, Traditional Chinese, English


@dataclass(frozen=True)
class Span:
    first: date
    last: date
    names: Names  # the festival (or festivals, joined) the span is announced for

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last

    def name_for(self, language: str | None) -> str:
        """The name in a Django language code (zh-hans, zh-hant, en), falling back to any name."""
        hans, hant, en = self.names
        code = (language or "").lower()
        if code.startswith("en"):
            preferred = (en, hans, hant)
        elif code in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
            preferred = (hant, hans, en)
        else:
            preferred = (hans, hant, en)
        return next((name for name in preferred if name), "")


def _off(day: date, holidays: Mapping[date, Names], workdays: frozenset[date]) -> bool:
    return day in holidays or (day.weekday() >= 5 and day not in workdays)


def _span_names(run: list[date], holidays: Mapping[date, Names]) -> Names:
    named = [holidays[day] for day in run if day in holidays]
    kept = [n for n in named if not any(part in n[0] for part in _PART_OF_NEXT)] or named
    # Festivals in order of their first day; two in one span (中秋 and 国庆 in 2023) are both
    # named, joined as the notice does.
    order = list(dict.fromkeys(kept))
    if len(order) == 1:
        return order[0]
    return ("、".join(n[0] for n in order), "、".join(n[1] for n in order), " / ".join(n[2] for n in order))


def holiday_spans(holidays: Mapping[date, Names], workdays: frozenset[date] | set[date]) -> list[Span]:
    """The spans of days off around the stored ``holidays`` (date → names), in date order.

    ``workdays`` are the make-up working days: a weekend day among them is worked and ends a span.
    """
    worked = frozenset(workdays)
    spans: list[Span] = []
    seen: set[date] = set()
    for day in sorted(holidays):
        if day in seen:
            continue
        first = last = day
        while _off(first - _ONE_DAY, holidays, worked):
            first -= _ONE_DAY
        while _off(last + _ONE_DAY, holidays, worked):
            last += _ONE_DAY
        run = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        seen.update(run)
        spans.append(Span(first, last, _span_names(run, holidays)))
    return spans


def span_of(day: date, spans: list[Span]) -> Span | None:
    return next((span for span in spans if day in span), None)
