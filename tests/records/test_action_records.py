"""Corrective and preventive actions on the records floor (SPEC D-1, D-2, D-3; decision 0047):
closed actions go two years after closing with their steps, verifications, timeline and
history; what they point at stays and its pages still answer; a person's name and phone
number leave the actions' texts on request."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from estatedesk.core import crypto
from estatedesk.improvement import services
from estatedesk.improvement.models import Action, ActionEvent, ActionStatus, Source, Step, Verification
from estatedesk.org.models import Unit
from estatedesk.records import periods
from estatedesk.records.registry import Disposal, record_type
from estatedesk.records.subjects import Subject, sources
from estatedesk.reports import services_periods
from estatedesk.surveys.models import HalfYearStatistics
from estatedesk.surveys.services import half_year as half_year_svc
from tests.complaints.conftest import at, record
from tests.conftest import World
from tests.helpers import frozen_at
from tests.records.traces import traces
from tests.surveys.half_year.data import consultation

D1, D2, D3 = pytest.mark.req("D-1"), pytest.mark.req("D-2"), pytest.mark.req("D-3")
pytestmark = pytest.mark.django_db

CUTOFF = periods.cutoff(at(2026, 3, 11, 9, 0), 24, ZoneInfo("Asia/Shanghai"))


def _closed(world: World, closed_at: Any, **extra: Any) -> Action:
    """An action run to the end: analysed, one step done, verified effective at ``closed_at``."""
    fields: dict[str, Any] = {
        "actor": world.users["deputy_gm"],
        "kind": "corrective",
        "source": Source.COMPLAINT,
        "source_complaint": record(world),
        "title": "电梯反复停运",
        "problem": "3栋电梯一个月内停运三次",
    }
    fields.update(extra)
    with frozen_at(closed_at.replace(year=closed_at.year - 1)):
        action = services.open_action(**fields)
        services.analyse(
            actor=world.users["deputy_gm"],
            action=action,
            cause_analysis="保养不到位",
            fishbone={"machine": "门机"},
        )
        step = services.add_step(
            actor=world.users["deputy_gm"],
            action=action,
            description="更换门机",
            owner=world.users["handler_a"].staff,
            due_date=date(closed_at.year, 1, 1),
        )
        services.finish_step(actor=world.users["handler_a"], step=step, result="已更换")
    with frozen_at(closed_at):
        return services.verify(actor=world.users["gm"], action=action, effective=True, note="无再停运")


def _ids(cutoff: Any = CUTOFF) -> set[int]:
    kind = record_type("improvement_actions")
    assert kind is not None
    return set(kind.past_retention(cutoff).values_list("pk", flat=True))


@D1
@D2
def test_an_action_closed_one_day_past_retention_goes_with_everything_that_belongs_to_it(
    world: World,
) -> None:
    gone = _closed(world, at(2024, 3, 10, 23, 59))
    kept = _closed(world, at(2024, 3, 11, 0, 0))
    with frozen_at(at(2023, 1, 5, 9, 0)):
        running = services.open_action(
            actor=world.users["deputy_gm"],
            kind="preventive",
            source=Source.INSPECTION,
            source_reference="巡检",
            title="消防通道",
            problem="堆放杂物",
            department=world.office_a,
        )
    kind = record_type("improvement_actions")
    assert kind is not None and kind.disposal == Disposal.DELETE
    assert _ids() == {gone.pk}

    batch = kind.archive([gone.pk])
    (nested,) = batch.records
    assert nested["number"] == gone.number and nested["source_record"] == gone.source_complaint.number
    assert [s["result"] for s in nested["steps"]] == ["已更换"]
    assert [v["effective"] for v in nested["verifications"]] == [True]
    assert {e["kind"] for e in nested["events"]} >= {"opened", "verified_effective"}
    assert batch.csv_rows[0][:2] == [gone.pk, gone.number]
    assert batch.csv_rows[0][7] == at(2024, 3, 10, 23, 59).astimezone(UTC).isoformat()
    assert kind.labels([gone.pk]) == {gone.pk: f"{gone.number} 电梯反复停运"}
    assert kind.find is not None and kind.find(gone.number) == gone.pk

    summary = services_periods.draft_year(year=2024)
    frozen = dict(summary.figures["actions"])
    complaint = gone.source_complaint

    assert kind.dispose([gone.pk]) == 1
    assert kind.dispose([gone.pk]) == 0  # already gone: skipped
    assert not Action.objects.filter(pk=gone.pk).exists()
    assert not Action.history.model.objects.filter(id=gone.pk).exists()
    assert not Step.objects.filter(action_id=gone.pk).exists()
    assert not Step.history.model.objects.filter(action_id=gone.pk).exists()
    assert not Verification.objects.filter(action_id=gone.pk).exists()
    assert not ActionEvent.objects.filter(action_id=gone.pk).exists()
    assert set(Action.objects.values_list("pk", flat=True)) == {kept.pk, running.pk}
    assert running.status == ActionStatus.OPEN

    # The annual pack's counts stay as stored; the complaint it came from still opens.
    summary.refresh_from_db()
    assert summary.figures["actions"] == frozen
    page = world.client("gm").get(reverse("reports:annual_detail", args=[summary.pk]))
    assert page.status_code == 200
    complaint_page = world.client("deputy_gm").get(reverse("complaints:detail", args=[complaint.pk]))
    assert complaint_page.status_code == 200


@D1
@D2
def test_half_year_statistics_wait_for_the_action_opened_from_their_line(world: World) -> None:
    found = [
        Unit.objects.create(
            estate=world.estate_a, building=world.building_a, number=f"H{i:03d}", occupied=True
        )
        for i in range(4)
    ]
    consultation(
        world.building_a,
        date(2023, 9, 1),
        found,
        {"cleaning": [(False, "垃圾没有及时清运")] * 4},
        office=world.office_a,
    )
    stats = half_year_svc.compute_half_year(
        actor=world.users["handler_a"], office=world.office_a, year=2023, half=2
    )
    line = stats.lines.get(kind="below_target")
    action = _closed(
        world,
        at(2024, 3, 10, 10, 0),
        source=Source.HALF_YEAR_STATISTICS,
        source_complaint=None,
        source_half_year_line=line,
        department=world.office_a,
    )
    half_year_svc.sign_off(actor=world.users["deputy_gm"], statistics=stats)
    HalfYearStatistics.objects.filter(pk=stats.pk).update(signed_at=at(2024, 1, 5, 9, 0))
    statistics = record_type("half_year_statistics")
    assert statistics is not None
    assert (
        set(statistics.past_retention(CUTOFF).values_list("pk", flat=True)) == set()
    )  # the action points at it

    actions = record_type("improvement_actions")
    assert actions is not None and action.pk in _ids()
    assert actions.dispose([action.pk]) == 1
    page = world.client("deputy_gm").get(reverse("surveys:half_year_detail", args=[stats.pk]))
    assert page.status_code == 200  # the line no longer links to an action, and the page still reads
    assert set(statistics.past_retention(CUTOFF).values_list("pk", flat=True)) == {stats.pk}


def _subject(customer: Any) -> Subject:
    phone = crypto.normalise_phone(customer.phone)
    return Subject(
        customer_ids=frozenset({customer.pk}),
        names=frozenset({customer.name}),
        phones=frozenset({phone}),
        phone_indexes=frozenset({crypto.blind_index(phone)}),
        unit_ids=frozenset(customer.units.values_list("pk", flat=True)),
        label=crypto.mask_name(customer.name),
    )


@D3
def test_a_persons_name_and_phone_leave_the_actions_and_their_history(world: World) -> None:
    a, b = world.customer_a, world.customer_b
    mine = _closed(
        world,
        at(2026, 6, 1, 9, 0),
        problem=f"{a.name}（{a.phone}）反映电梯停运",
    )
    Step.objects.filter(action=mine).update(result=f"已电话告知{a.name}")
    services.analyse(
        actor=world.users["deputy_gm"],
        action=_open_again(world, a),
        cause_analysis=f"{a.name}家门口",
        fishbone={},
    )
    theirs = _closed(
        world,
        at(2026, 6, 2, 9, 0),
        source_complaint=record(world, "handler_b", customer=b, unit=world.unit_b, estate=world.estate_b),
        problem="写字楼空调",
    )
    source = {s.key: s for s in sources()}["improvement"]
    copy = [value for section in source.collect(_subject(a)) for e in section.entries for _label, value in e]
    assert mine.number + " 电梯反复停运" in copy and not any(theirs.number in v for v in copy)
    before = [t for t in traces(names=[a.name], phones=[a.phone]) if t.startswith("improvement.")]
    assert any(t.startswith("improvement.historicalaction.problem") for t in before)

    source.erase(_subject(a), at(2026, 12, 1, 9, 0))

    assert [t for t in traces(names=[a.name], phones=[a.phone]) if t.startswith("improvement.")] == []
    mine.refresh_from_db()
    assert mine.problem.endswith("反映电梯停运") and a.name not in mine.problem
    assert world.client("deputy_gm").get(reverse("improvement:detail", args=[mine.pk])).status_code == 200


def _open_again(world: World, customer: Any) -> Action:
    return services.open_action(
        actor=world.users["deputy_gm"],
        kind="preventive",
        source=Source.FORUM,
        source_reference=f"座谈会 {customer.name}",
        title="楼道照明",
        problem="楼道灯不亮",
        department=world.office_a,
    )
