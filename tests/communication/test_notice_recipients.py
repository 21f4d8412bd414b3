"""Who a notice reached (SPEC C-3, D-3): the summary by building, read receipts, the list of
households to phone or visit for an urgent notice, the recorded call, the export and the
query budget of the page."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from estatedesk.communication.models import NoticeRecipient
from estatedesk.communication.services import notices
from estatedesk.core.clock import now
from estatedesk.org.models import Building
from tests.communication.conftest import add_households, draft


def _published(world, households=6, **changes):
    handler = world.users["handler_a"]
    add_households(world.building_a, households, phone_from=1)
    notice = notices.create_notice(actor=handler, draft=draft(world, **changes))
    return notices.publish_notice(actor=handler, notice=notice)


def _url(notice, **params):
    url = reverse("communication:notice_recipients", args=[notice.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.mark.req("C-3")
@pytest.mark.django_db
def test_the_page_shows_by_building_who_was_reached_and_who_read_it(world):
    other = Building.objects.create(estate=world.estate_a, name="5栋", floors=10)
    add_households(other, 2, start=501, phone_from=500)
    notice = _published(world, 4)
    readers = list(NoticeRecipient.objects.filter(notice=notice, building=world.building_a)[:2])
    for r in readers:
        r.read_at = now()
        r.save(update_fields=["read_at"])
    client = world.client("handler_a")
    with translation.override("zh-hans"):
        page = client.get(_url(notice, show="all"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # 3栋: the world's own flat and four more, all by SMS and on the portal; two of them read it.
    total = NoticeRecipient.objects.filter(notice=notice, building=world.building_a).count()
    assert total == 5
    assert f'data-building="{world.building_a.pk}"' in page and f'data-building="{other.pk}"' in page
    row = page.split(f'data-building="{world.building_a.pk}"')[1].split("</tr>")[0]
    assert '<td class="text-end summary-read">2</td>' in row
    assert f'<td class="text-end summary-unread">{total - 2}</td>' in row
    assert "短信" in page or "簡訊" in page or "SMS" in page
    read_row = page.split(f'id="household-{readers[0].unit_id}"')[1].split("</tr>")[0]
    assert "bi-check2-circle" in read_row
    assert "13800000001" not in page  # no phone on the page


@pytest.mark.req("C-3")
@pytest.mark.django_db
def test_an_urgent_notice_opens_on_the_households_to_phone_and_a_call_takes_one_off(world):
    notice = _published(world, 3, urgent=True)
    read, called, *rest = list(NoticeRecipient.objects.filter(notice=notice).select_related("unit"))
    read.read_at = now()
    read.save(update_fields=["read_at"])
    client = world.client("handler_a")
    page = client.get(_url(notice)).content.decode()
    assert 'id="to-contact-help"' in page
    assert f'id="household-{read.unit_id}"' not in page
    assert f'id="household-{called.unit_id}"' in page

    response = client.post(
        reverse("communication:notice_contact", args=[notice.pk, called.unit_id]),
        {"channel": "phone", "outcome": "已电话告知，业主会提前储水", "back": "show=to_contact"},
    )
    assert response.status_code == 302 and "show=to_contact" in response["Location"]
    called.refresh_from_db()
    assert called.contacted_at is not None and called.contact_channel == "phone"
    assert called.contacted_by_name == "handler_a"
    page = client.get(_url(notice)).content.decode()
    assert f'id="household-{called.unit_id}"' not in page
    assert all(f'id="household-{r.unit_id}"' in page for r in rest)
    # Still there among the unread, with the call recorded.
    page = client.get(_url(notice, show="unread")).content.decode()
    assert "已电话告知" in page


@pytest.mark.req("C-3")
@pytest.mark.django_db
def test_a_call_with_no_outcome_is_refused_and_keeps_what_was_typed(world):
    notice = _published(world, 2, urgent=True)
    recipient = NoticeRecipient.objects.filter(notice=notice).first()
    client = world.client("handler_a")
    with translation.override("zh-hans"):
        response = client.post(
            reverse("communication:notice_contact", args=[notice.pk, recipient.unit_id]),
            {"channel": "face_to_face", "outcome": "   "},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="contact-failed"' in page
    assert 'value="face_to_face" selected' in page
    recipient.refresh_from_db()
    assert recipient.contacted_at is None


@pytest.mark.req("C-3")
@pytest.mark.django_db
def test_staff_who_may_see_contacts_reveal_a_phone_through_the_logged_customer_flow(world):
    notice = _published(world, 1, urgent=True)
    page = world.client("handler_a").get(_url(notice)).content.decode()
    customer = world.customer_a
    assert reverse("org:customer_reveal", args=[customer.pk]) in page
    assert "13812341234" not in page and "138****1234" in page
    audited = world.client("auditor").get(_url(notice)).content.decode()
    assert "customer_reveal" not in audited and "/reveal/" not in audited and "王小明" not in audited


@pytest.mark.req("C-3")
@pytest.mark.req("D-3")
@pytest.mark.django_db
def test_the_export_lists_households_by_unit_without_names_or_phones(world):
    notice = _published(world, 3)
    response = world.client("handler_a").get(
        reverse("communication:notice_recipients_export", args=[notice.pk])
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c.value or "") for row in sheet.iter_rows() for c in row]
    assert sheet.max_row == 1 + 4  # the header and four households
    assert "1201" in cells
    assert not any("139000" in c or "138123" in c or "业主" in c or "王小明" in c for c in cells)


@pytest.mark.req("C-3")
@pytest.mark.django_db
def test_the_page_costs_the_same_queries_with_500_households(world, django_assert_max_num_queries):
    notice = _published(world, 500, urgent=True)
    client = world.client("handler_a")
    client.get(_url(notice))  # warm the session and the caches
    with django_assert_max_num_queries(20):
        response = client.get(_url(notice, show="all", page=5))
    assert response.status_code == 200
    assert response.content.decode().count('class="household-row"') == 50


@pytest.mark.req("P-1")
@pytest.mark.django_db
def test_another_estates_notice_is_not_found_on_every_recipients_url(world):
    notice = _published(world, 1)
    unit = NoticeRecipient.objects.filter(notice=notice).first().unit_id
    client = world.client("handler_b")
    assert client.get(_url(notice)).status_code == 404
    assert client.get(reverse("communication:notice_recipients_export", args=[notice.pk])).status_code == 404
    response = client.post(
        reverse("communication:notice_contact", args=[notice.pk, unit]), {"channel": "phone", "outcome": "x"}
    )
    assert response.status_code == 404
    assert not NoticeRecipient.objects.filter(notice=notice, contacted_at__isnull=False).exists()


@pytest.mark.req("C-3")
@pytest.mark.django_db
def test_a_draft_says_how_many_households_it_would_reach(world):
    add_households(world.building_a, 2)
    notice = notices.create_notice(actor=world.users["handler_a"], draft=draft(world))
    page = world.client("handler_a").get(_url(notice)).content.decode()
    assert 'id="not-published"' in page and "3" in page
