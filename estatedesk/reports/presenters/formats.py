"""How every report prints a figure, a name and a row (the monthly report, the quarter, the year).

Formats:
* a rate: "90.0% (45 / 50)"; "—" when nothing was counted (0 / 0 is not 0 %);
* a duration: hours with one decimal, "3.5 h";
* a change of a count: "+3", "−2", "0"; of a rate: percentage points, "+2.5 pp";
* repeat complainants are never shown by their key (a phone blind index or a name):
  "Complainant 1", "Complainant 2"… with their number of complaints and complaint numbers.

Names are looked up at display time with one query per kind of name (categories, estates,
departments, complaint numbers), never one per row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connections
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estatedesk.complaints.models import Category, Cause, Complaint
from estatedesk.core import i18n
from estatedesk.org import channels
from estatedesk.org.models import Department, Estate
from estatedesk.reports import stats
from estatedesk.reports.snapshots import ParetoEntry, RepeatEntry

DASH = "—"
MINUS = "\u2212"  # a real minus sign, not a hyphen

# A rate as stored (its JSON) or typed.
RateLike = stats.Rate | Mapping[str, int] | None


# --- formats -------------------------------------------------------------------------------


def rate_parts(rate: RateLike) -> tuple[int, int]:
    if not rate:
        return 0, 0
    if isinstance(rate, stats.Rate):
        return rate.numerator, rate.denominator
    return int(rate.get("numerator", 0)), int(rate.get("denominator", 0))


def rate_value(rate: RateLike) -> float | None:
    """The rate in percent, None when the denominator is 0."""
    numerator, denominator = rate_parts(rate)
    return 100 * numerator / denominator if denominator else None


def rate_text(rate: RateLike) -> str:
    numerator, denominator = rate_parts(rate)
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


def points_text(current: RateLike, previous: RateLike) -> str:
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


def count_text(value: int | None) -> str:
    return DASH if value is None else str(value)


def month_label(year: int, month: int) -> str:
    return i18n.month_label(year, month)


# --- names ---------------------------------------------------------------------------------

CAUSE_NAMES: dict[str, Any] = {**dict(Cause.choices), "": gettext_lazy("Not yet assessed")}


def channel_names() -> dict[str, str]:
    """Every channel's name in the reader's language, from the administrators' list (C-1)."""
    return channels.names()


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


def name_of(names: Mapping[Any, Any], key: Any) -> str:
    """The name of a code or an id (stored as text in JSON), else the key; "(none)" for none."""
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


@dataclass(frozen=True, slots=True)
class ComplaintLink:
    """One link of a repeat complainant's list: a busy month holds tens of thousands, so no
    ``__dict__`` each (slots: about a third of the size)."""

    number: str
    url: str


@dataclass(frozen=True)
class RepeatRow:
    label: str  # "Complainant 1": never the key
    count: int
    complaints: tuple[ComplaintLink, ...]


def breakdown_rows(counts: Mapping[str, int], names: Mapping[Any, Any]) -> list[BreakdownRow]:
    """Largest first (ties by name), the catch-all 其他 last as on the Pareto chart, with each
    row's share of the total."""
    total = sum(counts.values())
    rows = [BreakdownRow(str(k), name_of(names, k), n, share_text(n, total)) for k, n in counts.items() if n]
    return sorted(rows, key=lambda r: (r.key == stats.OTHER_KEY, -r.count, r.name))


def pareto_rows(
    rows: Sequence[ParetoEntry | Mapping[str, Any]], names: Mapping[Any, Any]
) -> list[ParetoLine]:
    entries = [r if isinstance(r, ParetoEntry) else ParetoEntry.from_json(r) for r in rows]
    return [
        ParetoLine(
            key=r.key,
            name=name_of(names, r.key),
            count=r.count,
            share=share_text(r.count, r.total),
            cumulative=share_text(r.cumulative_count, r.total),
            vital=r.vital,
        )
        for r in entries
    ]


def repeat_rows(repeats: Sequence[RepeatEntry]) -> list[RepeatRow]:
    numbers = _numbers({i for r in repeats for i in r.complaint_ids})
    detail = _detail_url()
    label = _("Complainant %(index)d")  # translated once: hundreds of rows (decision 0063)
    rows = []
    for index, repeat in enumerate(repeats, start=1):
        links = tuple(ComplaintLink(numbers[i], detail(i)) for i in repeat.complaint_ids if i in numbers)
        rows.append(RepeatRow(label % {"index": index}, repeat.count, links))
    return rows


def _numbers(ids: set[int]) -> dict[int, str]:
    """Complaint numbers by id, for the thousands of ids a busy month's repeat complainants list.

    Not ``pk__in``: Django's SQLite backend binds at most 999 parameters a statement and splits
    a longer list into ``id IN (…) OR id IN (…)``, which SQLite answered in 12–14 ms for 2,472
    ids at 100,000 complaints. The ids go as one parameter instead: a JSON array joined through
    ``json_each`` on SQLite (2–3 ms), an array with ``= ANY`` on PostgreSQL (decision 0063)."""
    if not ids:
        return {}
    connection = connections[Complaint.objects.db]
    table = connection.ops.quote_name(Complaint._meta.db_table)
    if connection.vendor == "sqlite":
        sql = f"SELECT c.id, c.number FROM json_each(%s) AS j JOIN {table} AS c ON c.id = j.value"  # noqa: S608 - the table's name from the model
        param: Any = json.dumps(sorted(ids))
    elif connection.vendor == "postgresql":
        sql = f"SELECT id, number FROM {table} WHERE id = ANY(%s)"  # noqa: S608 - the table's name from the model
        param = sorted(ids)
    else:  # another database: the portable query
        return dict(Complaint.objects.filter(pk__in=ids).values_list("pk", "number"))
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        return dict(cursor.fetchall())


def _detail_url() -> Callable[[int], str]:
    """A complaint's page address by id, the URL resolved once rather than once per link (a
    month can list thousands of repeat complainants' complaints)."""
    sentinel = 987654321987
    parts = reverse("complaints:detail", args=[sentinel]).split(str(sentinel))
    if len(parts) != 2:
        return lambda pk: reverse("complaints:detail", args=[pk])
    prefix, suffix = parts
    return lambda pk: f"{prefix}{pk}{suffix}"
