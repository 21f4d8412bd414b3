"""The figures a report stores, typed (SPEC K-12, K-13, K-15).

A report keeps its figures as JSON (``services.snapshot`` writes it: frozen once submitted or
published). What reads them — the pages, the print view and PDF, the workbooks — reads them
through these classes rather than through untyped mappings. ``from_json`` accepts every
snapshot stored so far: a key that is missing reads as zero or empty, as the pages always
showed it; nothing here writes JSON.

Each snapshot also gives its counts under the names of ``measures.COUNTS``, so a month, a
quarter and a year are compared with the same definitions (three months of one quarter add
up to it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from estatedesk.reports import figures, measures, stats


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _seconds(value: Any) -> float | None:
    return None if value is None else float(value)


def _counts(value: Any) -> dict[str, int]:
    return {str(k): _int(v) for k, v in (value or {}).items()}


def _rate(value: Any) -> stats.Rate:
    value = value or {}
    return stats.Rate(_int(value.get("numerator")), _int(value.get("denominator")))


@dataclass(frozen=True)
class ReplyTimes:
    """Seconds from receipt to the first reply (``stats.Durations``)."""

    count: int = 0
    median: float | None = None
    p90: float | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ReplyTimes:
        data = data or {}
        return cls(_int(data.get("count")), _seconds(data.get("median")), _seconds(data.get("p90")))


@dataclass(frozen=True)
class ParetoEntry:
    """One bar of a Pareto chart (``stats.ParetoRow``), its key a category or cause code."""

    key: str
    count: int
    cumulative_count: int
    total: int
    vital: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ParetoEntry:
        return cls(
            key=str(data.get("key", "")),
            count=_int(data.get("count")),
            cumulative_count=_int(data.get("cumulative_count")),
            total=_int(data.get("total")),
            vital=bool(data.get("vital")),
        )


def _pareto(rows: Any) -> tuple[ParetoEntry, ...]:
    """The stored bars in today's order rule (``stats.pareto``: "Other" last), recomputed from
    their stored counts: a report stored before the rule changed shows the same counts, its
    bars in the order every new report uses (the running shares and the vital few follow)."""
    entries = [ParetoEntry.from_json(r) for r in rows or ()]
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.key] = counts.get(entry.key, 0) + entry.count
    return tuple(
        ParetoEntry(r.key, r.count, r.cumulative_count, r.total, r.vital) for r in stats.pareto(counts)
    )


@dataclass(frozen=True)
class RepeatEntry:
    """A complainant with two or more complaints in the month; the key is only an ordinal
    ("#1"): the stored report never holds who it was (SPEC D-3)."""

    key: str
    count: int
    complaint_ids: tuple[int, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RepeatEntry:
        return cls(
            key=str(data.get("key", "")),
            count=_int(data.get("count")),
            complaint_ids=_ids(data.get("complaint_ids") or ()),
        )


def _ids(values: Any) -> tuple[int, ...]:
    """Ids as stored: whole numbers already, tens of thousands in a busy month, taken as they
    are; anything else one by one through ``_int``."""
    if all(type(v) is int for v in values):
        return tuple(values)
    return tuple(_int(v) for v in values)


@dataclass(frozen=True)
class MonthSnapshot:
    """A department's month (``figures.MonthlyFigures`` as stored)."""

    department_id: int | None = None
    year: int = 0
    month: int = 0
    start: datetime | None = None
    end: datetime | None = None
    received: int = 0
    valid: int = 0
    invalid: int = 0
    undecided: int = 0
    grievances: int = 0
    enquiries: int = 0
    by_category: dict[str, int] = field(default_factory=dict)  # category code → complaints
    by_cause: dict[str, int] = field(default_factory=dict)  # "" = not yet assessed
    by_channel: dict[str, int] = field(default_factory=dict)
    by_estate: dict[str, int] = field(default_factory=dict)  # estate id (as text) → complaints
    on_time: stats.Rate = stats.Rate(0, 0)
    reply_times: ReplyTimes = ReplyTimes()
    follow_up_coverage: stats.Rate = stats.Rate(0, 0)
    satisfaction_counts: dict[str, int] = field(default_factory=dict)
    follow_up_satisfaction: stats.Rate = stats.Rate(0, 0)
    reopened: int = 0
    repeat_complainants: tuple[RepeatEntry, ...] = ()
    open_at_end: int = 0
    open_from_earlier: int = 0
    category_pareto: tuple[ParetoEntry, ...] = ()
    cause_pareto: tuple[ParetoEntry, ...] = ()
    # The management office's monthly consultations as counts (surveys.consultation_summary
    # .month_json); None: not a management office, or stored before they were.
    consultations: Mapping[str, Any] | None = None
    # How many repeat complainants, for a month read without all their rows (``from_headline``;
    # ``from_json`` with a ``repeat_limit``); None: count ``repeat_complainants``. Never stored.
    repeat_count: int | None = None

    @classmethod
    def from_headline(cls, headline: figures.MonthHeadline) -> MonthSnapshot:
        """A month the report compares with, computed live: its headline figures only."""
        counts = headline.counts
        durations = headline.reply_times
        return cls(
            received=counts["received"],
            valid=counts["valid"],
            invalid=counts["invalid"],
            undecided=counts["undecided"],
            grievances=counts["grievances"],
            enquiries=counts["enquiries"],
            on_time=measures.ON_TIME.of(counts),
            reply_times=ReplyTimes(durations.count, durations.median, durations.p90),
            follow_up_coverage=measures.FOLLOW_UP_COVERAGE.of(counts),
            follow_up_satisfaction=measures.FOLLOW_UP_SATISFACTION.of(counts),
            reopened=counts["reopened"],
            open_at_end=headline.open_at_end,
            open_from_earlier=headline.open_from_earlier,
            repeat_count=headline.repeat_complainants,
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None, *, repeat_limit: int | None = None) -> MonthSnapshot:
        """The stored month. ``repeat_limit``: read only the first so many repeat complainants
        (those with the most complaints: the stored order), their number kept in
        ``repeat_count``; a busy month stores a thousand with tens of thousands of complaint
        ids, and a page shows fifty (decision 0071)."""
        data = data or {}
        stored = data.get("repeat_complainants") or ()
        wanted = stored if repeat_limit is None else stored[:repeat_limit]
        return cls(
            department_id=data.get("department_id"),
            year=_int(data.get("year")),
            month=_int(data.get("month")),
            start=_when(data.get("start")),
            end=_when(data.get("end")),
            received=_int(data.get("received")),
            valid=_int(data.get("valid")),
            invalid=_int(data.get("invalid")),
            undecided=_int(data.get("undecided")),
            grievances=_int(data.get("grievances")),
            enquiries=_int(data.get("enquiries")),
            by_category=_counts(data.get("by_category")),
            by_cause=_counts(data.get("by_cause")),
            by_channel=_counts(data.get("by_channel")),
            by_estate=_counts(data.get("by_estate")),
            on_time=_rate(data.get("on_time")),
            reply_times=ReplyTimes.from_json(data.get("reply_times")),
            follow_up_coverage=_rate(data.get("follow_up_coverage")),
            satisfaction_counts=_counts(data.get("satisfaction_counts")),
            follow_up_satisfaction=_rate(data.get("follow_up_satisfaction")),
            reopened=_int(data.get("reopened")),
            repeat_complainants=tuple(RepeatEntry.from_json(r) for r in wanted),
            open_at_end=_int(data.get("open_at_end")),
            open_from_earlier=_int(data.get("open_from_earlier")),
            category_pareto=_pareto(data.get("category_pareto")),
            cause_pareto=_pareto(data.get("cause_pareto")),
            consultations=data.get("consultations"),
            repeat_count=None if repeat_limit is None else len(stored),
        )

    def counts(self) -> dict[str, int]:
        """The month under the names of ``measures.COUNTS`` (the rates' halves included)."""
        return {
            "received": self.received,
            "valid": self.valid,
            "invalid": self.invalid,
            "undecided": self.undecided,
            "replied": self.on_time.denominator,
            "on_time": self.on_time.numerator,
            "valid_visited": self.follow_up_coverage.numerator,
            "answered": self.follow_up_satisfaction.denominator,
            "satisfied": self.follow_up_satisfaction.numerator,
            "reopened": self.reopened,
        }

    def rate(self, name: str) -> stats.Rate:
        return measures.RATE_BY_NAME[name].of(self.counts())

    def count(self, name: str) -> int:
        """A headline count by name (``repeat_complainants`` is how many there were)."""
        if name == "repeat_complainants":
            return len(self.repeat_complainants) if self.repeat_count is None else self.repeat_count
        value: int = getattr(self, name)
        return value


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _month_key(value: Sequence[Any]) -> tuple[int, int]:
    return _int(value[0]), _int(value[1])


@dataclass(frozen=True)
class PeriodSnapshot:
    """The company over a run of months (``periods.PeriodFigures`` as stored)."""

    months: tuple[tuple[int, int], ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    totals: dict[str, int] = field(default_factory=dict)  # measures.COUNTS, grievances, enquiries
    by_month: tuple[dict[str, int], ...] = ()  # measures.COUNTS per month
    by_department: dict[str, dict[str, int]] = field(default_factory=dict)  # department id (text)
    department_by_month: dict[str, tuple[int, ...]] = field(default_factory=dict)
    category_by_month: dict[str, tuple[int, ...]] = field(default_factory=dict)
    estate_by_month: dict[str, tuple[int, ...]] = field(default_factory=dict)
    by_cause: dict[str, int] = field(default_factory=dict)
    category_pareto: tuple[ParetoEntry, ...] = ()
    cause_pareto: tuple[ParetoEntry, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> PeriodSnapshot:
        data = data or {}

        def per_month(value: Any) -> dict[str, tuple[int, ...]]:
            return {str(k): tuple(_int(n) for n in v) for k, v in (value or {}).items()}

        return cls(
            months=tuple(_month_key(m) for m in data.get("months") or ()),
            start=_when(data.get("start")),
            end=_when(data.get("end")),
            totals=_counts(data.get("totals")),
            by_month=tuple(_counts(m) for m in data.get("by_month") or ()),
            by_department={str(k): _counts(v) for k, v in (data.get("by_department") or {}).items()},
            department_by_month=per_month(data.get("department_by_month")),
            category_by_month=per_month(data.get("category_by_month")),
            estate_by_month=per_month(data.get("estate_by_month")),
            by_cause=_counts(data.get("by_cause")),
            category_pareto=_pareto(data.get("category_pareto")),
            cause_pareto=_pareto(data.get("cause_pareto")),
        )

    def rate(self, name: str) -> stats.Rate:
        return measures.RATE_BY_NAME[name].of(self.totals)


@dataclass(frozen=True)
class PeriodReport:
    """What a quarterly analysis or an annual summary stores: the period, the totals of the
    period before it, and for the year the corrective actions and the monthly reports' record."""

    current: PeriodSnapshot = PeriodSnapshot()
    previous_totals: dict[str, int] | None = None
    actions: dict[str, Any] | None = None  # services_periods._actions_summary
    monthly_reports: dict[str, int] | None = None
    surveys: Any = None  # the year's closed annual survey as counts (surveys.annual.to_json), or None
    # The year's consultations, half-years, forums and decided suggestions (surveys.annual_review)
    review: Any = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> PeriodReport:
        """Also reads a bare period snapshot (no "current" key)."""
        data = data or {}
        current = data.get("current", data)
        previous = data.get("previous_totals")
        return cls(
            current=PeriodSnapshot.from_json(current),
            previous_totals=_counts(previous) if previous is not None else None,
            actions=data.get("actions"),
            monthly_reports=data.get("monthly_reports"),
            surveys=data.get("surveys"),
            review=data.get("review"),
        )
