"""The owners' forum (SPEC S-6, P-1): who organises, participants from the forum's estates,
opinions in order with their answers, follow-ups with an owner and a due date, done once."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from estatedesk.core.clock import company_today, company_zone
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound, StaleEdit
from estatedesk.surveys import forum_selectors
from estatedesk.surveys.models import ForumOpinion
from estatedesk.surveys.services import forums as svc
from tests.helpers import frozen_at
from tests.surveys.forums.helpers import committee_member, forum_of_a, full_forum, staff_of

S6 = pytest.mark.req("S-6")
pytestmark = pytest.mark.django_db


@S6
def test_a_forum_gets_its_number_and_the_head_of_the_office_organises_it(world):
    forum = forum_of_a(world)
    assert forum.number.startswith("FO")
    assert forum.year == 2026
    assert list(forum.estates.all()) == [world.estate_a]


@S6
@pytest.mark.req("P-1")
def test_only_organisers_of_the_estates_may_create(world, supervisor):
    with pytest.raises(NotAllowed):
        forum_of_a(world, "handler_a")
    with pytest.raises(NotAllowed):
        forum_of_a(world, "auditor")
    # The head of an engineering department is no head of the estate's management office.
    with pytest.raises(NotAllowed):
        forum_of_a(world, "department_head")
    with pytest.raises(InvalidInput) as refused:
        svc.create_forum(
            actor=world.users["office_head_a"],
            title="x",
            estates=[world.estate_a, world.estate_b],
            held_on=company_today(),
            place="会所",
        )
    assert refused.value.field == "estates"
    both = svc.create_forum(
        actor=supervisor,
        title="两个小区的座谈会",
        estates=[world.estate_a, world.estate_b],
        held_on=company_today(),
        place="公司会议室",
    )
    assert both.estates.count() == 2


@S6
def test_participants_come_from_the_forums_estates(world):
    forum = forum_of_a(world)
    actor = world.users["office_head_a"]
    owner = svc.add_participant(actor=actor, forum=forum, kind="owner", unit=world.unit_a)
    assert owner.customer == world.customer_a  # the occupant of the unit
    with pytest.raises(InvalidInput) as twice:
        svc.add_participant(actor=actor, forum=forum, kind="owner", unit=world.unit_a)
    assert twice.value.field == "unit"
    with pytest.raises(InvalidInput):
        svc.add_participant(actor=actor, forum=forum, kind="owner", unit=world.unit_b)
    member = svc.add_participant(
        actor=actor, forum=forum, kind="committee", committee_member=committee_member(world)
    )
    assert member.committee_member.position == "业委会主任"
    colleague = svc.add_participant(
        actor=actor, forum=forum, kind="staff", staff=staff_of(world, "handler_a")
    )
    other = svc.add_participant(actor=actor, forum=forum, kind="other", name="社区居委会 张主任")
    with pytest.raises(InvalidInput):
        svc.add_participant(actor=actor, forum=forum, kind="other", name="  ")
    svc.record_opinion(actor=actor, forum=forum, text="意见", raised_by=member)
    with pytest.raises(InvalidInput):
        svc.remove_participant(actor=actor, forum=forum, participant=member)
    svc.remove_participant(actor=actor, forum=forum, participant=colleague)
    assert {p.pk for p in forum.participants.all()} == {owner.pk, member.pk, other.pk}


@S6
def test_opinions_are_numbered_and_answered_with_their_version(world):
    forum, _follow_up = full_forum(world)
    first, second = ForumOpinion.objects.filter(forum=forum).order_by("position")
    assert (first.position, second.position) == (1, 2)
    assert second.answer == "明年一季度在中心花园增设。"
    with pytest.raises(InvalidInput):
        svc.record_opinion(actor=world.users["office_head_a"], forum=forum, text="x", category="overall")
    actor = world.users["office_head_a"]
    svc.answer_opinion(actor=actor, forum=forum, opinion=first, based_on=0, answer="本月内更换灯具。")
    with pytest.raises(StaleEdit) as stale:
        svc.answer_opinion(
            actor=world.users["deputy_gm"], forum=forum, opinion=first, based_on=0, answer="另一个答复"
        )
    assert stale.value.current == {"answer": "本月内更换灯具。"}
    first.refresh_from_db()
    assert first.answer == "本月内更换灯具。"


@S6
def test_a_follow_up_is_due_today_at_the_earliest_and_done_once_by_its_owner(world):
    forum, follow_up = full_forum(world)
    opinion = follow_up.opinion
    with pytest.raises(InvalidInput) as past:
        svc.add_follow_up(
            actor=world.users["office_head_a"],
            forum=forum,
            opinion=opinion,
            description="x",
            owner=staff_of(world, "handler_a"),
            due_date=company_today() - timedelta(days=1),
        )
    assert past.value.field == "due_date"
    with pytest.raises(NotAllowed):
        svc.finish_follow_up(
            actor=world.users["colleague_a"], forum=forum, follow_up=follow_up, result="done"
        )
    done = svc.finish_follow_up(
        actor=world.users["handler_a"], forum=forum, follow_up=follow_up, result="已更换12盏灯"
    )
    assert done.done_at is not None and done.done_by_name
    with pytest.raises(AlreadyHandled):
        svc.finish_follow_up(
            actor=world.users["office_head_a"], forum=forum, follow_up=follow_up, result="again"
        )


@S6
def test_a_late_follow_up_is_overdue_by_the_days_past_its_due_date(world):
    forum, follow_up = full_forum(world)
    later = follow_up.due_date + timedelta(days=3)
    with frozen_at(datetime.combine(later, time(10), tzinfo=company_zone())):
        rows, count = forum_selectors.overdue_follow_ups(world.users["handler_a"])
        assert count == 1 and rows[0].days == 3
        listed = forum_selectors.forum_rows(world.users["handler_a"]).get(pk=forum.pk)
        assert (listed.open_count, listed.overdue_count, listed.opinion_count) == (1, 1, 2)
        assert forum_selectors.overdue_follow_ups(world.users["handler_b"]) == ([], 0)


@S6
@pytest.mark.req("P-1")
def test_a_handler_of_another_estate_finds_nothing(world):
    forum, follow_up = full_forum(world)
    assert forum_selectors.get_forum(world.users["handler_b"], forum.pk) is None
    with pytest.raises(NotFound):
        svc.finish_follow_up(actor=world.users["handler_b"], forum=forum, follow_up=follow_up, result="x")
    assert forum_selectors.get_forum(world.users["handler_a"], forum.pk) == forum
