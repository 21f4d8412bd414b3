"""The demo company's owners' forum (SPEC S-6, §7.3.4): last year's year-end forum.

Held in December of the year before the demo's present, with owners of two residential estates
and their owners' committees, seven opinions across the §7.3.1 categories with the company's
answers, and follow-ups: one done, one overdue by the present, one still open. Every record is
written through ``surveys.services.forums`` under the clock of the day it happened. Loading
twice loads it once (the forum's title and year find it).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from estatedesk.core.clock import clock_at, company_zone
from estatedesk.org.models import (
    CommitteeMember,
    Department,
    DepartmentKind,
    Estate,
    EstateKind,
    Occupancy,
    Role,
    Staff,
)
from estatedesk.surveys.models import Forum
from estatedesk.surveys.services import forums

log = logging.getLogger(__name__)

# The demo's residential estates first (翠湖花园, 金山苑), else any two residential estates.
PREFERRED = ("CHHY", "JSY")
OWNERS_PER_ESTATE = 3

# (category, opinion, answer, follow-up: None or (what to do, "done" | "overdue" | "open"))
OPINIONS: tuple[tuple[str, str, str, tuple[str, str] | None], ...] = (
    (
        "vehicles",
        "地下车库B区照明不足，晚上进出很暗，担心安全。",
        "管理处已检查线路，年底前将B区灯具全部更换为LED灯，并增加两处照明。",
        ("更换地下车库B区灯具并增设照明", "done"),
    ),
    (
        "repairs",
        "3栋电梯今年多次停运，报修后等待时间较长。",
        "已要求电梯维保单位加密保养，控制柜列入明年大修计划，报修后30分钟内到场。",
        ("3栋电梯控制柜大修，完成后书面告知业主", "overdue"),
    ),
    (
        "cleaning",
        "夏季垃圾桶清运不及时，部分楼栋门口有异味。",
        "自明年起夏季改为每日两次清运，垃圾桶每周冲洗消毒。",
        None,
    ),
    (
        "landscaping",
        "东门绿化带杂草较多，部分草坪裸露。",
        "绿化班组已增加除草频次，明年春季对裸露草坪进行补种。",
        ("东门绿化带裸露草坪春季补种", "open"),
    ),
    (
        "security",
        "晚上外来人员进出较随意，希望加强门岗管理。",
        "已要求夜间对外来人员逐一登记，并增加夜间巡逻次数。",
        None,
    ),
    (
        "community",
        "希望多组织一些老人和儿童能参加的社区活动。",
        "明年计划每季度组织一次社区活动，重阳节和儿童节举办专场活动。",
        None,
    ),
    (
        "convenience",
        "希望管理处提供代收快递和家政预约服务。",
        "管理处将在服务中心设置快递代收点，家政服务可通过服务中心电话预约。",
        None,
    ),
)


def _user(role: str, estate: Estate | None = None) -> AbstractBaseUser | None:
    rows = Staff.objects.filter(user__is_active=True, role=role).select_related("user").order_by("pk")
    if estate is not None:
        rows = rows.filter(departments__estate=estate, departments__kind=DepartmentKind.MANAGEMENT_OFFICE)
    staff = rows.first()
    return staff.user if staff is not None else None


def _estates() -> list[Estate]:
    found = list(Estate.objects.filter(code__in=PREFERRED, active=True).order_by("code"))
    if len(found) < 2:
        found = list(Estate.objects.filter(kind=EstateKind.RESIDENTIAL, active=True).order_by("pk")[:2])
    return sorted(found, key=lambda e: PREFERRED.index(e.code) if e.code in PREFERRED else 9)


def _office_staff(estate: Estate) -> Staff | None:
    office = Department.objects.filter(estate=estate, kind=DepartmentKind.MANAGEMENT_OFFICE).first()
    if office is None:
        return None
    rows = office.staff.filter(user__is_active=True).order_by("pk")
    return rows.filter(role=Role.DEPARTMENT_HEAD).first() or rows.first()


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=company_zone())


def title_of(year: int) -> str:
    return f"{year}年度业主座谈会"


def load_forums(present: datetime) -> int:
    """Last year's year-end forum; the number of forums loaded (0: already there, or no demo
    staff to hold it)."""
    local = present.astimezone(company_zone())
    year = local.year - 1
    if Forum.objects.filter(year=year, title=title_of(year)).exists():
        return 0
    supervisor = _user(Role.CS_SUPERVISOR)
    estates = _estates()
    if supervisor is None or len(estates) < 2:
        log.warning("demo forum not loaded: no customer-service supervisor or fewer than two estates")
        return 0
    held_on = date(year, 12, 20)
    while held_on.weekday() >= 5:  # a weekday afternoon
        held_on -= timedelta(days=1)
    today = local.date()
    with transaction.atomic():
        _load(supervisor, estates, held_on, today, year)
    log.info("demo forum loaded: %s", title_of(year))
    return 1


def _load(supervisor: AbstractBaseUser, estates: list[Estate], held_on: date, today: date, year: int) -> None:
    heads = [s for s in (_office_staff(e) for e in estates) if s is not None]
    chair = heads[0] if heads else None
    with clock_at(_at(held_on, 14, 0)):
        forum = forums.create_forum(
            actor=supervisor,
            title=title_of(year),
            estates=estates,
            held_on=held_on,
            place=f"{estates[0].name}会所多功能厅",
            chaired_by=chair,
            summary=(
                "年底公司邀请业主代表及业主委员会委员座谈，听取对全年服务质量的评价意见。"
                "业主就车辆、维修、清洁、绿化、治安、社区活动、便民服务等方面提出意见，"
                "公司逐条答复，需跟进的事项明确了负责人和完成期限。"
            ),
        )
        speakers = []
        for estate in estates:
            for member in CommitteeMember.objects.filter(estate=estate).order_by("pk")[:2]:
                speakers.append(
                    forums.add_participant(
                        actor=supervisor, forum=forum, kind="committee", committee_member=member
                    )
                )
            units = (
                Occupancy.objects.filter(unit__estate=estate, unit__occupied=True, relation="owner")
                .order_by("unit_id")
                .values_list("unit_id", flat=True)
                .distinct()[:OWNERS_PER_ESTATE]
            )
            for unit in units:
                speakers.append(
                    forums.add_participant(actor=supervisor, forum=forum, kind="owner", unit=unit)
                )
        for head in heads:
            forums.add_participant(actor=supervisor, forum=forum, kind="staff", staff=head)
        follow_ups = []
        for n, (category, text, answer, follow_up) in enumerate(OPINIONS):
            opinion = forums.record_opinion(
                actor=supervisor,
                forum=forum,
                text=text,
                category=category,
                raised_by=speakers[n % len(speakers)] if speakers else None,
                answer=answer,
            )
            if follow_up is None:
                continue
            what, state = follow_up
            due = _due(state, held_on, today)
            owner = heads[n % len(heads)] if heads else Staff.objects.get(user_id=supervisor.pk)
            follow_ups.append(
                (
                    forums.add_follow_up(
                        actor=supervisor,
                        forum=forum,
                        opinion=opinion,
                        description=what,
                        owner=owner,
                        due_date=due,
                    ),
                    state,
                )
            )
    for row, state in follow_ups:
        if state != "done":
            continue
        done_day = min(held_on + timedelta(days=12), today)
        with clock_at(_at(done_day, 16, 30)):
            forums.finish_follow_up(
                actor=row.owner.user,  # the owner records it done
                forum=forum,
                follow_up=row,
                result="B区共更换LED灯具42盏，新增照明2处，已在业主群公告。",
            )


def _due(state: str, held_on: date, today: date) -> date:
    """Done: a month after the forum. Overdue: past by the present (the end of March, or a week
    before the present when the demo is loaded sooner). Open: two months after the present."""
    if state == "done":
        return held_on + timedelta(days=30)
    if state == "overdue":
        return max(held_on, min(date(held_on.year + 1, 3, 31), today - timedelta(days=7)))
    return max(held_on, today) + timedelta(days=60)
