"""Contract communication (SPEC C-5; §7.1.11, §7.1.12): the requirements made clear before signing,
every later change told to the customer and resolved with them, in the estate's scope (P-1),
with names masked for auditors (D-3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from estatedesk.communication.models import Clarification, ContractChange
from estatedesk.communication.services import contracts
from estatedesk.core.clock import company_today, now
from estatedesk.core.errors import InvalidInput, NotAllowed
from tests.communication.records import contract_of
from tests.helpers import frozen_at

pytestmark = pytest.mark.django_db
PRESENT = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock():
    with frozen_at(PRESENT):
        yield


def _ask(world, contract, **changes):
    values = {
        "actor": world.users["handler_a"],
        "contract": contract,
        "asked_on": company_today(),
        "asked_by": "王小明",
        "channel": "phone",
        "question": "装修垃圾是否由管理处统一清运？",
    }
    values.update(changes)
    return contracts.add_clarification(**values)


@pytest.mark.req("C-5")
def test_signing_is_refused_while_a_clarification_has_no_answer(world, clock):
    handler = world.users["handler_a"]
    contract = contract_of(world)
    question = _ask(world, contract)
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        contracts.sign_contract(actor=handler, contract=contract, signed_on=company_today())
    assert refused.value.field == "signed_on"
    assert "1" in str(refused.value.message) and "签订" in str(refused.value.message)
    contract.refresh_from_db()
    assert contract.status == "negotiating" and contract.signed_on is None

    contracts.answer_clarification(
        actor=handler,
        contract=contract,
        clarification=question,
        answer="由管理处统一清运，费用按面积计收。",
        answered_on=company_today(),
        based_on=question.edit_version,
    )
    signed = contracts.sign_contract(actor=handler, contract=contract, signed_on=company_today())
    assert signed.status == "signed"
    assert [e.kind for e in signed.events.order_by("at", "pk")] == [
        "created",
        "clarified",
        "answered",
        "signed",
    ]


@pytest.mark.req("C-5")
def test_a_change_is_settled_only_when_the_customer_was_told_and_a_resolution_agreed(world, clock):
    handler = world.users["handler_a"]
    contract = contract_of(world, signed=True)
    change = contracts.add_change(
        actor=handler,
        contract=contract,
        cause="law",
        description="物价部门调整收费标准，管理费由每平方米2.5元调为2.8元",
        proposed_on=company_today(),
    )
    assert change.position == 1 and not change.settled
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        contracts.resolve_change(
            actor=handler,
            contract=contract,
            change=change,
            resolution="自下月起执行新标准",
            agreed_on=company_today(),
            based_on=change.edit_version,
        )
    assert refused.value.field == "resolution" and "告知" in str(refused.value.message)

    contracts.record_change_told(
        actor=handler, contract=contract, change=change, told_at=now(), channel="letter", told_by="李经理"
    )
    change.refresh_from_db()
    assert change.told_by_name == "李经理" and not change.settled
    contracts.resolve_change(
        actor=handler,
        contract=contract,
        change=change,
        resolution="业委会同意自下月起执行新标准",
        agreed_on=company_today(),
        based_on=change.edit_version,
    )
    change.refresh_from_db()
    assert change.settled
    second = contracts.add_change(
        actor=handler,
        contract=contract,
        cause="customer",
        description="增加周末保洁",
        proposed_on=company_today(),
    )
    assert second.position == 2


@pytest.mark.req("C-5")
def test_the_pages_record_a_contract_from_negotiation_to_a_settled_change(world, clock):
    client = world.client("handler_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.post(
        reverse("communication:contract_create"),
        {
            "kind": "service",
            "title": "前期物业服务合同",
            "estate": world.estate_a.pk,
            "counterparty": "业主委员会",
        },
    )
    assert response.status_code == 302
    contract = world.estate_a and contracts.Contract.objects.get(title="前期物业服务合同")
    assert contract.number.startswith("HT-2026-")
    url = reverse("communication:contract_detail", args=[contract.pk])
    today = company_today().isoformat()
    client.post(
        reverse("communication:contract_clarify", args=[contract.pk]),
        {"asked_on": today, "asked_by": "业委会张主任", "channel": "face_to_face", "question": "保安人数？"},
    )
    clarification = Clarification.objects.get(contract=contract)
    refused = client.post(reverse("communication:contract_sign", args=[contract.pk]), {"signed_on": today})
    assert refused.status_code == 422
    assert "签订" in refused.content.decode() and contract.events.filter(kind="signed").count() == 0
    client.post(
        reverse("communication:contract_answer", args=[contract.pk]),
        {"clarification": clarification.pk, "answer": "每班4人", "answered_on": today, "based_on_version": 0},
    )
    assert (
        client.post(
            reverse("communication:contract_sign", args=[contract.pk]), {"signed_on": today}
        ).status_code
        == 302
    )
    client.post(
        reverse("communication:contract_change_add", args=[contract.pk]),
        {"cause": "company", "description": "增设车库巡逻岗", "proposed_on": today},
    )
    change = ContractChange.objects.get(contract=contract)
    page = client.get(url).content.decode()
    assert "尚未告知" in page or "未告知" in page
    client.post(
        reverse("communication:contract_change_told", args=[contract.pk]),
        {"change": change.pk, "told_at": "2026-03-10T09:00", "channel": "letter"},
    )
    client.post(
        reverse("communication:contract_change_resolve", args=[contract.pk]),
        {
            "change": change.pk,
            "resolution": "业委会同意，费用不变",
            "agreed_on": today,
            "based_on_version": 0,
        },
    )
    change.refresh_from_db()
    assert change.settled
    page = client.get(url).content.decode()
    assert 'class="text-success settled"' in page


@pytest.mark.req("C-5")
def test_future_dates_are_refused_and_the_form_keeps_what_was_typed(world, clock):
    contract = contract_of(world)
    client = world.client("handler_a")
    tomorrow = (company_today() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("communication:contract_clarify", args=[contract.pk]),
        {"asked_on": tomorrow, "asked_by": "王小明", "channel": "phone", "question": "可否周末施工？"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "可否周末施工？" in page and tomorrow in page
    assert not Clarification.objects.exists()


@pytest.mark.req("C-5", "P-1")
def test_another_estates_handler_finds_none_of_the_contract_pages(world, clock):
    contract = contract_of(world)
    client = world.client("handler_b")
    names = [
        "contract_detail",
        "contract_edit",
        "contract_clarify",
        "contract_answer",
        "contract_sign",
        "contract_change_add",
        "contract_change_told",
        "contract_change_resolve",
        "contract_end",
    ]
    for name in names:
        url = reverse(f"communication:{name}", args=[contract.pk])
        assert client.get(url).status_code == 404, name
        if name != "contract_detail":
            assert client.post(url, {"signed_on": company_today().isoformat()}).status_code == 404, name
    assert contract.number not in client.get(reverse("communication:contract_list")).content.decode()


@pytest.mark.req("C-5", "D-3")
def test_the_auditor_reads_with_names_masked_and_cannot_write(world, clock):
    contract = contract_of(world)
    _ask(world, contract)
    auditor = world.users["auditor"]
    with pytest.raises(NotAllowed):
        contracts.sign_contract(actor=auditor, contract=contract, signed_on=company_today())
    client = world.client("auditor")
    listing = client.get(reverse("communication:contract_list")).content.decode()
    assert contract.number in listing and "王小明" not in listing and "王*明" in listing
    page = client.get(reverse("communication:contract_detail", args=[contract.pk])).content.decode()
    assert "王小明" not in page and 'action="/communication/contracts/' not in page
    assert client.get(reverse("communication:contract_create")).status_code == 403
    response = client.post(
        reverse("communication:contract_change_add", args=[contract.pk]),
        {"cause": "company", "description": "x", "proposed_on": company_today().isoformat()},
    )
    assert response.status_code == 403
    export = client.get(reverse("communication:contract_export"))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


@pytest.mark.req("C-5")
def test_two_people_editing_the_contract_the_second_gets_409_with_their_text_kept(world, clock):
    contract = contract_of(world)
    url = reverse("communication:contract_edit", args=[contract.pk])
    form = {
        "kind": "paid_service",
        "customer": world.customer_a.pk,
        "based_on_version": contract.edit_version,
    }
    first = world.client("handler_a").post(url, {**form, "title": "装修管理协议（修订）"})
    assert first.status_code == 302
    second = world.client("office_head_a").post(url, {**form, "title": "装修管理与清运协议"})
    assert second.status_code == 409
    assert "装修管理与清运协议" in second.content.decode()
    contract.refresh_from_db()
    assert contract.title == "装修管理协议（修订）"
