"""Customer property (SPEC C-6; §7.1.13): the register of what we hold for customers, and an
incident told to the customer before it is closed with the help given; the home panel of open
incidents (A-1), the estate's scope (P-1), names masked for auditors (D-3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from estatedesk.communication.models import PropertyIncident, PropertyItem
from estatedesk.communication.property_panel import incidents_panel
from estatedesk.communication.services import property
from estatedesk.core.clock import now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed
from tests.communication.records import incident_of, item_of
from tests.helpers import frozen_at

pytestmark = pytest.mark.django_db
PRESENT = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock():
    with frozen_at(PRESENT):
        yield


@pytest.mark.req("C-6", "A-1")
def test_an_incident_is_closed_only_after_the_customer_was_told_and_then_leaves_the_panel(world, clock):
    handler = world.users["handler_a"]
    incident = incident_of(world)
    assert incident.number.startswith("SJ-2026-") and incident.item.number.startswith("CW-2026-")
    panel = incidents_panel(handler, {})
    assert panel.count == 1 and incident.number in panel.items[0]

    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        property.close_incident(actor=handler, incident=incident, help_given="赔偿换锁费用")
    assert refused.value.field == "help_given" and "告知" in str(refused.value.message)

    property.record_incident_told(
        actor=handler, incident=incident, told_at=now() - timedelta(hours=1), channel="phone"
    )
    with pytest.raises(InvalidInput) as empty:
        property.close_incident(actor=handler, incident=incident, help_given="  ")
    assert empty.value.field == "help_given"
    closed = property.close_incident(
        actor=handler, incident=incident, help_given="管理处承担换锁费用，当天更换新锁"
    )
    assert closed.status == "closed" and closed.closed_by_name == "handler_a"
    assert [e.kind for e in closed.events.order_by("at", "pk")] == ["reported", "told", "closed"]
    assert incidents_panel(handler, {}).count == 0


@pytest.mark.req("C-6")
def test_the_register_keeps_an_item_until_it_is_returned(world, clock):
    handler = world.users["handler_a"]
    item = item_of(world)
    updated = property.update_item(
        actor=handler,
        item=item,
        draft=property.ItemDraft(
            kind="key",
            description="入户门钥匙三把",
            estate=world.estate_a.pk,
            received_at=item.received_at,
            unit=world.unit_a.pk,
            kept_at="管理处保险柜",
        ),
        based_on=item.edit_version,
    )
    assert updated.kept_at == "管理处保险柜" and updated.edit_version == item.edit_version + 1
    returned = property.return_item(actor=handler, item=item, returned_at=now())
    assert returned.status == "returned" and returned.returned_by_name == "handler_a"
    with pytest.raises(AlreadyHandled):
        property.return_item(actor=handler, item=item, returned_at=now())


@pytest.mark.req("C-6")
def test_future_times_are_refused_with_the_form_kept(world, clock):
    item = item_of(world)
    client = world.client("handler_a")
    response = client.post(
        reverse("communication:incident_create", args=[item.pk]),
        {"kind": "damaged", "happened_at": "2026-03-11T09:00", "description": "包装破损，内有水渍"},
    )
    assert response.status_code == 422
    assert "包装破损，内有水渍" in response.content.decode()
    assert not PropertyIncident.objects.exists()
    response = client.post(
        reverse("communication:property_create"),
        {
            "estate": world.estate_a.pk,
            "unit": world.unit_a.pk,
            "kind": "parcel",
            "description": "顺丰快递一件",
            "status": "held",
            "received_at": "2026-03-12T09:00",
        },
    )
    assert response.status_code == 422 and "顺丰快递一件" in response.content.decode()
    assert PropertyItem.objects.count() == 1


@pytest.mark.req("C-6")
def test_the_pages_take_an_incident_from_report_to_closing(world, clock):
    item = item_of(world)
    client = world.client("handler_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.post(
        reverse("communication:incident_create", args=[item.pk]),
        {"kind": "damaged", "happened_at": "2026-03-10T08:00", "description": "钥匙扣断裂"},
    )
    assert response.status_code == 302
    incident = PropertyIncident.objects.get()
    close_url = reverse("communication:incident_close", args=[incident.pk])
    refused = client.post(close_url, {"help_given": "更换钥匙扣"})
    assert refused.status_code == 422 and "更换钥匙扣" in refused.content.decode()
    told = client.post(
        reverse("communication:incident_told", args=[incident.pk]),
        {"told_at": "2026-03-10T09:00", "channel": "phone", "told_by": "张管家"},
    )
    assert told.status_code == 302
    assert client.post(close_url, {"help_given": "更换钥匙扣"}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.told_by_name == "张管家"
    page = client.get(reverse("communication:incident_detail", args=[incident.pk])).content.decode()
    assert "更换钥匙扣" in page and "张管家" in page


@pytest.mark.req("C-6", "P-1")
def test_another_estates_handler_finds_none_of_the_property_pages(world, clock):
    incident = incident_of(world)
    client = world.client("handler_b")
    for name, pk in [
        ("property_detail", incident.item_id),
        ("property_edit", incident.item_id),
        ("property_return", incident.item_id),
        ("incident_create", incident.item_id),
        ("incident_detail", incident.pk),
        ("incident_told", incident.pk),
        ("incident_close", incident.pk),
    ]:
        url = reverse(f"communication:{name}", args=[pk])
        assert client.get(url).status_code == 404, name
        if not name.endswith("_detail"):
            assert client.post(url, {"help_given": "x"}).status_code == 404, name
    for name in ("property_list", "incident_list"):
        assert incident.number not in client.get(reverse(f"communication:{name}")).content.decode()
        assert incident.item.number not in client.get(reverse(f"communication:{name}")).content.decode()


@pytest.mark.req("C-6", "D-3")
def test_the_auditor_reads_with_names_masked_and_cannot_write(world, clock):
    incident = incident_of(world)
    with pytest.raises(NotAllowed):
        property.close_incident(actor=world.users["auditor"], incident=incident, help_given="x")
    client = world.client("auditor")
    for name in ("property_list", "incident_list"):
        page = client.get(reverse(f"communication:{name}")).content.decode()
        assert incident.item.number in page and "王小明" not in page and "王*明" in page
    assert client.get(reverse("communication:property_create")).status_code == 403
    response = client.post(
        reverse("communication:incident_told", args=[incident.pk]),
        {"told_at": "2026-03-10T09:00", "channel": "phone"},
    )
    assert response.status_code == 403
    export = client.get(reverse("communication:incident_export"))
    assert export.status_code == 200


@pytest.mark.req("C-6")
def test_a_stale_edit_of_the_register_answers_409_with_the_text_kept(world, clock):
    item = item_of(world)
    url = reverse("communication:property_edit", args=[item.pk])
    form = {
        "unit": world.unit_a.pk,
        "kind": "key",
        "status": "held",
        "received_at": "2026-03-07T10:00",
        "based_on_version": item.edit_version,
    }
    assert world.client("handler_a").post(url, {**form, "description": "钥匙两把"}).status_code == 302
    second = world.client("office_head_a").post(url, {**form, "description": "钥匙两把及门禁卡"})
    assert second.status_code == 409 and "钥匙两把及门禁卡" in second.content.decode()
