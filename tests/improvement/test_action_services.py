"""Corrective and preventive actions through their services (SPEC I-1)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound
from estatedesk.improvement import services
from estatedesk.improvement.models import ActionStatus, Source
from estatedesk.improvement.selectors import action_scope, overdue
from estatedesk.notifications.models import Message
from tests.complaints.conftest import at, record
from tests.helpers import frozen_at

pytestmark = [pytest.mark.django_db, pytest.mark.req("I-1")]


def _open(world: Any, **overrides: Any) -> Any:
    complaint = overrides.pop("complaint", None) or record(world)
    fields: dict[str, Any] = {
        "actor": world.users["deputy_gm"],
        "kind": "corrective",
        "source": Source.COMPLAINT,
        "source_complaint": complaint,
        "title": "電梯反覆停運",
        "problem": "3栋电梯一個月內停運三次",
    }
    fields.update(overrides)
    return services.open_action(**fields)


def test_an_action_runs_from_problem_to_verified_effective(world: Any) -> None:
    with frozen_at(at(2026, 5, 4, 9, 0)):
        action = _open(world)
        assert action.status == ActionStatus.OPEN
        assert action.department == action.source_complaint.department
        assert action.estate == world.estate_a
        services.analyse(
            actor=world.users["deputy_gm"],
            action=action,
            cause_analysis="維保單位保養不到位",
            fishbone={"machine": "曳引機老化\n門機故障", "method": ["保養週期過長"], "man": []},
        )
        step = services.add_step(
            actor=world.users["deputy_gm"],
            action=action,
            description="更換門機",
            owner=world.users["handler_a"].staff,
            due_date=date(2026, 5, 20),
        )
    action.refresh_from_db()
    assert action.fishbone == {"machine": ["曳引機老化", "門機故障"], "method": ["保養週期過長"]}
    assert action.status == ActionStatus.IN_PROGRESS
    assert action.next_due == date(2026, 5, 20)
    assert Message.objects.filter(user=world.users["handler_a"], key__startswith="capa-step:").exists()

    with frozen_at(at(2026, 5, 18, 9, 0)):
        services.finish_step(actor=world.users["handler_a"], step=step, result="已更換")
    action.refresh_from_db()
    assert action.status == ActionStatus.VERIFYING
    assert action.next_due is None

    with frozen_at(at(2026, 6, 18, 9, 0)):
        services.verify(actor=world.users["deputy_gm"], action=action, effective=False, note="6月仍停運一次")
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS  # back to work: a new step is needed

    with frozen_at(at(2026, 6, 18, 10, 0)):
        second = services.add_step(
            actor=world.users["deputy_gm"],
            action=action,
            description="更換維保單位",
            owner=world.users["handler_a"].staff,
            due_date=date(2026, 7, 1),
        )
        services.finish_step(actor=world.users["handler_a"], step=second, result="已換")
    with frozen_at(at(2026, 8, 1, 9, 0)):
        closed = services.verify(actor=world.users["gm"], action=action, effective=True, note="7月無停運")
    assert closed.status == ActionStatus.CLOSED
    assert closed.closed_at == at(2026, 8, 1, 9, 0)
    assert [v.effective for v in closed.verifications.all()] == [False, True]
    with pytest.raises(AlreadyHandled):
        services.verify(actor=world.users["gm"], action=action, effective=True, note="again")


def test_verification_waits_for_every_step(world: Any) -> None:
    with frozen_at(at(2026, 5, 4, 9, 0)):
        action = _open(world)
        services.add_step(
            actor=world.users["deputy_gm"],
            action=action,
            description="更換門機",
            owner=world.users["handler_a"].staff,
            due_date=date(2026, 5, 20),
        )
        with pytest.raises(InvalidInput):
            services.verify(actor=world.users["deputy_gm"], action=action, effective=True, note="ok")


def test_who_may_do_what(world: Any) -> None:
    complaint = record(world)
    with pytest.raises(NotAllowed):
        _open(world, actor=world.users["handler_a"], complaint=complaint)
    action = _open(world, actor=world.users["office_head_a"], complaint=complaint)
    # The handler sees it (their estate) but does not run it, nor verify it.
    with pytest.raises(NotAllowed):
        services.analyse(actor=world.users["handler_a"], action=action, cause_analysis="x")
    with pytest.raises(NotFound):  # estate B's handler does not even see it
        services.analyse(actor=world.users["handler_b"], action=action, cause_analysis="x")
    assert not action_scope(world.users["handler_b"]).filter(pk=action.pk).exists()
    assert action_scope(world.users["handler_a"]).filter(pk=action.pk).exists()
    with pytest.raises(NotAllowed):
        services.verify(
            actor=world.users["office_head_a"], action=action, effective=True, note="自己驗證自己"
        )


def test_the_source_must_be_a_record_in_the_openers_scope(world: Any) -> None:
    complaint_b = record(
        world, persona="handler_b", estate=world.estate_b, unit=world.unit_b, customer=world.customer_b
    )
    with pytest.raises(InvalidInput) as refused:
        _open(world, actor=world.users["office_head_a"], complaint=complaint_b)
    assert refused.value.field == "source_complaint"
    with pytest.raises(InvalidInput) as wrong_kind:
        _open(world, source=Source.GRIEVANCE)
    assert wrong_kind.value.field == "source_complaint"
    with pytest.raises(InvalidInput) as no_reference:
        services.open_action(
            actor=world.users["deputy_gm"],
            kind="preventive",
            source=Source.INSPECTION,
            title="巡檢",
            problem="消防通道堆物",
            department=world.office_a,
        )
    assert no_reference.value.field == "source_reference"


def test_bad_fishbones_are_refused(world: Any) -> None:
    action = _open(world)
    with pytest.raises(InvalidInput):
        services.analyse(
            actor=world.users["deputy_gm"], action=action, cause_analysis="", fishbone={"weather": ["雨"]}
        )
    with pytest.raises(InvalidInput):
        services.analyse(
            actor=world.users["deputy_gm"],
            action=action,
            cause_analysis="",
            fishbone={"man": [f"c{i}" for i in range(9)]},
        )
    with pytest.raises(InvalidInput):
        services.analyse(actor=world.users["deputy_gm"], action=action, cause_analysis=" ", fishbone={})


def test_an_action_is_overdue_the_day_after_its_next_step_is_due(world: Any) -> None:
    with frozen_at(at(2026, 5, 4, 9, 0)):
        action = _open(world)
        services.add_step(
            actor=world.users["deputy_gm"],
            action=action,
            description="更換門機",
            owner=world.users["handler_a"].staff,
            due_date=date(2026, 5, 20),
        )
    scope = action_scope(world.users["deputy_gm"])
    assert not overdue(scope, date(2026, 5, 20)).exists()
    assert list(overdue(scope, date(2026, 5, 21))) == [action]
    with frozen_at(at(2026, 5, 4, 9, 0)), pytest.raises(InvalidInput):
        services.add_step(
            actor=world.users["deputy_gm"],
            action=action,
            description="過去的",
            owner=world.users["handler_a"].staff,
            due_date=date(2026, 5, 1),
        )


def test_yesterday_in_company_time_is_in_the_past_even_before_8_am(world: Any) -> None:
    # 07:00 on 2 March in Shanghai is still 1 March in UTC.
    with frozen_at(at(2026, 3, 2, 7, 0)):
        action = _open(world)
        with pytest.raises(InvalidInput) as refused:
            services.add_step(
                actor=world.users["deputy_gm"],
                action=action,
                description="昨天到期",
                owner=world.users["handler_a"].staff,
                due_date=date(2026, 3, 1),
            )
    assert refused.value.field == "due_date"


def test_a_step_owner_must_be_a_colleague_in_scope(world: Any) -> None:
    action = _open(world, actor=world.users["office_head_a"])
    with pytest.raises(InvalidInput) as refused:
        services.add_step(
            actor=world.users["office_head_a"],
            action=action,
            description="交給別的項目的人",
            owner=world.users["handler_b"].staff,
            due_date=date(2099, 1, 1),
        )
    assert refused.value.field == "owner"
