"""The demo company's reports and improvement actions for its replayed year (decision 0006).

After the complaint year is replayed, each ended month is drafted; heads submit their
reports a few days after month end with a short analysis written from the figures (the last
month is left as a draft for the visitor to write); the deputy GM reviews all but the most
recent, opening a corrective action where the on-time rate fell below 80 % or complaints
were reopened; actions run their course (older ones verified, one left overdue); customer
service publishes each ended quarter but the last. Everything goes through the services
under ``clock_at``, so times and timelines read as if it had happened. Safe to run twice:
it does nothing once a report has been submitted.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min

from estatedesk.complaints.models import Category, Complaint
from estatedesk.core.clock import clock_at, company_zone
from estatedesk.improvement import services as improvement
from estatedesk.improvement.models import Action, ActionStatus
from estatedesk.org.models import Role, Staff
from estatedesk.reports import services, services_periods, stats
from estatedesk.reports.figures import month_bounds, previous_month
from estatedesk.reports.models import MonthlyReport, QuarterlyAnalysis, ReportStatus, ReviewDecision
from estatedesk.reports.periods import quarter_of
from estatedesk.reports.snapshots import MonthSnapshot

log = logging.getLogger(__name__)


def _months(first: datetime, now: datetime) -> list[tuple[int, int]]:
    zone = company_zone()
    start = first.astimezone(zone)
    end = previous_month(*(lambda d: (d.year, d.month))(now.astimezone(zone)))
    months = []
    period = (start.year, start.month)
    while period <= end:
        months.append(period)
        period = (period[0] + 1, 1) if period[1] == 12 else (period[0], period[1] + 1)
    return months


def _rate_text(rate: stats.Rate) -> str:
    if not rate.denominator:
        return "—"
    return f"{100 * rate.numerator / rate.denominator:.0f}%"


def _analysis(report: MonthlyReport) -> str:
    f = MonthSnapshot.from_json(report.figures)
    top = "—"
    if f.category_pareto:
        code = f.category_pareto[0].key
        top = Category.objects.filter(code=code).values_list("name_zh_hans", flat=True).first() or code
    text = (
        f"本月本部门受理投诉{f.received}宗，其中有效{f.valid}宗、无效{f.invalid}宗；"
        f"准时回复率{_rate_text(f.rate('on_time'))}，回访满意率{_rate_text(f.rate('follow_up_satisfaction'))}。"
        f"投诉最多的类别为「{top}」。"
    )
    if f.reopened:
        text += f"有{f.reopened}宗因客户不满意而重新处理，需跟进原因。"
    return text + "下月将加强首次回复时效，并对重复投诉的客户逐一回访。"


def _needs_action(report: MonthlyReport) -> bool:
    f = MonthSnapshot.from_json(report.figures)
    on_time = f.rate("on_time")
    late = on_time.denominator and on_time.numerator < 0.8 * on_time.denominator
    return bool(late or f.reopened >= 3)


def _head(report: MonthlyReport) -> Staff | None:
    return (
        Staff.objects.filter(role=Role.DEPARTMENT_HEAD, departments=report.department, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )


def load_report_history(now: datetime) -> int:
    """Returns the number of monthly reports written; 0 when there was nothing to do."""
    if MonthlyReport.objects.exclude(status=ReportStatus.DRAFT).exists():
        return 0
    first = Complaint.objects.aggregate(first=Min("received_at"))["first"]
    deputy = Staff.objects.filter(role=Role.DEPUTY_GM, user__is_active=True).select_related("user").first()
    supervisor = (
        Staff.objects.filter(role=Role.CS_SUPERVISOR, user__is_active=True).select_related("user").first()
    )
    if first is None or deputy is None:
        return 0
    months = _months(first, now)
    written = 0
    for year, month in months:
        with transaction.atomic():
            reports = services.draft_month(year=year, month=month)
            if (year, month) == months[-1]:
                continue  # last month: the heads have not written theirs yet
            end = month_bounds(year, month)[1]
            for report in reports:
                head = _head(report)
                if head is None or not MonthSnapshot.from_json(report.figures).received:
                    continue
                with clock_at(end + timedelta(days=3, hours=10)):
                    report = services.submit(actor=head.user, report=report, analysis=_analysis(report))
                written += 1
                if (year, month) in months[-3:]:
                    continue  # the two most recent wait in the deputy GM's queue
                # The two latest reviewed months keep their actions open (one may be overdue).
                _review(report, deputy, supervisor, end, now, keep_open=(year, month) in months[-5:-3])
    _quarters(months, supervisor, now)
    services_periods.draft_year(year=now.astimezone(company_zone()).year - 1)
    log.info("demo reports: %d monthly reports submitted", written)
    return written


def _review(
    report: MonthlyReport,
    deputy: Staff,
    supervisor: Staff | None,
    end: datetime,
    now: datetime,
    *,
    keep_open: bool,
) -> None:
    reviewed_at = end + timedelta(days=8, hours=15)
    with clock_at(reviewed_at):
        if not _needs_action(report):
            services.review(
                actor=deputy.user, report=report, decision=ReviewDecision.NO_ACTION, note="已阅，继续保持。"
            )
            return
        figures = MonthSnapshot.from_json(report.figures)
        services.review(
            actor=deputy.user,
            report=report,
            decision=ReviewDecision.ACTIONS,
            note="回复时效和重开数偏高，请制定纠正措施。",
            new_action={
                "kind": "corrective",
                "title": f"{report.month}月投诉回复时效改善",
                "problem": f"准时回复率{_rate_text(figures.rate('on_time'))}，重开{figures.reopened}宗。",
            },
        )
        action = Action.objects.filter(source_report=report).latest("pk")
        improvement.analyse(
            actor=deputy.user,
            action=action,
            cause_analysis="值班交接不清，派工后无人跟进期限。",
            fishbone={
                "man": ["值班人员不熟悉流程"],
                "method": ["派工后无期限提醒"],
                "measurement": ["未按周统计逾期"],
            },
        )
        owner = _head(report) or deputy
        due = (reviewed_at + timedelta(days=30)).astimezone(company_zone()).date()
        step = improvement.add_step(
            actor=deputy.user,
            action=action,
            description="每周例会检查逾期投诉并通报",
            owner=owner,
            due_date=due,
        )
    finished_at = reviewed_at + timedelta(days=20)
    if keep_open or finished_at > now:
        return  # still being worked on (and perhaps overdue)
    with clock_at(finished_at):
        improvement.finish_step(actor=owner.user, step=step, result="已建立周例会逾期通报制度")
    verified_at = finished_at + timedelta(days=35)
    if verified_at > now or supervisor is None:
        return
    with clock_at(verified_at):
        improvement.verify(
            actor=supervisor.user, action=action, effective=True, note="其后一个月准时回复率回升至九成以上。"
        )
    assert Action.objects.get(pk=action.pk).status == ActionStatus.CLOSED


def _quarters(months: list[tuple[int, int]], supervisor: Staff | None, now: datetime) -> None:
    ended = sorted({(y, quarter_of(m)) for y, m in months if m % 3 == 0})
    for year, quarter in ended:
        with transaction.atomic():
            analysis: QuarterlyAnalysis = services_periods.draft_quarter(year=year, quarter=quarter)
            if supervisor is None or (year, quarter) == ended[-1]:
                continue
            end = month_bounds(year, quarter * 3)[1]
            with clock_at(end + timedelta(days=10, hours=9)):
                services_periods.publish_quarter(
                    actor=supervisor.user,
                    analysis=analysis,
                    text="本季度各部门投诉量平稳，维修和清洁类占比最高；请工程部和保洁部重点关注重复投诉的单元。",
                )
