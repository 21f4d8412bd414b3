"""The monthly consultation pages (SPEC S-4, P-1): plan, look at the proposal, swap a
household, start, finish; bad input kept with 422; another estate's consultation is 404; the
list flags a missed month and a consultation under 5 %."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from estatedesk.core.clock import clock_at
from estatedesk.surveys.models import Consultation, ConsultationStatus, ConsultedHousehold
from estatedesk.surveys.services import consultation_answers
from estatedesk.surveys.services import consultations as svc
from estatedesk.surveys.services.consultation_answers import TopicAnswer
from tests.surveys.conftest import add_households

S4 = pytest.mark.req("S-4")
pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Shanghai")


def _post_plan(client, world, **extra):
    data = {
        "estate": world.estate_a.pk,
        "month": "2026-11",
        "topics": ["cleaning", "security"],
        "method": "door_to_door",
        "share": "5",
        "notes": "本月重点：垃圾清运",
        **extra,
    }
    return client.post(reverse("surveys:consultation_create"), data)


@S4
def test_plan_swap_start_and_finish_on_the_pages(world):
    add_households(world.building_a, 39)
    client = world.client("handler_a")
    assert client.get(reverse("surveys:consultation_create")).status_code == 200
    response = _post_plan(client, world)
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    detail = reverse("surveys:consultation_detail", args=[consultation.pk])
    assert response["Location"] == detail
    page = client.get(detail).content.decode()
    assert consultation.number in page and 'id="swap-form"' in page
    out = ConsultedHousehold.objects.filter(consultation=consultation, asked=True).first()
    candidate = svc.swap_candidates(consultation)[0]
    response = client.post(
        reverse("surveys:consultation_swap", args=[consultation.pk]),
        {"out_unit": out.unit_id, "in_unit": candidate, "reason": "业主出差"},
    )
    assert response.status_code == 302
    out.refresh_from_db()
    assert not out.asked and out.replaced_by.unit_id == candidate
    page = client.get(detail).content.decode()
    assert "业主出差" in page and out.unit.label in page
    assert client.post(reverse("surveys:consultation_start", args=[consultation.pk])).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.RUNNING
    consultation_answers.record_answers(
        actor=world.users["handler_a"],
        consultation=consultation,
        unit_id=candidate,
        answers=[
            TopicAnswer("cleaning", "dissatisfied", "垃圾清运不及时"),
            TopicAnswer("security", "satisfied"),
        ],
        remarks="希望增加儿童游乐设施",
    )
    assert client.post(reverse("surveys:consultation_finish", args=[consultation.pk])).status_code == 302
    page = client.get(detail).content.decode()
    assert "垃圾清运不及时" in page and "希望增加儿童游乐设施" in page
    assert 'id="topic-figures"' in page
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.FINISHED


@S4
def test_bad_plan_input_is_422_with_everything_kept(world):
    client = world.client("handler_a")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    response = _post_plan(client, world, share="3", notes="保留这段备注")
    assert response.status_code == 422
    page = response.content.decode()
    assert "保留这段备注" in page and 'value="3"' in page
    assert "请输入不低于5%、不高于100%的抽样比例。" in page and 'value="2026-11"' in page
    assert Consultation.objects.count() == 0
    response = _post_plan(client, world, topics=[])
    assert response.status_code == 422 and "保留" not in response.content.decode()


@S4
def test_stale_notes_are_409_and_nothing_is_lost(world):
    consultation = svc.plan_consultation(
        actor=world.users["handler_a"],
        estate=world.estate_a,
        month=date(2026, 11, 1),
        topics=["cleaning"],
        method="phone",
    )
    version = consultation.edit_version
    svc.edit_notes(
        actor=world.users["office_head_a"], consultation=consultation, notes="同事的备注", based_on=version
    )
    response = world.client("handler_a").post(
        reverse("surveys:consultation_notes", args=[consultation.pk]),
        {"notes": "我的备注", "based_on_version": version},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "我的备注" in page and "同事的备注" in page


@pytest.mark.req("P-1")
def test_another_estates_consultation_is_not_found(world):
    consultation = svc.plan_consultation(
        actor=world.users["handler_b"],
        estate=world.estate_b,
        month=date(2026, 11, 1),
        topics=["cleaning"],
        method="phone",
    )
    client = world.client("handler_a")
    assert client.get(reverse("surveys:consultation_detail", args=[consultation.pk])).status_code == 404
    assert client.post(reverse("surveys:consultation_start", args=[consultation.pk])).status_code == 404
    page = client.get(reverse("surveys:consultation_list")).content.decode()
    assert consultation.number not in page


@S4
def test_the_list_flags_a_missed_month_and_a_consultation_under_five_percent(world):
    add_households(world.building_a, 59)  # 60 occupied: 3 needed
    handler = world.users["handler_a"]
    with clock_at(datetime(2026, 10, 5, 10, tzinfo=ZONE)):
        consultation = svc.plan_consultation(
            actor=handler, estate=world.estate_a, month=date(2026, 10, 1), topics=["cleaning"], method="phone"
        )
        svc.start_consultation(actor=handler, consultation=consultation)
        unit = ConsultedHousehold.objects.filter(consultation=consultation, asked=True).first().unit_id
        consultation_answers.record_answers(
            actor=handler,
            consultation=consultation,
            unit_id=unit,
            answers=[TopicAnswer("cleaning", "satisfied")],
        )
        svc.finish_consultation(actor=handler, consultation=consultation)
    with clock_at(datetime(2026, 12, 10, 10, tzinfo=ZONE)):
        response = world.client("handler_a").get(reverse("surveys:consultation_list"))
        xlsx = world.client("handler_a").get(reverse("surveys:consultation_list_xlsx"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-kind="missing"' in page and "2026-11" in page  # November: none
    assert 'data-kind="under_share"' in page and "2026-10" in page  # October: 1 of 3
    assert world.estate_b.name not in page.split('id="consultations"')[0]  # flags of my estates only
    assert 'id="consultation-coverage"' in page
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.req("A-3")
def test_the_list_exports_to_excel_with_the_planner_masked_for_the_auditor(world):
    import io

    from openpyxl import load_workbook

    consultation = svc.plan_consultation(
        actor=world.users["handler_a"],
        estate=world.estate_a,
        month=date(2026, 11, 1),
        topics=["cleaning"],
        method="phone",
    )

    def rows(persona):
        response = world.client(persona).get(reverse("surveys:consultation_list_xlsx"), {"month": "2026-11"})
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [[c.value for c in row] for row in sheet.iter_rows()]

    mine = rows("handler_a")
    assert mine[1][0] == consultation.number and mine[1][-1] == consultation.created_by_name
    audited = rows("auditor")
    assert audited[1][0] == consultation.number and audited[1][-1] != consultation.created_by_name
