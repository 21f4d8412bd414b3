"""What the PDF and the workbook of a report share: titles, file names, the year's corrective /
preventive actions, and rates as numbers (SPEC A-3, K-12, K-13, K-15, I-2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from estatedesk.improvement.models import Action, ActionStatus, Source, Verification
from estatedesk.reports import measures, stats


# File names are ASCII: they go into a Content-Disposition header unencoded.
def monthly_filename(report: Any) -> str:
    return f"monthly-report-{report.year}-{report.month:02d}-dept{report.department_id}"


def quarterly_filename(analysis: Any) -> str:
    return f"quarterly-analysis-{analysis.year}-Q{analysis.quarter}"


def annual_filename(summary: Any) -> str:
    return f"annual-summary-{summary.year}"


# --- shared by both formats ------------------------------------------------------------------


def monthly_title() -> str:
    return _("Monthly complaint report")


def quarterly_title() -> str:
    return _("Quarterly complaint analysis")


def annual_title() -> str:
    # Translators: the annual complaint summary is also the management-review pack (I-2)
    return _("Annual complaint summary and management-review pack")


def annual_short_title() -> str:
    return _("Annual complaint summary")


def quarter_label(year: int, quarter: int) -> str:
    return _("%(year)d Q%(quarter)d") % {"year": year, "quarter": quarter}


def year_label(year: int) -> str:
    return _("Year %(year)d") % {"year": year}


def ratio(numerator: int | None, denominator: int | None) -> float | None:
    """A fraction in [0, 1] for a spreadsheet's % format; None when nothing was counted."""
    if not denominator or numerator is None:
        return None
    return numerator / denominator


def rate_ratio(rate: stats.Rate | None) -> float | None:
    return None if rate is None else rate.value


def period_rate(counts: Mapping[str, int] | None, name: str) -> float | None:
    """A rate of ``measures`` over a period's (or a month's, a department's) counts."""
    if not counts:
        return None
    return measures.RATE_BY_NAME[name].of(counts).value


@dataclass(frozen=True)
class ActionRow:
    number: str
    kind: str
    source: str
    title: str
    department: str
    status: str
    opened_at: datetime
    verified: str  # effective / not effective / not yet verified
    effective: bool | None


def action_rows(start: datetime, end: datetime) -> list[ActionRow]:
    """The corrective / preventive actions opened in [start, end), as they stand now (I-2).

    One query: the latest verification's verdict comes from a subquery, not one query per row.
    """
    latest = Verification.objects.filter(action=OuterRef("pk")).order_by("-verified_at", "-pk")
    actions = (
        Action.objects.filter(opened_at__gte=start, opened_at__lt=end)
        .select_related("department")
        .annotate(last_effective=Subquery(latest.values("effective")[:1]))
        .order_by("opened_at", "pk")
    )
    rows = []
    for a in actions:
        effective: bool | None = a.last_effective
        if a.status == ActionStatus.CLOSED:
            effective = True  # an action closes only on an effective verification
        if effective is True:
            verified = _("Verified effective")
        elif effective is False:
            verified = _("Verified not effective: back to work")
        else:
            verified = _("Not yet verified")
        rows.append(
            ActionRow(
                number=a.number,
                kind=a.get_kind_display(),
                source=a.get_source_display(),
                title=a.title,
                department=a.department.name,
                status=a.get_status_display(),
                opened_at=a.opened_at,
                verified=str(verified),
                effective=effective,
            )
        )
    return rows


def source_names() -> dict[str, str]:
    return {value: str(label) for value, label in Source.choices}
