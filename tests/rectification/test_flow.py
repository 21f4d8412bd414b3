"""The rectification item's life cycle through its services (SPEC R-1 … R-4, P-1, K-17)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from estatedesk.core.clock import company_today
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound
from estatedesk.notifications.models import Message
from estatedesk.rectification import selectors
from estatedesk.rectification.models import Item, ItemPhoto, Source
from estatedesk.rectification.services import items as item_services
from estatedesk.rectification.services import resident, rounds, routing
from estatedesk.rectification.services.items import ItemInput
from estatedesk.rectification.services.resident_messages import link_of_unit
from estatedesk.rectification.workflow import ITEM
from tests.rectification.conftest import photo

pytestmark = pytest.mark.django_db


@pytest.mark.req("R-2")
def test_items_of_one_unit_are_numbered_with_the_reports_estate_and_source(rect):
    made = item_services.add_items(
        actor=rect.world.users["handler_a"],
        report=rect.report,
        rows=[
            ItemInput(
                location="主卧",
                description="墙面裂缝",
                category="walls",
                unit=rect.world.unit_a,
                photos=[photo()],
            ),
            ItemInput(location="厨房", description="水龙头滴水", category="plumbing", unit=rect.world.unit_a),
        ],
    )
    assert [i.estate_id for i in made] == [rect.world.estate_a.pk] * 2
    assert {i.source for i in made} == {Source.HANDOVER}
    assert made[0].number != made[1].number and made[0].number.startswith("ZX-")
    assert made[0].reporter_name == "handler_a" and made[0].round == 1
    assert ItemPhoto.objects.filter(item=made[0], stage="reported", round=1).count() == 1


@pytest.mark.req("R-2")
def test_a_bad_row_names_its_field_and_nothing_is_recorded(rect):
    with pytest.raises(InvalidInput) as refused:
        item_services.add_items(
            actor=rect.world.users["handler_a"],
            report=rect.report,
            rows=[
                ItemInput(location="主卧", description="墙面裂缝", category="walls", unit=rect.world.unit_a),
                ItemInput(location="厨房", description="", category="plumbing", unit=rect.world.unit_a),
            ],
        )
    assert refused.value.field == "items-1-description"
    assert not Item.objects.exists()
    with pytest.raises(InvalidInput) as other_estate:
        rect.item(unit=rect.world.unit_b)
    assert other_estate.value.field == "unit"


@pytest.mark.req("R-3", "R-4")
def test_an_item_refused_by_the_resident_goes_to_round_two_with_the_round_kept(rect):
    item = rect.walk(rect.item(), "res_check")
    token = link_of_unit(rect.world.unit_a.pk).token
    resident.object_to(
        token=token, item_id=item.pk, objection="裂缝仍在，颜色不一致", photos=[photo("still.jpg")]
    )
    item.refresh_from_db()
    assert item.round == 2 and item.status == "dev_review"
    assert item.objection == "裂缝仍在，颜色不一致"
    assert ItemPhoto.objects.filter(item=item, stage="objection", round=2).count() == 1
    rect.walk(item, "res_check")
    resident.accept(token=token, item_id=item.pk, signed_name="王小明")
    item.refresh_from_db()
    assert (item.status, item.round, item.acceptance_method) == ("accepted", 2, "typed")
    rounds_seen = list(item.events.values_list("round", flat=True))
    assert rounds_seen[0] == 1 and rounds_seen[-1] == 2


@pytest.mark.req("R-4")
def test_an_item_cannot_reach_the_resident_before_the_developer_accepted_it(rect):
    handler = rect.world.users["handler_a"]
    item = rect.walk(rect.item(), "dev_inspect")
    with pytest.raises(InvalidInput):
        rounds.notify(actor=handler, item=item.pk)
    token = link_of_unit(rect.world.unit_a.pk).token
    with pytest.raises(InvalidInput):
        resident.accept(token=token, item_id=item.pk, signed_name="王小明")
    assert not Message.objects.filter(channel="sms", key__startswith=f"rect:{item.pk}:").exists()
    rounds.inspect(actor=rect.users["dev_x"], item=item.pk, passed=False, reason="接缝不平")
    item.refresh_from_db()
    assert item.status == "team_fixing" and item.round == 1 and item.completed_at is None


@pytest.mark.req("R-4", "A-4")
def test_asking_the_resident_sends_the_units_private_link_by_sms(rect):
    item = rect.walk(rect.item(), "res_check")
    message = Message.objects.get(channel="sms", key__startswith=f"rect:{item.pk}:1:resident:")
    assert message.address == "13812341234"
    assert link_of_unit(rect.world.unit_a.pk).token in message.link


@pytest.mark.req("R-3", "P-1")
def test_the_developer_sees_only_items_escalated_to_it(rect):
    ours = rect.item(location="阳台")
    escalated = rect.walk(rect.item(), "dev_review")
    assert set(selectors.items_for(rect.users["dev_x"])) == {escalated}
    assert not selectors.items_for(rect.users["dev_y"]).exists()
    with pytest.raises(NotFound):
        routing.plan(
            actor=rect.users["dev_y"],
            item=escalated.pk,
            measure="重做",
            due_date=company_today() + timedelta(days=3),
            team=rect.team_y,
        )
    assert ours not in selectors.items_for(rect.users["dev_x"])


@pytest.mark.req("R-3", "P-1")
def test_a_team_sees_only_its_own_items_and_only_another_teams_of_its_developer_can_be_chosen(rect):
    item = rect.walk(rect.item(), "dev_review")
    with pytest.raises(InvalidInput) as refused:
        routing.plan(
            actor=rect.users["dev_x"],
            item=item.pk,
            measure="重做",
            due_date=company_today() + timedelta(days=3),
            team=rect.team_y,
        )
    assert refused.value.field == "team"
    assert not selectors.items_for(rect.users["team_x"]).exists()
    rect.walk(item, "team_fixing")
    assert list(selectors.items_for(rect.users["team_x"])) == [item]
    assert not selectors.items_for(rect.users["team_y"]).exists()
    with pytest.raises(NotFound):
        rounds.complete(actor=rect.users["team_y"], item=item.pk, photos=[photo()])


@pytest.mark.req("R-4", "W-1")
def test_a_resident_link_cannot_act_on_another_units_item(rect):
    item = rect.walk(rect.item(), "res_check")
    other_token = link_of_unit(rect.world.unit_b.pk).token
    with pytest.raises(NotFound):
        resident.accept(token=other_token, item_id=item.pk, signed_name="李四")
    with pytest.raises(NotFound):
        resident.object_to(token="not-a-token", item_id=item.pk, objection="不行")
    item.refresh_from_db()
    assert item.status == "res_check"


@pytest.mark.req("R-4")
def test_an_accepted_item_cannot_be_accepted_twice(rect):
    item = rect.walk(rect.item(), "res_check")
    token = link_of_unit(rect.world.unit_a.pk).token
    resident.accept(token=token, item_id=item.pk, signed_name="王小明")
    with pytest.raises(AlreadyHandled):
        resident.accept(token=token, item_id=item.pk, signed_name="王小明")
    with pytest.raises(AlreadyHandled):
        rounds.record_paper_acceptance(actor=rect.world.users["handler_a"], item=item.pk, scan=photo())
    assert item.events.filter(kind="accepted").count() == 1


@pytest.mark.req("R-3", "R-4")
def test_our_own_fix_skips_the_developer_and_an_objection_comes_back_to_us(rect):
    handler = rect.world.users["handler_a"]
    item = rect.item()
    routing.fix_ourselves(
        actor=handler,
        item=item.pk,
        department=rect.world.engineering,
        due_date=company_today() + timedelta(days=2),
    )
    rounds.complete_ourselves(actor=handler, item=item.pk, photos=[photo()])
    rounds.notify(actor=handler, item=item.pk)
    rounds.record_paper_objection(actor=handler, item=item.pk, objection="还有渗水")
    item.refresh_from_db()
    assert (item.status, item.round, item.route) == ("reported", 2, "property")
    assert item.developer_id is None


@pytest.mark.req("R-1", "R-4")
def test_a_departments_public_area_finding_is_accepted_for_it_and_the_department_told(rect):
    handler = rect.world.users["handler_a"]
    report = item_services.create_report(
        actor=handler,
        estate=rect.world.estate_a,
        title="工程部巡查",
        source="engineering",
        finding_department=rect.world.engineering,
    )
    item = item_services.add_items(
        actor=handler,
        report=report,
        rows=[ItemInput(location="3栋大堂", description="地砖空鼓", category="public_areas")],
    )[0]
    assert item.source == "engineering" and item.finding_department == rect.world.engineering
    routing.fix_ourselves(
        actor=handler,
        item=item.pk,
        department=rect.world.engineering,
        due_date=company_today() + timedelta(days=2),
    )
    rounds.complete_ourselves(actor=handler, item=item.pk, photos=[photo()])
    with pytest.raises(InvalidInput):
        rounds.notify(actor=handler, item=item.pk)
    rounds.accept_on_behalf(actor=handler, item=item.pk)
    item.refresh_from_db()
    assert item.status == "accepted" and item.events.filter(kind="dept_told").exists()


@pytest.mark.req("R-3")
def test_bulk_escalation_reports_each_item_and_hides_other_estates(rect):
    first, second = rect.item(), rect.item(location="客厅")
    rect.walk(second, "dev_review")
    outcomes = routing.decide_each(
        actor=rect.world.users["handler_a"], ids=[first.pk, second.pk, 999_999], route="developer"
    )
    assert [o.done for o in outcomes] == [True, False, False]
    first.refresh_from_db()
    assert first.status == "dev_review"


@pytest.mark.req("R-3")
def test_roles_are_checked_on_every_step(rect):
    item = rect.walk(rect.item(), "dev_review")
    with pytest.raises(NotAllowed):
        routing.plan(
            actor=rect.world.users["handler_a"],
            item=item.pk,
            measure="x",
            due_date=company_today() + timedelta(days=3),
            team=rect.team_x,
        )
    with pytest.raises(NotAllowed):
        routing.escalate(actor=rect.users["team_x"], item=item.pk)


@pytest.mark.req("K-17")
def test_every_status_is_reachable_in_the_declared_workflow():
    reached = {"reported"}
    changed = True
    while changed:
        changed = False
        for t in ITEM.transitions:
            if t.target and set(t.sources) & reached and t.target not in reached:
                reached.add(t.target)
                changed = True
    assert reached == {value for value, _label in ITEM.states}
