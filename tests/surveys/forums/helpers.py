"""A forum of estate A with an owner, a committee member, opinions and follow-ups."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from estatedesk.core.clock import company_today
from estatedesk.org.models import CommitteeMember, Staff
from estatedesk.surveys.models import Forum
from estatedesk.surveys.services import forums as svc


def forum_of_a(world: Any, who: str = "office_head_a", **extra: Any) -> Forum:
    return svc.create_forum(
        actor=world.users[who],
        title="2026年度业主座谈会",
        estates=[world.estate_a],
        held_on=extra.pop("held_on", date(2026, 12, 1)),
        place="翠湖花园会所二楼",
        **extra,
    )


def committee_member(world: Any) -> CommitteeMember:
    return CommitteeMember.objects.create(estate=world.estate_a, name="李建国", position="业委会主任")


def staff_of(world: Any, persona: str) -> Staff:
    return Staff.objects.get(user=world.users[persona])


def full_forum(world: Any, who: str = "office_head_a") -> tuple[Forum, Any]:
    """The forum with an owner and a committee member, two opinions (one answered) and a
    follow-up owned by handler_a due in a week."""
    actor = world.users[who]
    forum = forum_of_a(world, who)
    owner = svc.add_participant(actor=actor, forum=forum, kind="owner", unit=world.unit_a)
    member = svc.add_participant(
        actor=actor, forum=forum, kind="committee", committee_member=committee_member(world)
    )
    first = svc.record_opinion(
        actor=actor, forum=forum, text="地下车库照明不足，晚上很暗。", category="vehicles", raised_by=owner
    )
    svc.record_opinion(
        actor=actor,
        forum=forum,
        text="希望增加儿童游乐设施。",
        category="community",
        raised_by=member,
        answer="明年一季度在中心花园增设。",
    )
    follow_up = svc.add_follow_up(
        actor=actor,
        forum=forum,
        opinion=first,
        description="更换车库B区灯具",
        owner=staff_of(world, "handler_a"),
        due_date=company_today() + timedelta(days=7),
    )
    return forum, follow_up
