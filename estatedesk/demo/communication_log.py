"""The demo company's communication log (SPEC C-4, §7.1.10): a year of contacts per estate.

Each management office meets its owners' committee once a month (when the estate has one) and
talks with owners about parking, noise and renovation a couple of times a month; most contacts
agree a follow-up, which its owner records as done a few days before it is due. The follow-ups
of the last two months are partly still open, so a few are overdue at the present and show on
the home page. Every record is written through ``communication.services.log`` under the clock of
the moment it happened. Loading twice loads it once (an estate with contacts is left alone).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from estatedesk.communication.models import Contact
from estatedesk.communication.services import log
from estatedesk.core.clock import clock_at, company_zone
from estatedesk.org.models import (
    CommitteeMember,
    Department,
    DepartmentKind,
    Estate,
    Occupancy,
    Role,
    Staff,
)

logger = logging.getLogger(__name__)

MONTHS = 12
WRITERS = (Role.DEPARTMENT_HEAD, Role.HANDLER)

# (subject, what was said, the follow-up agreed, its result)
COMMITTEE_TOPICS: tuple[tuple[str, str, str, str], ...] = (
    (
        "业委会月度例会：停车位划线",
        "业委会反映地面停车位划线模糊，夜间乱停车较多。管理处介绍了重新划线方案和费用，业委会同意从公共收益中列支。",
        "联系施工单位完成地面停车位重新划线",
        "地面停车位已全部重新划线，并在业主群公告。",
    ),
    (
        "业委会月度例会：外墙清洗",
        "管理处通报外墙清洗计划，业委会要求提前一周张贴通知并避开雨季。",
        "张贴外墙清洗通知并确定施工日期",
        "通知已张贴，施工安排在本月第三周完成。",
    ),
    (
        "业委会月度例会：公共收益公示",
        "业委会要求按季度公示广告位和停车场公共收益，管理处同意在宣传栏和服务中心同时公示。",
        "整理本季度公共收益明细并公示",
        "公共收益明细已在宣传栏和服务中心公示。",
    ),
    (
        "业委会月度例会：电梯维保",
        "业委会关注3栋电梯故障较多，管理处通报维保单位整改情况，并承诺每月向业委会报送维保记录。",
        "向业委会报送上月电梯维保记录",
        "维保记录已书面报送业委会主任。",
    ),
    (
        "业委会月度例会：绿化改造",
        "业委会提出东门绿化带改造建议，管理处将出具改造方案和报价供业委会审议。",
        "出具东门绿化带改造方案和报价",
        "改造方案和报价已提交业委会，待下次例会审议。",
    ),
    (
        "业委会月度例会：消防演练",
        "管理处通报年度消防演练安排，业委会协助动员业主参加。",
        "发布消防演练通知并统计报名人数",
        "演练已完成，共86户业主参加。",
    ),
)

OWNER_TOPICS: tuple[tuple[str, str, str, str], ...] = (
    (
        "车位租赁咨询",
        "业主询问地下车位租赁价格和空余情况，管理处答复将核实空余车位后回复。",
        "核实空余车位并回复业主",
        "已电话告知业主空余车位和租赁价格，业主已办理租赁手续。",
    ),
    (
        "楼上装修噪音",
        "业主反映楼上装修在午休时间施工，噪音较大。管理处答复立即约谈装修户并加强巡查。",
        "约谈装修户，重申装修施工时间",
        "已约谈装修户并签署施工时间承诺书，业主表示满意。",
    ),
    (
        "装修申报手续",
        "业主咨询装修申报所需资料和押金，管理处当面说明流程并提供申报表。",
        "审核业主装修申报资料",
        "申报资料已审核通过，装修许可证已发放。",
    ),
    (
        "夜间广场舞噪音",
        "业主反映晚上9点后广场舞音响仍然较大，影响休息。管理处答复与活动组织者沟通。",
        "与广场舞组织者沟通音量和结束时间",
        "已与组织者约定晚上8点半前结束，音量调低。",
    ),
    (
        "访客车辆停放",
        "业主反映访客车辆登记手续繁琐，管理处介绍了线上预约登记方式。",
        "在业主群发布访客车辆线上登记指引",
        "指引已发布，业主反馈使用方便。",
    ),
)

CHANNELS_FOR_OWNERS = ("phone", "face_to_face", "wechat")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=company_zone())


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _writer(estate: Estate) -> Staff | None:
    office = Department.objects.filter(
        estate=estate, kind=DepartmentKind.MANAGEMENT_OFFICE, active=True
    ).first()
    if office is None:
        return None
    rows = office.staff.filter(user__is_active=True, role__in=WRITERS).order_by("pk")
    return rows.filter(role=Role.DEPARTMENT_HEAD).first() or rows.first()


def _colleagues(estate: Estate, writer: Staff) -> list[Staff]:
    others = log.people_of(estate).filter(role__in=WRITERS).exclude(pk=writer.pk).order_by("pk")
    return [writer, *list(others[:2])]


def _month_start(present: date, back: int) -> date:
    year, month = present.year, present.month - back
    while month <= 0:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def load_log(present: datetime) -> int:
    """A year of contacts for every estate with a management office and a writer in it; the
    number of contacts written (0: already loaded, or no office staff to write them)."""
    written = 0
    for estate in Estate.objects.filter(active=True).order_by("code"):
        if Contact.objects.filter(estate=estate).exists():
            continue
        writer = _writer(estate)
        if writer is None:
            logger.warning("demo communication log of %s not loaded: no office staff", estate.code)
            continue
        with transaction.atomic():
            written += _load_estate(estate, writer, present)
    logger.info("demo communication log loaded: %d contacts", written)
    return written


def _load_estate(estate: Estate, writer: Staff, present: datetime) -> int:
    local = present.astimezone(company_zone())
    today = local.date()
    office = Department.objects.filter(estate=estate, kind=DepartmentKind.MANAGEMENT_OFFICE).first()
    team = _colleagues(estate, writer)
    members = list(CommitteeMember.objects.filter(estate=estate).order_by("pk")[:3])
    occupied = Occupancy.objects.filter(unit__estate=estate).order_by("unit_id")
    # Owners first; an office building's tenants where nobody there is an owner.
    owners = list(
        occupied.filter(relation="owner").values_list("unit_id", flat=True).distinct()[:40]
    ) or list(occupied.values_list("unit_id", flat=True).distinct()[:40])
    user: AbstractBaseUser = writer.user
    plans: list[tuple[datetime, str, dict[str, object], tuple[str, str, str, str]]] = []
    for back in range(MONTHS - 1, -1, -1):
        start = _month_start(today, back)
        n = MONTHS - 1 - back
        if members:
            plans.append(
                (
                    _at(_weekday(start + timedelta(days=9)), 15),
                    "committee",
                    {"committee_members": [m.pk for m in members]},
                    COMMITTEE_TOPICS[n % len(COMMITTEE_TOPICS)],
                )
            )
        for k, day in enumerate((4, 18)):
            if not owners:
                break
            plans.append(
                (
                    _at(start + timedelta(days=day + (n % 3)), 10 + 4 * k, 30),
                    "owner",
                    {"unit": owners[(2 * n + k) % len(owners)], "channel": CHANNELS_FOR_OWNERS[(n + k) % 3]},
                    OWNER_TOPICS[(2 * n + k) % len(OWNER_TOPICS)],
                )
            )
    written = 0
    for index, (when, counterpart, extra, topic) in enumerate(plans):
        if when >= present:
            continue
        written += 1
        subject, said, agreed, result = topic
        channel = str(extra.pop("channel", "face_to_face"))
        due = when.date() + timedelta(days=14 if counterpart == "committee" else 5)
        owner = team[index % len(team)]
        with clock_at(when + timedelta(hours=1)):
            contact = log.record_contact_entry(
                actor=user,
                estate=estate,
                office=office,
                occurred_at=when,
                subject=subject,
                channel=channel,
                counterpart=counterpart,
                staff=[s.pk for s in team[:2]],
                summary=said,
                **extra,  # type: ignore[arg-type]
            )
            row = log.add_follow_up(
                actor=user, contact=contact, description=agreed, owner=owner, due_date=due
            )
        # Done two days before it is due, when that is past; in the last two months every third
        # one stays open, so a few are overdue at the present.
        done_day = due - timedelta(days=2)
        recent = (today - when.date()).days < 60
        if done_day >= today or (recent and index % 3 == 0):
            continue
        with clock_at(_at(done_day, 17)):
            log.finish_follow_up(actor=owner.user, contact=contact, follow_up=row, result=result)
    return written
