"""The demo's survey analysis and decisions (SPEC S-9, I-1): last year's closed annual survey is
analysed by the deputy GM (a summary, the problem chosen with its fishbone), four improvement
suggestions go to the GM — two accepted (each opens a corrective action with an owner and a due
date; one is already done), one declined with a reason, one still awaiting the decision — and
this year's draft survey's "improvements since the last survey" is drafted from them.

Everything goes through the services, in the replayed past (``clock_at``) a few days after the
survey closed. Idempotent: a survey already analysed is left as it is (0 is returned).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction

from estatedesk.core.clock import clock_at, company_zone
from estatedesk.improvement import services as improvement
from estatedesk.improvement.models import Step
from estatedesk.notifications import services as notifications
from estatedesk.notifications.models import Message
from estatedesk.org.models import DepartmentKind, Role, Staff
from estatedesk.surveys.analysis import previous_survey
from estatedesk.surveys.models import Survey, SurveyAnalysis, SurveyKind, SurveyStatus
from estatedesk.surveys.services import analysis as services

log = logging.getLogger("estatedesk.demo")

__all__ = ["load_analysis"]

SUMMARY = (
    "本次调查整体满意率达到目标，但维修和清洁卫生两类低于质量目标。"
    "不满意原因按排列图统计，停车管理、清洁卫生和维修不及时居前三位，"
    "是下一年度改进的重点；本次选择“报修后维修不及时”用因果图分析。"
)
PROBLEM = "报修后维修不及时"
FISHBONE = {
    "man": ["夜间维修人员不足", "新员工不熟悉设备"],
    "machine": ["部分电梯使用超过十五年"],
    "material": ["常用备件库存不足"],
    "method": ["报修单在管理处和工程部之间转交环节多", "未规定到场时限"],
    "environment": ["高峰时段报修集中"],
    "measurement": ["未统计报修到场时间"],
}
# (title, text, department kind of the owner, what happens)
SUGGESTIONS = [
    (
        "维修报修两小时内到场",
        "制定报修到场时限：一般报修两小时内到场，紧急报修三十分钟内到场；工程部按月统计到场时间。",
        DepartmentKind.ENGINEERING,
        "accept_done",
    ),
    (
        "增加垃圾清运频次",
        "高层住宅楼垃圾每日清运两次，夏季增加一次；保洁部每周检查垃圾房卫生。",
        DepartmentKind.CLEANING,
        "accept",
    ),
    (
        "全面更换老旧电梯",
        "对使用超过十五年的电梯全部更换。",
        DepartmentKind.ENGINEERING,
        "decline",
    ),
    (
        "增设夜间巡逻岗",
        "各项目夜间增加一个巡逻岗，重点巡查地下车库。",
        DepartmentKind.SECURITY,
        "submit",
    ),
]
DECLINE_REASON = "费用需由业主大会表决，先安排电梯安全评估，评估后再议。"


def _one(role: str, **lookup: object) -> Staff | None:
    return (
        Staff.objects.filter(role=role, user__is_active=True, **lookup)
        .select_related("user")
        .order_by("pk")
        .first()
    )


def _head(kind: str) -> Staff | None:
    return _one(Role.DEPARTMENT_HEAD, departments__kind=kind, departments__active=True) or _one(
        Role.DEPARTMENT_HEAD
    )


def load_analysis(present: datetime) -> int:
    """Analyse the latest closed annual survey and decide its suggestions; the number of
    suggestions written (0 when there is nothing to do or it was done already)."""
    last = (
        Survey.objects.filter(kind=SurveyKind.ANNUAL, status=SurveyStatus.CLOSED)
        .order_by("-year", "-closed_at", "-pk")
        .first()
    )
    deputy, gm = _one(Role.DEPUTY_GM), _one(Role.GM)
    if last is None or deputy is None or gm is None or SurveyAnalysis.objects.filter(survey=last).exists():
        return 0
    closed = last.closed_at or present
    mark = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    written = 0
    with transaction.atomic():
        with clock_at(closed + timedelta(days=5)):
            services.save_analysis(
                actor=deputy.user,
                survey=last,
                summary=SUMMARY,
                problem=PROBLEM,
                fishbone=FISHBONE,
                based_on=0,
            )
        for n, (title, text, kind, fate) in enumerate(SUGGESTIONS):
            head = _head(kind)
            with clock_at(closed + timedelta(days=6, hours=n)):
                made = services.write_suggestion(actor=deputy.user, survey=last, title=title, text=text)
                written += 1
            with clock_at(closed + timedelta(days=7, hours=n)):
                services.submit_suggestion(actor=deputy.user, suggestion=made)
            decided_at = closed + timedelta(days=10, hours=n)
            if fate.startswith("accept") and head is not None:
                department = head.departments.filter(kind=kind).first() or head.departments.first()
                if department is None:
                    continue
                with clock_at(decided_at):
                    services.accept_suggestion(
                        actor=gm.user,
                        suggestion=made,
                        owner=head,
                        due_date=(decided_at + timedelta(days=60)).astimezone(company_zone()).date(),
                        department=department,
                    )
                if fate == "accept_done":
                    step = Step.objects.filter(action__source_suggestion=made).first()
                    if step is not None:
                        with clock_at(decided_at + timedelta(days=40)):
                            improvement.finish_step(
                                actor=head.user,
                                step=step,
                                result="已制定报修到场时限并在各管理处公示，工程部每月统计到场时间。",
                            )
            elif fate == "decline":
                with clock_at(decided_at):
                    services.decline_suggestion(actor=gm.user, suggestion=made, reason=DECLINE_REASON)
        # This year's draft survey tells the residents what was done (the deputy GM edits it).
        following = (
            Survey.objects.filter(kind=SurveyKind.ANNUAL, status__in=(SurveyStatus.DRAFT, SurveyStatus.DRAWN))
            .order_by("-year", "-pk")
            .first()
        )
        if following is not None and previous_survey(following) == last:
            with clock_at(min(present, following.created_at + timedelta(hours=1))):
                services.draft_improvements_from_last(
                    actor=deputy.user, survey=following, based_on=following.edit_version
                )
        ours = Message.objects.filter(id__gt=mark, created_at__lt=present)
        notifications.settle_replayed(ours, read=True, read_before=present)
    log.info("demo analysis: %s analysed, %d suggestions", last.number, written)
    return written
