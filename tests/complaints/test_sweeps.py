"""Deadline sweeps (SPEC K-5): reminders before the reply is due, the head told when it passes.

The week of Monday 10 March 2025 is an ordinary working week; office hours are the
default 08:30-12:00, 13:30-17:30 (Asia/Shanghai).
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from estatedesk.complaints import papers, services, sweeps
from estatedesk.complaints.models import Complaint
from estatedesk.core.models import CompanySettings
from estatedesk.notifications.models import Channel, Message
from tests.complaints.conftest import at, record


def made_at(moment, world, *, assess_urgent: bool | None = None, **overrides) -> Complaint:
    """A complaint received at ``moment`` (recorded then), optionally assessed valid by handler_a."""
    with time_machine.travel(moment, tick=False):
        c = record(world, received_at=moment, **overrides)
        if assess_urgent is not None:
            c = services.assess(
                actor=world.users["handler_a"],
                complaint=c,
                cause="management",
                serious=False,
                urgent=assess_urgent,
            )
    c.refresh_from_db()
    return c


def reminders(c: Complaint, channel: str = Channel.IN_APP) -> list[Message]:
    return list(Message.objects.filter(key__startswith=f"{c.number}:remind:", channel=channel))


def overdue_notes(c: Complaint) -> list[Message]:
    return list(Message.objects.filter(key__startswith=f"{c.number}:overdue:", channel=Channel.IN_APP))


@pytest.fixture
def wide_window(world):
    """ "Due soon" a whole day ahead, so a reminder is due in the evening and at night too."""
    CompanySettings.objects.filter(pk=1).update(due_soon_hours=24)


# --- Reminders -----------------------------------------------------------------------------------


@pytest.mark.req("K-5")
def test_the_handler_is_reminded_once_before_the_deadline_when_the_sweep_runs_twice(world):
    handler = world.users["handler_a"]
    handler.email = "handler_a@example.com"
    handler.save()
    c = made_at(at(2025, 3, 10, 10, 0), world, assess_urgent=False)
    assert c.reply_due == at(2025, 3, 12, 17, 30)  # 2 working days, ending at close of business

    assert sweeps.remind_due(at(2025, 3, 12, 11, 0)) == 0  # more than 4 hours ahead
    assert sweeps.remind_due(at(2025, 3, 12, 14, 0)) == 1
    assert sweeps.remind_due(at(2025, 3, 12, 14, 1)) == 0

    sent = reminders(c)
    assert [m.user for m in sent] == [handler]
    assert c.number in sent[0].subject and "17:30" in sent[0].subject
    assert sent[0].link == reverse("complaints:detail", args=[c.pk])
    assert [m.address for m in reminders(c, Channel.EMAIL)] == ["handler_a@example.com"]
    c.refresh_from_db()
    assert c.reminder_sent_at == at(2025, 3, 12, 14, 0)


@pytest.mark.req("K-5")
def test_two_workers_that_read_the_same_complaint_remind_once(world):
    c = made_at(at(2025, 3, 10, 10, 0), world, assess_urgent=False)
    sweep = sweeps.Sweep.at(at(2025, 3, 12, 14, 0))
    first, second = sweeps.remind_candidates(sweep), sweeps.remind_candidates(sweep)
    assert [x.pk for x in first] == [x.pk for x in second] == [c.pk]  # both read it before either claimed
    assert [sweeps._remind(x, sweep) for x in first + second] == [True, False]
    assert len(reminders(c)) == 1


@pytest.mark.req("K-5")
def test_a_non_urgent_reminder_waits_for_office_hours(world, wide_window):
    # Received Friday: due Tuesday at close of business; "due soon" from Monday 17:30.
    c = made_at(at(2025, 3, 7, 10, 0), world, assess_urgent=False)
    assert c.reply_due == at(2025, 3, 11, 17, 30)
    for closed in (at(2025, 3, 10, 18, 0), at(2025, 3, 10, 22, 0), at(2025, 3, 11, 8, 0)):
        assert sweeps.remind_due(closed) == 0, closed
    assert reminders(c) == []
    assert sweeps.remind_due(at(2025, 3, 11, 8, 40)) == 1
    assert len(reminders(c)) == 1


@pytest.mark.req("K-5")
def test_a_reply_time_asked_for_on_monday_morning_is_reminded_when_the_office_opens(world, wide_window):
    c = made_at(at(2025, 3, 9, 20, 0), world, requested_reply_at=at(2025, 3, 10, 9, 0))
    assert (c.reply_due, c.due_basis) == (at(2025, 3, 10, 9, 0), "requested")
    assert sweeps.remind_due(at(2025, 3, 9, 22, 0)) == 0  # Sunday night: waits
    assert sweeps.remind_due(at(2025, 3, 10, 8, 0)) == 0  # an hour before, office still closed
    assert sweeps.remind_due(at(2025, 3, 10, 8, 40)) == 1
    # Not assessed yet, so no handler: the office's handlers are reminded.
    assert [m.user for m in reminders(c)] == [world.users["handler_a"]]


@pytest.mark.req("K-5")
def test_an_urgent_reminder_goes_out_at_once_even_at_three_in_the_morning(world):
    c = made_at(at(2025, 3, 11, 1, 10), world, assess_urgent=True)
    assert (c.reply_due, c.due_basis) == (at(2025, 3, 11, 3, 10), "urgent")
    assert sweeps.remind_due(at(2025, 3, 11, 2, 30)) == 0  # 40 minutes ahead: not yet
    assert sweeps.remind_due(at(2025, 3, 11, 3, 0)) == 1
    assert len(reminders(c)) == 1


@pytest.mark.req("K-5")
def test_a_requested_time_close_at_hand_is_reminded_at_night(world):
    c = made_at(at(2025, 3, 10, 19, 0), world, requested_reply_at=at(2025, 3, 10, 21, 0))
    assert sweeps.remind_due(at(2025, 3, 10, 20, 0)) == 0  # an hour ahead, office closed: waits
    assert sweeps.remind_due(at(2025, 3, 10, 20, 40)) == 1  # within the urgent window: at once
    assert len(reminders(c)) == 1


@pytest.mark.req("K-5")
def test_a_replied_complaint_is_neither_reminded_nor_reported(world):
    c = made_at(at(2025, 3, 10, 10, 0), world, assess_urgent=False)
    with time_machine.travel(at(2025, 3, 11, 9, 0), tick=False):
        services.reply(actor=world.users["handler_a"], complaint=c, content="已安排维修", manner="oral")
    assert sweeps.remind_due(at(2025, 3, 12, 14, 0)) == 0
    assert sweeps.notify_overdue(at(2025, 3, 13, 9, 0)) == 0
    assert reminders(c) == [] and overdue_notes(c) == []


# --- Overdue ---------------------------------------------------------------------------------------


@pytest.mark.req("K-5")
def test_the_department_head_is_told_once_when_a_deadline_passes_in_office_hours(world):
    c = made_at(at(2025, 3, 10, 10, 0), world, assess_urgent=False)
    assert sweeps.notify_overdue(at(2025, 3, 12, 17, 0)) == 0  # not passed yet
    assert sweeps.notify_overdue(at(2025, 3, 12, 18, 0)) == 0  # passed, but the office has closed
    assert sweeps.notify_overdue(at(2025, 3, 13, 8, 40)) == 1
    assert sweeps.notify_overdue(at(2025, 3, 13, 8, 41)) == 0
    told = overdue_notes(c)
    assert [m.user for m in told] == [world.users["office_head_a"]]  # head of the handling office
    assert "handler_a" in told[0].body


@pytest.mark.req("K-5")
def test_an_urgent_deadline_passing_at_night_is_reported_at_once(world):
    c = made_at(at(2025, 3, 11, 1, 10), world, assess_urgent=True)
    assert sweeps.notify_overdue(at(2025, 3, 11, 3, 11)) == 1
    assert [m.user for m in overdue_notes(c)] == [world.users["office_head_a"]]


@pytest.mark.req("K-5")
def test_without_a_department_head_the_deputy_gm_is_told(world):
    c = made_at(at(2025, 3, 10, 10, 0), world, assess_urgent=False, department=world.customer_service)
    assert sweeps.notify_overdue(at(2025, 3, 13, 9, 0)) == 1
    assert [m.user for m in overdue_notes(c)] == [world.users["deputy_gm"]]


@pytest.mark.req("K-5")
def test_an_overdue_work_notice_is_reported_to_the_responsible_head_once(world):
    with time_machine.travel(at(2025, 3, 10, 9, 0), tick=False):
        notice = papers.issue_notice(
            actor=world.users["deputy_gm"],
            department=world.engineering,
            task="更换3栋电梯控制板",
            due_at=at(2025, 3, 11, 10, 0),
        )
        done = papers.issue_notice(
            actor=world.users["deputy_gm"],
            department=world.engineering,
            task="检查水泵",
            due_at=at(2025, 3, 11, 10, 0),
        )
        papers.report_notice(actor=world.users["department_head"], notice=done, report="已检查")
    assert sweeps.notify_overdue(at(2025, 3, 11, 9, 59)) == 0
    assert sweeps.notify_overdue(at(2025, 3, 11, 11, 0)) == 1
    assert sweeps.notify_overdue(at(2025, 3, 11, 11, 1)) == 0
    told = Message.objects.filter(key__startswith=f"{notice.number}:overdue", channel=Channel.IN_APP)
    assert [m.user for m in told] == [world.users["department_head"]]
    assert told[0].link == reverse("complaints:notice_detail", args=[notice.pk])
    assert not Message.objects.filter(key__startswith=f"{done.number}:overdue").exists()


@pytest.mark.req("K-5")
def test_the_sweep_command_runs_both_sweeps_once(world):
    c = made_at(at(2025, 3, 11, 1, 10), world, assess_urgent=True)
    with time_machine.travel(at(2025, 3, 11, 3, 30), tick=False):
        assert timezone.now() > c.reply_due - timedelta(minutes=1)
        first, second = io.StringIO(), io.StringIO()
        call_command("sweep_deadlines", stdout=first)
        call_command("sweep_deadlines", stdout=second)
    assert "reminded: 1, overdue told: 1" in first.getvalue()
    assert "reminded: 0, overdue told: 0" in second.getvalue()
    assert len(reminders(c)) == 1
    assert len(overdue_notes(c)) == 1


@pytest.mark.req("K-5")
@pytest.mark.req("A-4")
def test_a_reminder_also_reaches_the_offices_wecom_group_once_when_the_company_has_one(world, settings):
    settings.NOTIFICATION_PROVIDERS = {**settings.NOTIFICATION_PROVIDERS, "wechat": "wecom"}
    settings.ESTATEDESK_WECOM_ROBOTS = "staff=group-robot-key"
    c = made_at(at(2025, 3, 10, 10, 0), world, assess_urgent=False)
    assert sweeps.remind_due(at(2025, 3, 12, 14, 0)) == 1
    assert sweeps.remind_due(at(2025, 3, 12, 14, 1)) == 0
    [group] = reminders(c, Channel.WECHAT)
    assert group.address == "staff" and c.number in group.subject
