"""Reports as printable HTML and PDF (SPEC A-3, K-12, K-13, K-15, I-2).

The PDF is the HTML print view run through WeasyPrint (``core.pdf``), so both
always show the same thing. Charts are drawn on the server by ``reports.charts`` as SVG
(text as outlines) and embedded as ``data:`` images: they need no font and no JavaScript,
pass the print view's Content-Security-Policy, and keep each chart's ids to itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from estatedesk.core import pdf as printing
from estatedesk.core import policy
from estatedesk.core.clock import company_now, company_zone
from estatedesk.core.models import CompanySettings
from estatedesk.reports import charts, measures, presenters
from estatedesk.reports.exports import common
from estatedesk.reports.services import live_differs
from estatedesk.reports.snapshots import PeriodSnapshot

log = logging.getLogger(__name__)


def _url(name: str, pk: int) -> str:
    """A page of the report, when the view exists (the print view works without it)."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _printer(request: HttpRequest) -> str:
    staff = policy.staff_of(request.user)
    return staff.display_name if staff else request.user.get_username()


def _chart(svg: str, title: str) -> dict[str, str]:
    return {"src": charts.data_uri(svg), "title": title}


def _pareto_chart(rows: Sequence[presenters.ParetoLine], title: str) -> dict[str, str] | None:
    if not rows:
        return None
    # The page's heading above names the chart; a second title inside it would only repeat it.
    svg = charts.pareto_svg(
        [r.name for r in rows],
        [r.count for r in rows],
        [r.vital for r in rows],
        title="",
        count_label=_("Complaints"),
        cumulative_label=_("Cumulative %"),
    )
    return _chart(svg, title)


def _common(
    request: HttpRequest, *, kind: str, pk: int, pdf: bool, title: str, short_title: str, period: str
) -> dict[str, Any]:
    return {
        "company": CompanySettings.load().name,
        "report_title": title,
        "short_title": short_title,
        "period": period,
        "printed_at": company_now(),
        "printed_by": _printer(request),
        "pdf": pdf,
        "back_url": _url(f"reports:{kind}_detail", pk),
        "pdf_url": _url(f"reports:{kind}_pdf", pk),
        "xlsx_url": _url(f"reports:{kind}_xlsx", pk),
    }


def _render(template: str, context: dict[str, Any], request: HttpRequest) -> str:
    with timezone.override(company_zone()):
        return render_to_string(template, context, request=request)


def _pdf(html: str, context: Mapping[str, Any], request: HttpRequest) -> bytes:
    # Short: the page number shares the footer line, and the running head names the report.
    parts = [context["short_title"], context["period"]]
    if context.get("department") and context.get("report") is not None:
        parts.append(context["department"])
    footer = _("%(report)s · printed %(time)s by %(person)s") % {
        "report": " · ".join(str(p) for p in parts),
        "time": timezone.localtime(context["printed_at"], company_zone()).strftime("%Y-%m-%d %H:%M"),
        "person": context["printed_by"],
    }
    try:
        return printing.render_for(request, html, footer=footer)
    except OSError as exc:  # Pango or its fonts broken at run time: the print view still works
        log.exception("PDF of %s %s failed", context["report_title"], context["period"])
        raise printing.PdfUnavailable(str(exc)) from exc


# --- monthly (K-12) ----------------------------------------------------------------------------


def monthly_context(report: Any, *, request: HttpRequest, pdf: bool) -> dict[str, Any]:
    view = presenters.monthly_view(report)
    context = _common(
        request,
        kind="monthly",
        pk=report.pk,
        pdf=pdf,
        title=common.monthly_title(),
        short_title=common.monthly_title(),
        period=view["period"],
    )
    context.update(
        report=report,
        view=view,
        department=view["department"],
        live_differs=live_differs(report),
        category_chart=_pareto_chart(view["category_pareto"], _("Complaints by category (Pareto)")),
        cause_chart=_pareto_chart(view["cause_pareto"], _("Complaints by cause (Pareto)")),
        unassessed=view["figures"].by_cause.get("", 0),
        actions=list(report.improvement_actions.select_related("department").order_by("opened_at", "pk"))
        if report.decision
        else [],
    )
    return context


def monthly_html(report: Any, *, request: HttpRequest, pdf: bool) -> str:
    return _render("reports/print/monthly.html", monthly_context(report, request=request, pdf=pdf), request)


def monthly_pdf(report: Any, *, request: HttpRequest) -> bytes:
    if not printing.pdf_available():
        raise printing.PdfUnavailable
    context = monthly_context(report, request=request, pdf=True)
    return _pdf(_render("reports/print/monthly.html", context, request), context, request)


# --- quarterly (K-13) and annual (K-15, I-2) ---------------------------------------------------------


def _bounds(view: Mapping[str, Any]) -> tuple[datetime, datetime] | None:
    figures: PeriodSnapshot = view["figures"]
    if figures.start is None or figures.end is None:
        return None
    return figures.start, figures.end


def _short_months(view: Mapping[str, Any]) -> list[str]:
    """Column heads for a year of months: the month's number (the table says "month")."""
    return [str(m) for _y, m in view["figures"].months]


def _trend_charts(view: Mapping[str, Any], *, year: bool) -> list[dict[str, str]]:
    rows = view["by_month"]
    if not rows:
        return []
    months = _short_months(view) if year else view["months"]
    counts = {
        _("Complaints received"): [r.received_so_far for r in rows],
        _("Valid complaints"): [r.valid_so_far for r in rows],
    }
    title = _("Complaints by month")
    counts_svg = (
        charts.lines_svg(months, counts, title=title)
        if year
        else charts.bars_svg(months, counts, title=title)
    )
    rates_title = _("On-time replies and follow-up satisfaction by month")
    rates_svg = charts.lines_svg(
        months,
        {
            _("On-time reply rate"): [r.on_time_value for r in rows],
            _("Follow-up satisfaction"): [r.satisfaction_value for r in rows],
        },
        title=rates_title,
        percent=True,
    )
    return [_chart(counts_svg, title), _chart(rates_svg, rates_title)]


def _period_context(view: Mapping[str, Any], *, year: bool) -> dict[str, Any]:
    return {
        "view": view,
        "short_months": _short_months(view) if year else view["months"],
        "trend_charts": _trend_charts(view, year=year),
        "category_chart": _pareto_chart(view["category_pareto"], _("Complaints by category (Pareto)")),
        "cause_chart": _pareto_chart(view["cause_pareto"], _("Complaints by cause (Pareto)")),
        "unassessed": view["figures"].by_cause.get("", 0),
    }


def quarterly_context(analysis: Any, *, request: HttpRequest, pdf: bool) -> dict[str, Any]:
    view = presenters.period_view(analysis.figures)
    context = _common(
        request,
        kind="quarterly",
        pk=analysis.pk,
        pdf=pdf,
        title=common.quarterly_title(),
        short_title=common.quarterly_title(),
        period=common.quarter_label(analysis.year, analysis.quarter),
    )
    context.update(_period_context(view, year=False), analysis=analysis, department=_("All departments"))
    return context


def quarterly_html(analysis: Any, *, request: HttpRequest, pdf: bool) -> str:
    return _render(
        "reports/print/quarterly.html", quarterly_context(analysis, request=request, pdf=pdf), request
    )


def quarterly_pdf(analysis: Any, *, request: HttpRequest) -> bytes:
    if not printing.pdf_available():
        raise printing.PdfUnavailable
    context = quarterly_context(analysis, request=request, pdf=True)
    return _pdf(_render("reports/print/quarterly.html", context, request), context, request)


def _satisfaction_chart(view: Mapping[str, Any]) -> dict[str, str] | None:
    rows = view["by_month"]
    if not rows:
        return None
    title = _("Follow-up satisfaction and coverage by month")
    figures_by_month: Sequence[Mapping[str, int]] = view["figures"].by_month
    coverage = [
        None if v is None else 100 * v
        for v in (measures.FOLLOW_UP_COVERAGE.of(c).value for c in figures_by_month)
    ]
    svg = charts.lines_svg(
        _short_months(view),
        {
            _("Follow-up satisfaction"): [r.satisfaction_value for r in rows],
            _("Follow-up coverage"): coverage,
        },
        title=title,
        percent=True,
    )
    return _chart(svg, title)


def _survey_tables(view: Mapping[str, Any]) -> list[tuple[str, list[Any], bool]]:
    """The year's survey by category and by estate; each estate with its return-rate rule in words."""
    found = view.get("survey_figures")
    if found is None:
        return []
    return [(_("By category"), found.categories, False), (_("By estate"), found.estates, True)]


def annual_context(summary: Any, *, request: HttpRequest, pdf: bool) -> dict[str, Any]:
    view = presenters.period_view(summary.figures)
    context = _common(
        request,
        kind="annual",
        pk=summary.pk,
        pdf=pdf,
        title=common.annual_title(),
        short_title=common.annual_short_title(),
        period=common.year_label(summary.year),
    )
    actions = view["actions"] or {}
    sources = common.source_names()
    bounds = _bounds(view)
    context.update(
        _period_context(view, year=True),
        summary=summary,
        department=_("All departments"),
        satisfaction_chart=_satisfaction_chart(view),
        satisfaction_rows=list(zip(view["by_month"], view["figures"].by_month, strict=False)),
        action_summary=actions,
        actions_by_source=sorted(
            ((sources.get(k, k), n) for k, n in (actions.get("by_source") or {}).items()),
            key=lambda kv: -kv[1],
        ),
        action_rows=common.action_rows(*bounds) if bounds else [],
        monthly_reports=view["monthly_reports"] or {},
        survey_tables=_survey_tables(view),
    )
    return context


def annual_html(summary: Any, *, request: HttpRequest, pdf: bool) -> str:
    return _render("reports/print/annual.html", annual_context(summary, request=request, pdf=pdf), request)


def annual_pdf(summary: Any, *, request: HttpRequest) -> bytes:
    if not printing.pdf_available():
        raise printing.PdfUnavailable
    context = annual_context(summary, request=request, pdf=True)
    return _pdf(_render("reports/print/annual.html", context, request), context, request)
