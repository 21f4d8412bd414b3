"""A rectification item's page and every step on it (SPEC R-3, R-4, P-1, D-3): each step taken
through the page by the persona whose step it is, refused to the wrong role and to other
estates, developers and teams, bad input kept, concurrent and stale submissions answered 409,
and the page free of English in Chinese for the three sides."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from estatedesk.core.clock import company_today
from estatedesk.core.uploads import upload_root
from estatedesk.rectification.models import Item, ItemPhoto
from estatedesk.rectification.services import items as item_services
from estatedesk.rectification.services import resident
from estatedesk.rectification.services.items import ItemInput
from estatedesk.rectification.services.resident_messages import link_of_unit
from tests.rectification.conftest import photo
from tests.test_i18n_pages import leftovers

pytestmark = pytest.mark.django_db


def client_of(rect: Any, persona: str, language: str = "en") -> Client:
    client = Client()
    client.force_login(rect.user(persona))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def page(item: Item) -> str:
    return reverse("rectification:item_detail", args=[item.pk])


def step(item: Item, name: str) -> str:
    return reverse("rectification:item_step", args=[item.pk, name])


def due(days: int = 7) -> str:
    return (company_today() + timedelta(days=days)).isoformat()


def status_of(item: Item) -> str:
    item.refresh_from_db()
    return item.status


def offered(response: Any) -> list[str]:
    return [s["name"] for s in response.context["steps"]]


# --- The page ------------------------------------------------------------------------------------


@pytest.mark.req("R-3", "R-4")
def test_the_page_shows_the_item_its_route_round_photos_and_timeline(rect):
    item = rect.item(photos=[photo()])
    rect.walk(item, "dev_inspect")
    html = client_of(rect, "handler_a").get(page(item)).content.decode()
    for text in [
        item.number,
        reverse("rectification:report_detail", args=[rect.report.pk]),
        "翠湖花園",
        rect.world.unit_a.label,
        "主卧",
        "墙面裂缝约30厘米",
        "Walls, floors and ceilings",
        "Handover inspection",
        "handler_a",
        "Awaiting the developer&#x27;s inspection",
        "Developer",
        "X置业整改小组",
        "铲除重新批荡",
        "Round 1",
        "The defect",
        "The work done",
        "Escalated to the developer · round 1",
    ]:
        assert text in html, text
    photos = list(ItemPhoto.objects.filter(item=item))
    assert len(photos) == 2
    for p in photos:
        assert reverse("rectification:photo", args=[p.pk]) in html


@pytest.mark.req("R-4")
def test_the_second_round_says_so_with_the_objection_and_each_event_its_round(rect):
    item = rect.walk(rect.item(), "res_check")
    token = link_of_unit(rect.world.unit_a.pk).token
    resident.object_to(token=token, item_id=item.pk, objection="裂缝仍在", photos=[photo("still.jpg")])
    zh = client_of(rect, "dev_x", "zh-hans").get(page(item)).content.decode()
    assert "第2轮" in zh and "裂缝仍在" in zh
    html = client_of(rect, "dev_x").get(page(item)).content.decode()
    assert "Round 2" in html and "The resident&#x27;s objection" in html
    assert "Objection: next round · round 2" in html and "Recorded · round 1" in html


@pytest.mark.req("R-4", "D-3")
def test_acceptance_shows_method_time_and_the_signer_masked_for_an_auditor(rect, tmp_path):
    item = rect.walk(rect.item(), "res_check")
    token = link_of_unit(rect.world.unit_a.pk).token
    signature = photo("signature.png")
    resident.accept(token=token, item_id=item.pk, signature=signature, signed_name="王小明")
    handler = client_of(rect, "handler_a").get(page(item))
    html = handler.content.decode()
    assert "Signed on the phone" in html and "王小明" in html
    assert reverse("rectification:item_signature", args=[item.pk]) in html
    assert (
        client_of(rect, "handler_a").get(reverse("rectification:item_signature", args=[item.pk])).status_code
        == 200
    )
    auditor = client_of(rect, "auditor").get(page(item)).content.decode()
    assert "王小明" not in auditor and "王*明" in auditor
    assert reverse("rectification:item_signature", args=[item.pk]) not in auditor
    assert (
        client_of(rect, "auditor").get(reverse("rectification:item_signature", args=[item.pk])).status_code
        == 403
    )


# --- Each step by its persona ----------------------------------------------------------------------


@pytest.mark.req("R-3")
def test_property_edits_and_escalates_the_developer_plans_and_replans(rect):
    item = rect.item()
    handler, dev = client_of(rect, "handler_a"), client_of(rect, "dev_x")
    assert set(offered(handler.get(page(item)))) >= {"edit", "fix_ourselves", "escalate", "cancel", "photos"}
    response = handler.post(
        step(item, "edit"),
        {"location": "次卧", "description": "墙角发霉", "category": "waterproofing", "based_on_version": 0},
    )
    assert response.status_code == 302 and response.url == page(item)
    item.refresh_from_db()
    assert (item.location, item.category) == ("次卧", "waterproofing")
    assert handler.post(step(item, "escalate"), {"note": "需开发商处理"}).status_code == 302
    assert status_of(item) == "dev_review"
    assert offered(dev.get(page(item))) == ["plan", "photos"]
    response = dev.post(
        step(item, "plan"), {"measure": "重做防水", "due_date": due(), "team": rect.team_x.pk}
    )
    assert response.status_code == 302 and status_of(item) == "team_fixing"
    assert "replan" in offered(dev.get(page(item)))
    dev.post(step(item, "replan"), {"measure": "重做防水层", "due_date": due(9), "team": rect.team_x.pk})
    item.refresh_from_db()
    assert item.measure == "重做防水层" and item.due_date == company_today() + timedelta(days=9)


@pytest.mark.req("R-4")
def test_the_team_reports_done_with_photos_and_the_developer_inspects(rect):
    item = rect.walk(rect.item(), "team_fixing")
    team, dev = client_of(rect, "team_x"), client_of(rect, "dev_x")
    assert offered(team.get(page(item))) == ["complete", "photos"]
    html = team.get(page(item)).content.decode()
    assert 'accept="image/*"' in html and 'capture="environment"' in html and "multiple" in html
    assert "At most 9 photos" in html
    response = team.post(
        step(item, "complete"), {"note": "已重新批荡", "photos": [photo("a.jpg"), photo("b.jpg")]}
    )
    assert response.status_code == 302 and status_of(item) == "dev_inspect"
    assert ItemPhoto.objects.filter(item=item, stage="completed").count() == 2
    # sent back without a reason: 422, the service's message on the reason field
    response = dev.post(step(item, "inspect"), {"passed": "no", "reason": ""})
    assert response.status_code == 422
    assert response.context["steps"][0]["form"].errors["reason"]
    dev.post(step(item, "inspect"), {"passed": "no", "reason": "颜色不一致"})
    assert status_of(item) == "team_fixing"
    team.post(step(item, "complete"), {"photos": [photo()]})
    dev.post(step(item, "inspect"), {"passed": "yes"})
    assert status_of(item) == "to_notify"


@pytest.mark.req("R-4")
def test_property_notifies_and_records_a_paper_objection_then_a_paper_acceptance(rect):
    item = rect.walk(rect.item(), "to_notify")
    handler = client_of(rect, "handler_a")
    assert offered(handler.get(page(item))) == ["notify", "photos"]
    assert handler.post(step(item, "notify")).status_code == 302 and status_of(item) == "res_check"
    assert set(offered(handler.get(page(item)))) == {"paper_accept", "paper_object", "photos"}
    handler.post(step(item, "paper_object"), {"objection": "仍有裂缝", "photos": [photo()]})
    item.refresh_from_db()
    assert (item.status, item.round, item.objection) == ("dev_review", 2, "仍有裂缝")
    rect.walk(item, "res_check")
    response = handler.post(step(item, "paper_accept"), {"scan": photo("sheet.jpg"), "signed_name": "王小明"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.acceptance_method, item.signed_name) == ("accepted", "paper", "王小明")
    assert ItemPhoto.objects.filter(item=item, stage="acceptance", round=2).count() == 1


@pytest.mark.req("R-3", "R-4")
def test_our_own_fix_public_area_acceptance_and_a_cancellation(rect):
    handler = client_of(rect, "handler_a")
    item = item_services.add_items(
        actor=rect.user("handler_a"),
        report=rect.report,
        rows=[ItemInput(location="3栋大堂", description="地砖空鼓", category="public_areas")],
    )[0]
    engineering = rect.world.engineering
    response = handler.post(step(item, "fix_ourselves"), {"department": engineering.pk, "due_date": due(2)})
    assert response.status_code == 302 and status_of(item) == "prop_fixing"
    assert "complete_ourselves" in offered(handler.get(page(item)))
    assert "notify" not in offered(handler.get(page(item)))
    handler.post(step(item, "complete_ourselves"), {"note": "已更换", "photos": [photo()]})
    assert status_of(item) == "to_notify"
    assert "accept_on_behalf" in offered(handler.get(page(item)))
    assert "notify" not in offered(handler.get(page(item)))
    handler.post(step(item, "accept_on_behalf"), {"note": "工程部确认"})
    item.refresh_from_db()
    assert (item.status, item.acceptance_method) == ("accepted", "on_behalf")
    assert offered(handler.get(page(item))) == []
    other = rect.item()
    assert handler.post(step(other, "cancel"), {"reason": "重复录入"}).status_code == 302
    assert status_of(other) == "cancelled"


@pytest.mark.req("R-1")
def test_photos_are_added_to_an_open_item_by_stage(rect):
    item = rect.item()
    response = client_of(rect, "handler_a").post(
        step(item, "photos"), {"stage": "reported", "photos": [photo()]}
    )
    assert response.status_code == 302
    assert ItemPhoto.objects.filter(item=item, stage="reported").count() == 1


# --- Refusals ----------------------------------------------------------------------------------------


@pytest.mark.req("R-3", "P-1")
def test_the_wrong_role_is_refused_and_nothing_changes(rect):
    item = rect.item()
    # the developer cannot see an item not escalated to it; the handler cannot plan
    assert client_of(rect, "dev_x").post(step(item, "escalate"), {"note": ""}).status_code == 404
    rect.walk(item, "dev_review")
    response = client_of(rect, "handler_a").post(
        step(item, "plan"), {"measure": "重做", "due_date": due(), "team": rect.team_x.pk}
    )
    assert response.status_code == 403 and status_of(item) == "dev_review"
    rect.walk(item, "team_fixing")
    assert client_of(rect, "team_x").post(step(item, "cancel"), {"reason": "不做"}).status_code == 403
    assert (
        client_of(rect, "auditor")
        .post(step(item, "photos"), {"stage": "reported", "photos": [photo()]})
        .status_code
        == 403
    )
    assert (
        status_of(item) == "team_fixing"
        and not ItemPhoto.objects.filter(item=item, stage="reported").exists()
    )
    assert client_of(rect, "handler_a").get(step(item, "no_such_step")).status_code == 404
    assert client_of(rect, "handler_a").post(step(item, "no_such_step")).status_code == 404


@pytest.mark.req("R-4")
def test_bad_input_is_422_with_the_message_on_its_field_and_everything_kept(rect):
    item = rect.walk(rect.item(), "dev_review")
    dev = client_of(rect, "dev_x")
    response = dev.post(
        step(item, "plan"), {"measure": "铲除重新批荡，三天内完成", "due_date": "", "team": rect.team_x.pk}
    )
    assert response.status_code == 422
    form = response.context["steps"][0]["form"]
    assert "due_date" in form.errors
    html = response.content.decode()
    assert "铲除重新批荡，三天内完成" in html and 'id="step-plan" open' in html
    past = (company_today() - timedelta(days=1)).isoformat()
    response = dev.post(step(item, "plan"), {"measure": "重做", "due_date": past, "team": rect.team_x.pk})
    assert response.status_code == 422 and "due_date" in response.context["steps"][0]["form"].errors
    rect.walk(item, "team_fixing")
    response = client_of(rect, "team_x").post(step(item, "complete"), {"note": "已处理完毕"})
    assert response.status_code == 422
    assert response.context["steps"][0]["form"].errors["photos"]
    assert "已处理完毕" in response.content.decode() and status_of(item) == "team_fixing"


@pytest.mark.req("R-4")
def test_a_second_paper_acceptance_at_the_same_time_is_told_already_handled(rect):
    item = rect.walk(rect.item(), "res_check")
    first, second = client_of(rect, "handler_a"), client_of(rect, "office_head_a")
    second.get(page(item))  # both have the form open
    assert (
        first.post(step(item, "paper_accept"), {"scan": photo(), "signed_name": "王小明"}).status_code == 302
    )
    response = second.post(step(item, "paper_accept"), {"scan": photo(), "signed_name": "王小明"})
    assert response.status_code == 409
    assert "already been handled" in response.content.decode()
    assert ItemPhoto.objects.filter(item=item, stage="acceptance").count() == 1
    assert item.events.filter(kind="accepted").count() == 1


@pytest.mark.req("R-3")
def test_a_stale_edit_is_409_showing_both_texts(rect):
    item = rect.item()
    item_services.edit_item(
        actor=rect.user("office_head_a"),
        item=item.pk,
        location="主卧飘窗",
        description="窗台石材开裂",
        category="walls",
        based_on=0,
    )
    response = client_of(rect, "handler_a").post(
        step(item, "edit"),
        {"location": "主卧", "description": "墙面裂缝约50厘米", "category": "walls", "based_on_version": 0},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "窗台石材开裂" in html and "墙面裂缝约50厘米" in html and "stale-edit" in html
    item.refresh_from_db()
    assert item.description == "窗台石材开裂"


@pytest.mark.req("P-1", "R-3")
def test_developer_y_finds_none_of_developer_xs_item_or_its_photos(rect):
    item = rect.walk(rect.item(photos=[photo()]), "team_fixing")
    found = ItemPhoto.objects.get(item=item)
    for persona in ("dev_y", "team_y"):
        client = client_of(rect, persona)
        assert client.get(page(item)).status_code == 404
        assert client.get(reverse("rectification:photo", args=[found.pk])).status_code == 404
        assert client.get(reverse("rectification:item_signature", args=[item.pk])).status_code == 404
        assert client.post(step(item, "complete"), {"photos": [photo()]}).status_code == 404
    assert status_of(item) == "team_fixing"
    dev_x = client_of(rect, "dev_x").get(reverse("rectification:photo", args=[found.pk]))
    assert dev_x.status_code == 200 and dev_x["Content-Type"] == "image/jpeg"
    assert b"".join(dev_x.streaming_content).startswith(b"\xff\xd8")


@pytest.mark.req("P-1")
def test_photos_of_another_estate_are_not_found(rect):
    report_b = item_services.create_report(
        actor=rect.user("handler_b"), estate=rect.world.estate_b, title="金山大廈交付"
    )
    item_b = item_services.add_items(
        actor=rect.user("handler_b"),
        report=report_b,
        rows=[
            ItemInput(
                location="前台",
                description="墙面裂缝",
                category="walls",
                unit=rect.world.unit_b,
                photos=[photo()],
            )
        ],
    )[0]
    found = ItemPhoto.objects.get(item=item_b)
    assert (upload_root() / found.file).is_file()
    handler_a = client_of(rect, "handler_a")
    assert handler_a.get(reverse("rectification:photo", args=[found.pk])).status_code == 404
    assert handler_a.get(page(item_b)).status_code == 404
    assert (
        client_of(rect, "handler_b").get(reverse("rectification:photo", args=[found.pk])).status_code == 200
    )


# --- Languages ---------------------------------------------------------------------------------------


@pytest.mark.req("R-4")
@pytest.mark.parametrize(
    ("persona", "at"),
    [
        ("handler_a", "reported"),
        ("handler_a", "res_check"),
        ("dev_x", "dev_review"),
        ("dev_x", "dev_inspect"),
        ("team_x", "team_fixing"),
    ],
)
def test_the_page_in_chinese_shows_no_english(rect, persona, at):
    item = rect.walk(rect.item(photos=[photo()]), at)
    response = client_of(rect, persona, "zh-hans").get(page(item))
    assert response.status_code == 200 and response.context["steps"]
    assert leftovers(response.content.decode()) == []


@pytest.mark.req("R-4")
def test_a_failed_step_in_chinese_shows_no_english(rect):
    item = rect.walk(rect.item(), "team_fixing")
    response = client_of(rect, "team_x", "zh-hans").post(step(item, "complete"), {"note": "好了"})
    assert response.status_code == 422
    assert leftovers(response.content.decode()) == []


@pytest.mark.req("R-3")
def test_a_get_of_a_step_goes_back_to_the_page(rect):
    item = rect.item()
    response = client_of(rect, "handler_a").get(step(item, "escalate"))
    assert response.status_code == 302 and response.url == page(item)
    assert status_of(item) == "reported"


@pytest.mark.req("P-1")
def test_an_auditor_reads_the_item_but_is_offered_no_step(rect):
    item = rect.item()
    response = client_of(rect, "auditor").get(page(item))
    assert response.status_code == 200 and offered(response) == []
