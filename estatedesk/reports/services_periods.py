"""Writes of the quarterly analysis (K-13) and the annual summary (K-15, I-2).

Both are keyed by period (a unique constraint on year+quarter, on year), drafted by the
period jobs with figures refreshed while a draft, and frozen when published (issued). Each
step is a transition of ``workflow.QUARTERLY`` or ``workflow.ANNUAL`` and writes its timeline
event (``events``). Catching up after the laptop was off drafts each missing period exactly once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from estatedesk.core.actors import SYSTEM, Actor
from estatedesk.core.clock import company_today, company_zone
from estatedesk.core.clock import now as clock_now
from estatedesk.core.errors import InvalidInput, NotAllowed
from estatedesk.core.i18n import in_company_language
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import Workflow, lock
from estatedesk.improvement.models import Action, ActionStatus
from estatedesk.improvement.workflow import NOT_CLOSED
from estatedesk.notifications.services import tell
from estatedesk.org.models import Staff
from estatedesk.reports import events
from estatedesk.reports.figures import month_bounds
from estatedesk.reports.models import AnnualSummary, MonthlyReport, QuarterlyAnalysis, ReportStatus
from estatedesk.reports.periods import months_of_quarter, months_of_year, period_figures, quarter_of
from estatedesk.reports.selectors import as_deputy_gm, writes_quarterly
from estatedesk.reports.services import snapshot
from estatedesk.reports.workflow import ANNUAL, QUARTERLY, check, require
from estatedesk.surveys import annual as annual_surveys
from estatedesk.surveys import annual_review

Period = TypeVar("Period", QuarterlyAnalysis, AnnualSummary)

__all__ = [
    "catch_up_periods",
    "draft_quarter",
    "draft_year",
    "edit_quarter",
    "publish_annual",
    "publish_quarter",
    "quarter_figures",
    "year_figures",
]


def _previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def quarter_figures(year: int, quarter: int) -> dict[str, Any]:
    current = snapshot(period_figures(months_of_quarter(year, quarter)))
    previous = snapshot(period_figures(months_of_quarter(*_previous_quarter(year, quarter))))
    return {"current": current, "previous_totals": previous["totals"]}


def _actions_summary(start: datetime, end: datetime) -> dict[str, Any]:
    opened = Action.objects.filter(opened_at__gte=start, opened_at__lt=end)
    open_statuses = list(NOT_CLOSED)
    totals = opened.aggregate(
        opened=Count("pk"),
        corrective=Count("pk", filter=Q(kind="corrective")),
        preventive=Count("pk", filter=Q(kind="preventive")),
        closed_effective=Count("pk", filter=Q(status=ActionStatus.CLOSED)),
        still_open=Count("pk", filter=Q(status__in=open_statuses)),
        overdue_at_end=Count("pk", filter=Q(status__in=open_statuses, next_due__lt=end.date())),
        verified_ineffective_once=Count("pk", filter=Q(verifications__effective=False), distinct=True),
    )
    by_source = {r["source"]: r["n"] for r in opened.values("source").annotate(n=Count("pk")).order_by()}
    return {**totals, "by_source": by_source}


def _monthly_reports_summary(year: int) -> dict[str, int]:
    reports = MonthlyReport.objects.filter(year=year)
    return reports.aggregate(
        drafted=Count("pk"),
        submitted=Count("pk", filter=~Q(status=ReportStatus.DRAFT)),
        reviewed=Count("pk", filter=Q(status=ReportStatus.REVIEWED)),
        decided_actions=Count("pk", filter=Q(decision="actions")),
    )


def year_figures(year: int) -> dict[str, Any]:
    current = snapshot(period_figures(months_of_year(year)))
    previous = snapshot(period_figures(months_of_year(year - 1)))
    start, end = month_bounds(year, 1)[0], month_bounds(year, 12)[1]
    return {
        "current": current,
        "previous_totals": previous["totals"],
        "actions": _actions_summary(start, end),
        "monthly_reports": _monthly_reports_summary(year),
        # The year's closed annual satisfaction survey (S-7, I-2) as counts; None: none closed.
        "surveys": annual_surveys.year_json(year),
        # The year's consultations, half-years, forums and decided suggestions (S-4 … S-9, I-2).
        "review": annual_review.review_json(year, company_today()),
    }


def _draft(
    model: type[Period], flow: Workflow, key: dict[str, int], figures: dict[str, Any], actor: Actor
) -> Period:
    final = flow.final
    existing = model.objects.filter(**key).first()
    if existing is not None and existing.status in final:
        return existing
    now = clock_now()
    try:
        with transaction.atomic():
            record, created = model.objects.get_or_create(
                **key,
                defaults={"figures": figures, "drafted_at": now, "status": flow.get("draft").result("")},
            )
            if created:
                events.figures_drafted(record, actor)
    except IntegrityError:
        record, created = model.objects.get(**key), False
    if created:
        return record
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=record.pk)
        if locked.status not in final and locked.figures != figures:
            locked.figures = figures
            locked.drafted_at = now
            locked.save(update_fields=["figures", "drafted_at"])
    return locked


def draft_quarter(*, year: int, quarter: int, actor: Actor = SYSTEM) -> QuarterlyAnalysis:
    """Draft a quarter, or refresh its draft's figures; ``actor`` is who asked (the job: the system)."""
    return _draft(
        QuarterlyAnalysis,
        QUARTERLY,
        {"year": year, "quarter": quarter},
        quarter_figures(year, quarter),
        actor,
    )


def draft_year(*, year: int, actor: Actor = SYSTEM) -> AnnualSummary:
    return _draft(AnnualSummary, ANNUAL, {"year": year}, year_figures(year), actor)


def catch_up_periods(now: datetime) -> list[QuarterlyAnalysis | AnnualSummary]:
    """Draft each ended quarter and year not yet drafted (and refresh the latest drafts)."""
    today = now.astimezone(company_zone()).date()
    current_quarter = (today.year, quarter_of(today.month))
    target_quarter = _previous_quarter(*current_quarter)
    last_q = QuarterlyAnalysis.objects.order_by("-year", "-quarter").values_list("year", "quarter").first()
    period = last_q if last_q is not None and last_q <= target_quarter else target_quarter
    made: list[QuarterlyAnalysis | AnnualSummary] = []
    while period <= target_quarter:
        made.append(draft_quarter(year=period[0], quarter=period[1]))
        period = (period[0] + 1, 1) if period[1] == 4 else (period[0], period[1] + 1)
    target_year = today.year - 1
    last_year = AnnualSummary.objects.order_by("-year").values_list("year", flat=True).first()
    year = last_year if last_year is not None and last_year <= target_year else target_year
    while year <= target_year:
        made.append(draft_year(year=year))
        year += 1
    return made


def _period_ended(end: datetime) -> None:
    if clock_now() < end:
        raise InvalidInput(_("The period is not over yet; publish it after it ends."))


def _quarter_writer(actor: Actor, step: str, refusal: Any) -> Any:
    """The customer-service supervisor, or the head of a customer-service department."""
    staff = require(actor, QUARTERLY.get(step), refusal)
    if not writes_quarterly(actor):
        raise NotAllowed(refusal)
    return staff


def _locked_quarter(analysis: QuarterlyAnalysis | int) -> QuarterlyAnalysis:
    # Not scoped: the analysis is company-wide; who may write it is each step's rule.
    return lock(QuarterlyAnalysis.objects.all(), analysis if isinstance(analysis, int) else analysis.pk)


def _locked_year(summary: AnnualSummary | int) -> AnnualSummary:
    return lock(AnnualSummary.objects.all(), summary if isinstance(summary, int) else summary.pk)


@transaction.atomic
def edit_quarter(
    *, actor: Actor, analysis: QuarterlyAnalysis | int, text: str, based_on: int | None = None
) -> QuarterlyAnalysis:
    """Save the draft text. ``based_on``: the ``edit_version`` it was written on (decision 0011);
    a text saved by a colleague since is not replaced (``StaleEdit``). Publishing likewise."""
    locked = _locked_quarter(analysis)
    staff = _quarter_writer(
        actor, "save_analysis", _("The quarterly analysis is written by the customer-service department.")
    )
    check(
        QUARTERLY,
        QUARTERLY.get("save_analysis"),
        locked.status,
        str(locked),
        done=_("This quarterly analysis has already been published."),
    )
    take_edit(locked, based_on, current={"analysis": locked.analysis})
    locked.analysis = text.strip()
    locked.edited_by = staff
    locked.edited_at = clock_now()
    locked.save(update_fields=["analysis", "edited_by", "edited_at", EDIT_VERSION])
    events.analysis_saved(locked, actor)
    return locked


@transaction.atomic
def publish_quarter(
    *, actor: Actor, analysis: QuarterlyAnalysis | int, text: str, based_on: int | None = None
) -> QuarterlyAnalysis:
    """Publish to every department: figures are computed one last time and frozen."""
    locked = _locked_quarter(analysis)
    transition = QUARTERLY.get("publish")
    staff = _quarter_writer(
        actor, "publish", _("The quarterly analysis is published by the customer-service department.")
    )
    check(
        QUARTERLY,
        transition,
        locked.status,
        str(locked),
        done=_("This quarterly analysis has already been published."),
    )
    take_edit(locked, based_on, current={"analysis": locked.analysis})
    if not text.strip():
        raise InvalidInput(_("Write the analysis before publishing."), field="analysis")
    months = months_of_quarter(locked.year, locked.quarter)
    _period_ended(month_bounds(*months[-1])[1])
    now = clock_now()
    before = locked.status
    locked.figures = quarter_figures(locked.year, locked.quarter)
    locked.analysis = text.strip()
    locked.status = transition.result(before)
    locked.published_by = locked.edited_by = staff
    locked.published_at = locked.edited_at = locked.drafted_at = now
    locked.save()
    events.published(locked, actor, from_status=before)
    _announce_quarter(locked)
    return locked


def _announce_quarter(analysis: QuarterlyAnalysis) -> None:
    users = [
        s.user
        for s in Staff.objects.filter(user__is_active=True).exclude(role="admin").select_related("user")
    ]
    with in_company_language():
        tell(
            users,
            key=f"quarterly-published:{analysis.pk}",
            subject=str(
                _("Quarterly complaint analysis %(year)d Q%(quarter)d published")
                % {"year": analysis.year, "quarter": analysis.quarter}
            ),
            body="",
            link=reverse("reports:quarterly_detail", args=[analysis.pk]),
        )


@transaction.atomic
def publish_annual(
    *, actor: Actor, summary: AnnualSummary | int, text: str, based_on: int | None = None
) -> AnnualSummary:
    locked = _locked_year(summary)
    transition = ANNUAL.get("issue")
    refusal = _("The annual summary is issued by the deputy general manager.")
    staff = require(actor, transition, refusal)
    acting = as_deputy_gm(actor)
    if acting is None:
        raise NotAllowed(refusal)
    check(
        ANNUAL, transition, locked.status, str(locked), done=_("This annual summary has already been issued.")
    )
    take_edit(locked, based_on, current={"summary": locked.summary})
    if not text.strip():
        raise InvalidInput(_("Write the summary before issuing it."), field="summary")
    _period_ended(month_bounds(locked.year, 12)[1])
    now = clock_now()
    before = locked.status
    locked.figures = year_figures(locked.year)
    locked.summary = text.strip()
    locked.status = transition.result(before)
    locked.published_by = staff
    locked.published_at = locked.drafted_at = now
    locked.save()
    events.issued(locked, actor, from_status=before, acting_for=acting)
    return locked


@transaction.atomic
def save_annual_text(
    *, actor: Actor, summary: AnnualSummary | int, text: str, based_on: int | None = None
) -> AnnualSummary:
    """Save the draft summary; ``based_on`` as in ``edit_quarter`` (the deputy GM and the GM
    may both write it)."""
    locked = _locked_year(summary)
    transition = ANNUAL.get("save_summary")
    refusal = _("The annual summary is written by the deputy general manager.")
    require(actor, transition, refusal)
    acting = as_deputy_gm(actor)
    if acting is None:
        raise NotAllowed(refusal)
    check(
        ANNUAL, transition, locked.status, str(locked), done=_("This annual summary has already been issued.")
    )
    take_edit(locked, based_on, current={"summary": locked.summary})
    locked.summary = text.strip()
    locked.save(update_fields=["summary", EDIT_VERSION])
    events.summary_saved(locked, actor, acting_for=acting)
    return locked
