"""Every report figure, defined once (SPEC K-12, K-13, K-15, A-1).

The monthly report (``figures``), the quarter and the year (``periods``), the dashboard
(``dashboard``), the pages (``presenters``) and the exports count with these conditions and
divide with these pairs, so "on-time reply rate" cannot mean one thing on the dashboard and
another in the annual pack.

Counts
------
Each count is of complaints (kind complaint; grievances and enquiries are counted on their
own), each complaint in the month it was *received* (company time):

* received; valid (the company's own cause), invalid (any other cause), undecided (not yet
  assessed);
* replied (a first reply was made), on_time (the first reply was by the deadline);
* valid_visited (valid, with at least one follow-up visit);
* answered (the latest visit has an answer), satisfied (satisfied or very satisfied);
* reopened (reopened at least once by a dissatisfied visit).

Rates
-----
A rate is a pair of counts, kept whole ("45 / 50"), never a bare percentage:

* on-time reply rate = on_time / replied (unanswered complaints are not counted);
* follow-up coverage = valid_visited / valid;
* follow-up satisfaction = satisfied / answered (each complaint's latest answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from estatedesk.complaints.models import Kind, Visit
from estatedesk.reports import stats

COUNTS: tuple[str, ...] = (
    "received",
    "valid",
    "invalid",
    "undecided",
    "replied",
    "on_time",
    "valid_visited",
    "answered",
    "satisfied",
    "reopened",
)


def count_filters(extra: Q | None = None) -> dict[str, Q]:
    """The condition of each count, for ``Count("pk", filter=...)`` over complaint rows."""
    complaint = Q(kind=Kind.COMPLAINT)
    if extra is not None:
        complaint &= extra
    return {
        "received": complaint,
        "valid": complaint & Q(valid=True),
        "invalid": complaint & Q(valid=False),
        "undecided": complaint & Q(valid__isnull=True),
        "replied": complaint & Q(first_replied_at__isnull=False),
        "on_time": complaint & Q(first_replied_at__isnull=False, on_time=True),
        # In the one count that needs it: the visit lookup runs for valid complaints only.
        "valid_visited": complaint
        & Q(valid=True)
        & Q(Exists(Visit.objects.filter(complaint_id=OuterRef("pk")))),
        "answered": complaint & ~Q(satisfaction=""),
        "satisfied": complaint & Q(satisfaction__in=sorted(stats.SATISFIED_LEVELS)),
        "reopened": complaint & Q(reopen_count__gt=0),
    }


def from_month_tally(row: Mapping[str, Any]) -> dict[str, int]:
    """The counts of summed ``complaints.MonthTally`` columns of complaints (kind complaint):
    the triggers count each condition above, and the satisfaction answer level by level."""
    levels = {level: int(row.get(f"sat_{level}") or 0) for level in stats.SATISFACTION_LEVELS}
    counts = {
        name: int(row.get(name) or 0)
        for name in (
            "received",
            "valid",
            "invalid",
            "undecided",
            "replied",
            "on_time",
            "valid_visited",
            "reopened",
        )
    }
    counts["answered"] = sum(levels.values())
    counts["satisfied"] = sum(levels[level] for level in stats.SATISFIED_LEVELS)
    return counts


def satisfaction_from_month_tally(row: Mapping[str, Any]) -> dict[str, int]:
    """The latest answers level by level, as ``stats.satisfaction_rate`` reads them."""
    return {level: int(row.get(f"sat_{level}") or 0) for level in stats.SATISFACTION_LEVELS}


# Records of the other two kinds, counted beside the complaints.
OTHER_KINDS = {"grievances": Q(kind=Kind.GRIEVANCE), "enquiries": Q(kind=Kind.ENQUIRY)}


@dataclass(frozen=True)
class RatePair:
    """A rate as the pair of counts it divides."""

    name: str
    numerator: str
    denominator: str
    label: Any  # a lazy translation

    def of(self, counts: Mapping[str, int]) -> stats.Rate:
        return stats.Rate(int(counts.get(self.numerator, 0)), int(counts.get(self.denominator, 0)))


ON_TIME = RatePair("on_time", "on_time", "replied", _("On-time reply rate"))
FOLLOW_UP_COVERAGE = RatePair("follow_up_coverage", "valid_visited", "valid", _("Follow-up coverage"))
FOLLOW_UP_SATISFACTION = RatePair(
    "follow_up_satisfaction", "satisfied", "answered", _("Follow-up satisfaction")
)
RATES: tuple[RatePair, ...] = (ON_TIME, FOLLOW_UP_COVERAGE, FOLLOW_UP_SATISFACTION)
RATE_BY_NAME: dict[str, RatePair] = {r.name: r for r in RATES}


def rates(counts: Mapping[str, int]) -> dict[str, stats.Rate]:
    """The three rates of a set of counts (a month, a department, a period)."""
    return {r.name: r.of(counts) for r in RATES}


# How the counts are named in the reports, the pages and the workbooks.
LABELS: dict[str, Any] = {
    "received": _("Complaints received"),
    "valid": _("Valid complaints"),
    "invalid": _("Invalid complaints"),
    "undecided": _("Not yet assessed"),
    "grievances": _("Grievances"),
    "enquiries": _("Enquiries"),
    "reopened": _("Reopened complaints"),
    "open_at_end": _("Open items at month end"),
    "open_from_earlier": _("of which received before the month"),
    "repeat_complainants": _("Repeat complainants"),
    **{r.name: r.label for r in RATES},
    "median": _("Median time to reply"),
    "p90": _("90th percentile time to reply"),
}
