"""Stored report figures (JSON snapshots) turned into rows a page, a PDF or a workbook prints.

The figures of a report are frozen JSON holding ids and codes (services.snapshot); names are
looked up here at display time with one query per kind of name (categories, estates,
departments, complaint numbers), never one per row. Everything returned is plain text,
numbers and URLs, so the HTML page, the print/PDF template and the Excel export all show
the same thing.

Formats (shared by every report):
* a rate: "90.0% (45 / 50)"; "—" when nothing was counted (0 / 0 is not 0 %);
* a duration: hours with one decimal, "3.5 h";
* a change of a count: "+3", "−2", "0"; of a rate: percentage points, "+2.5 pp";
* repeat complainants are never shown by their key (a phone blind index or a name):
  "Complainant 1", "Complainant 2"… with their number of complaints and complaint numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from estatedesk.complaints.models import Category, Cause, Channel, Complaint, Satisfaction
from estatedesk.org.models import Department, Estate
from estatedesk.reports.figures import monthly_figures, previous_month, same_month_last_year
from estatedesk.reports.models import MonthlyReport, ReportStatus
from estatedesk.reports.services import snapshot

__all__ = [
    "BreakdownRow",
    "HeadlineRow",
    "ParetoLine",
    "RepeatRow",
    "change_text",
    "duration_text",
    "month_label",
    "monthly_view",
    "pareto_rows",
    "period_view",
    "points_text",
    "rate_text",
]

DASH = "—"
MINUS = "\u2212"  # a real minus sign, not a hyphen


# --- formats -------------------------------------------------------------------------------


def _rate_parts(rate: Mapping[str, int] | None) -> tuple[int, int]:
    if not rate:
        return 0, 0
    return int(rate.get("numerator", 0)), int(rate.get("denominator", 0))


def rate_value(rate: Mapping[str, int] | None) -> float | None:
    """The rate in percent, None when the denominator is 0."""
    numerator, denominator = _rate_parts(rate)
    return 100 * numerator / denominator if denominator else None


def rate_text(rate: Mapping[str, int] | None) -> str:
    numerator, denominator = _rate_parts(rate)
    if not denominator:
        return DASH
    return f"{100 * numerator / denominator:.1f}% ({numerator} / {denominator})"


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return DASH
    return _("%(hours)s h") % {"hours": f"{seconds / 3600:.1f}"}


def _signed(value: float, text: str) -> str:
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"{MINUS}{text.lstrip('-')}"
    return text


def change_text(current: int | None, previous: int | None) -> str:
    """+3 / −2 / 0; "—" when either side is unknown."""
    if current is None or previous is None:
        return DASH
    delta = current - previous
    return _signed(delta, str(abs(delta)))


def points_text(current: Mapping[str, int] | None, previous: Mapping[str, int] | None) -> str:
    """A rate's change in percentage points ("+2.5 pp"); "—" when either rate is empty."""
    now, before = rate_value(current), rate_value(previous)
    if now is None or before is None:
        return DASH
    delta = round(now - before, 1)
    return _("%(points)s pp") % {"points": _signed(delta, f"{abs(delta):.1f}")}


def hours_change_text(current: float | None, previous: float | None) -> str:
    if current is None or previous is None:
        return DASH
    delta = round((current - previous) / 3600, 1)
    return _("%(hours)s h") % {"hours": _signed(delta, f"{abs(delta):.1f}")}


def share_text(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%" if total else DASH


def month_label(year: int, month: int) -> str:
    return _("%(year)d-%(month)02d") % {"year": year, "month": month}


# --- names ---------------------------------------------------------------------------------

CAUSE_NAMES: dict[str, Any] = {**dict(Cause.choices), "": _l("Not yet assessed")}
CHANNEL_NAMES: dict[str, Any] = dict(Channel.choices)


def category_names(codes: Iterable[str]) -> dict[str, str]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return {c.code: str(c) for c in Category.objects.filter(code__in=wanted)}


def _int_keys(keys: Iterable[Any]) -> set[int]:
    ids = set()
    for key in keys:
        try:
            ids.add(int(key))
        except (TypeError, ValueError):
            continue  # "None": a record without an estate / department
    return ids


def estate_names(ids: Iterable[Any]) -> dict[int, str]:
    wanted = _int_keys(ids)
    return dict(Estate.objects.filter(pk__in=wanted).values_list("pk", "name")) if wanted else {}


def department_names(ids: Iterable[Any]) -> dict[int, str]:
    wanted = _int_keys(ids)
    return dict(Department.objects.filter(pk__in=wanted).values_list("pk", "name")) if wanted else {}


def _name(names: Mapping[Any, Any], key: Any) -> str:
    if key in names:
        return str(names[key])
    try:
        if int(key) in names:
            return str(names[int(key)])
    except (TypeError, ValueError):
        pass
    return str(key) if key not in (None, "", "None") else _("(none)")


# --- rows ----------------------------------------------------------------------------------


class HeadlineRow(NamedTuple):
    label: str
    value: str
    previous: str  # the previous month (or period)
    change: str  # against the previous month
    last_year: str  # the same month last year ("" for periods: see period_view)
    last_year_change: str


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    name: str
    count: int
    share: str


@dataclass(frozen=True)
class ParetoLine:
    key: str
    name: str
    count: int
    share: str
    cumulative: str
    vital: bool


@dataclass(frozen=True)
class ComplaintLink:
    number: str
    url: str


@dataclass(frozen=True)
class RepeatRow:
    label: str  # "Complainant 1": never the key
    count: int
    complaints: tuple[ComplaintLink, ...]


def breakdown_rows(counts: Mapping[str, int], names: Mapping[Any, Any]) -> list[BreakdownRow]:
    """Largest first (ties by name) with each row's share of the total."""
    total = sum(counts.values())
    rows = [BreakdownRow(str(k), _name(names, k), n, share_text(n, total)) for k, n in counts.items() if n]
    return sorted(rows, key=lambda r: (-r.count, r.name))


def pareto_rows(rows: Sequence[Mapping[str, Any]], names: Mapping[Any, Any]) -> list[ParetoLine]:
    return [
        ParetoLine(
            key=str(r["key"]),
            name=_name(names, r["key"]),
            count=r["count"],
            share=share_text(r["count"], r["total"]),
            cumulative=share_text(r["cumulative_count"], r["total"]),
            vital=bool(r["vital"]),
        )
        for r in rows
    ]


def repeat_rows(repeats: Sequence[Mapping[str, Any]]) -> list[RepeatRow]:
    ids = {int(i) for r in repeats for i in r.get("complaint_ids", ())}
    numbers = dict(Complaint.objects.filter(pk__in=ids).values_list("pk", "number")) if ids else {}
    rows = []
    for index, repeat in enumerate(repeats, start=1):
        links = tuple(
            ComplaintLink(numbers[int(i)], reverse("complaints:detail", args=[int(i)]))
            for i in repeat.get("complaint_ids", ())
            if int(i) in numbers
        )
        rows.append(RepeatRow(_("Complainant %(index)d") % {"index": index}, int(repeat["count"]), links))
    return rows


# --- monthly -------------------------------------------------------------------------------

_MONTHLY_COUNTS: tuple[tuple[str, Any], ...] = (
    ("received", _l("Complaints received")),
    ("valid", _l("Valid complaints")),
    ("invalid", _l("Invalid complaints")),
    ("undecided", _l("Not yet assessed")),
    ("grievances", _l("Grievances")),
    ("enquiries", _l("Enquiries")),
    ("reopened", _l("Reopened complaints")),
    ("open_at_end", _l("Open items at month end")),
)
_MONTHLY_RATES: tuple[tuple[str, Any], ...] = (
    ("on_time", _l("On-time reply rate")),
    ("follow_up_coverage", _l("Follow-up coverage")),
    ("follow_up_satisfaction", _l("Follow-up satisfaction")),
)


def _count(figures: Mapping[str, Any] | None, name: str) -> int | None:
    if figures is None:
        return None
    if name == "repeat_complainants":
        return len(figures.get("repeat_complainants") or ())
    value = figures.get(name)
    return int(value) if value is not None else None


def _reply(figures: Mapping[str, Any] | None, name: str) -> float | None:
    if figures is None:
        return None
    value = (figures.get("reply_times") or {}).get(name)
    return float(value) if value is not None else None


def _text(value: int | None) -> str:
    return DASH if value is None else str(value)


def monthly_headline(
    current: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    last_year: Mapping[str, Any] | None,
) -> list[HeadlineRow]:
    rows = []
    for name, label in (*_MONTHLY_COUNTS, ("repeat_complainants", _l("Repeat complainants"))):
        now, before, then = _count(current, name), _count(previous, name), _count(last_year, name)
        rows.append(
            HeadlineRow(
                str(label),
                _text(now),
                _text(before),
                change_text(now, before),
                _text(then),
                change_text(now, then),
            )
        )
    for name, label in _MONTHLY_RATES:
        now_rate = current.get(name)
        before_rate = previous.get(name) if previous is not None else None
        then_rate = last_year.get(name) if last_year is not None else None
        rows.append(
            HeadlineRow(
                str(label),
                rate_text(now_rate),
                rate_text(before_rate) if previous is not None else DASH,
                points_text(now_rate, before_rate),
                rate_text(then_rate) if last_year is not None else DASH,
                points_text(now_rate, then_rate),
            )
        )
    for name, label in (("median", _l("Median time to reply")), ("p90", _l("90th percentile time to reply"))):
        now_s, before_s, then_s = _reply(current, name), _reply(previous, name), _reply(last_year, name)
        rows.append(
            HeadlineRow(
                str(label),
                duration_text(now_s),
                duration_text(before_s),
                hours_change_text(now_s, before_s),
                duration_text(then_s),
                hours_change_text(now_s, then_s),
            )
        )
    return rows


def comparison_figures(report: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The previous month and the same month last year: a submitted report's frozen figures
    when there is one (what the head signed), else computed live."""
    wanted = [previous_month(report.year, report.month), same_month_last_year(report.year, report.month)]
    stored = {
        (r.year, r.month): r.figures
        for r in MonthlyReport.objects.filter(department_id=report.department_id)
        .exclude(status=ReportStatus.DRAFT)
        .filter(Q(year=wanted[0][0], month=wanted[0][1]) | Q(year=wanted[1][0], month=wanted[1][1]))
        .only("year", "month", "figures")
    }
    found = []
    for year, month in wanted:
        figures = stored.get((year, month))
        if figures is None:
            figures = snapshot(monthly_figures(department_id=report.department_id, year=year, month=month))
        found.append(figures)
    return found[0], found[1]


def monthly_view(report: Any, *, figures: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything a monthly report shows, from its stored figures (or ``figures``: the live
    ones, for comparing a submitted report with the records as they are now).

    Keys: period, department, year, month, figures (the raw JSON), headline (HeadlineRow),
    previous_period, last_year_period, validity / by_category / by_cause / by_channel /
    by_estate (BreakdownRow), on_time, follow_up_coverage, follow_up_satisfaction (rate
    texts), reply_median, reply_p90, reply_count, satisfaction (BreakdownRow by answer),
    reopened, repeat_complainants (RepeatRow), open_at_end, open_from_earlier,
    category_pareto / cause_pareto (ParetoLine).
    """
    data: Mapping[str, Any] = figures if figures is not None else (report.figures or {})
    previous, last_year = comparison_figures(report)
    by_category: dict[str, int] = data.get("by_category") or {}
    by_cause: dict[str, int] = data.get("by_cause") or {}
    by_estate: dict[str, int] = data.get("by_estate") or {}
    categories = category_names([*by_category, *(r["key"] for r in data.get("category_pareto") or ())])
    estates = estate_names(by_estate)
    validity = {
        "valid": data.get("valid", 0),
        "invalid": data.get("invalid", 0),
        "undecided": data.get("undecided", 0),
    }
    validity_names = {"valid": _("Valid"), "invalid": _("Invalid"), "undecided": _("Not yet assessed")}
    # Validity keeps its fixed order rather than largest first.
    validity_total = sum(validity.values())
    validity_rows = [
        BreakdownRow(k, str(validity_names[k]), n, share_text(n, validity_total)) for k, n in validity.items()
    ]
    reply = data.get("reply_times") or {}
    return {
        "period": month_label(report.year, report.month),
        "department": report.department.name,
        "year": report.year,
        "month": report.month,
        "figures": data,
        "previous_period": month_label(*previous_month(report.year, report.month)),
        "last_year_period": month_label(*same_month_last_year(report.year, report.month)),
        "headline": monthly_headline(data, previous, last_year),
        "validity": validity_rows,
        "by_category": breakdown_rows(by_category, categories),
        "by_cause": breakdown_rows(by_cause, CAUSE_NAMES),
        "by_channel": breakdown_rows(data.get("by_channel") or {}, CHANNEL_NAMES),
        "by_estate": breakdown_rows(by_estate, estates),
        "on_time": rate_text(data.get("on_time")),
        "follow_up_coverage": rate_text(data.get("follow_up_coverage")),
        "follow_up_satisfaction": rate_text(data.get("follow_up_satisfaction")),
        "reply_count": reply.get("count", 0),
        "reply_median": duration_text(reply.get("median")),
        "reply_p90": duration_text(reply.get("p90")),
        "satisfaction": breakdown_rows(data.get("satisfaction_counts") or {}, dict(Satisfaction.choices)),
        "reopened": data.get("reopened", 0),
        "repeat_complainants": repeat_rows(data.get("repeat_complainants") or ()),
        "open_at_end": data.get("open_at_end", 0),
        "open_from_earlier": data.get("open_from_earlier", 0),
        "category_pareto": pareto_rows(data.get("category_pareto") or (), categories),
        "cause_pareto": pareto_rows(data.get("cause_pareto") or (), CAUSE_NAMES),
    }


# --- quarterly / annual --------------------------------------------------------------------

_PERIOD_COUNTS: tuple[tuple[str, Any], ...] = (
    ("received", _l("Complaints received")),
    ("valid", _l("Valid complaints")),
    ("invalid", _l("Invalid complaints")),
    ("undecided", _l("Not yet assessed")),
    ("grievances", _l("Grievances")),
    ("enquiries", _l("Enquiries")),
    ("reopened", _l("Reopened complaints")),
)


# The quarterly and annual views (kept in their own module for size), re-exported.
from estatedesk.reports.presenters_periods import ByMonthRow, MeasureRow, period_view  # noqa: E402

__all__ = ["ByMonthRow", "MeasureRow", "monthly_view", "period_view"]
