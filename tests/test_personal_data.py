"""SPEC D-3: phone numbers encrypted at rest, masked in lists and exports, revealing is logged."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.urls import reverse

from estatedesk.core import crypto
from estatedesk.org.models import Customer
from estatedesk.records.models import PersonalDataAccess


@pytest.mark.req("D-3")
def test_phone_is_stored_encrypted_and_found_by_exact_number(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM org_customer WHERE id = %s", [world.customer_a.pk])
        raw_phone, index = cursor.fetchone()
    assert "13812341234" not in raw_phone and "1234" not in index
    assert Customer.objects.get(pk=world.customer_a.pk).phone == "13812341234"
    for spelling in ["13812341234", "138 1234 1234", "+86 138-1234-1234"]:
        assert list(Customer.objects.filter(phone_index=crypto.blind_index(spelling))) == [world.customer_a]


@pytest.mark.req("D-3")
def test_history_keeps_phones_encrypted_too(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM org_historicalcustomer")
        values = [row[0] for row in cursor.fetchall()]
    assert values and all("13812341234" not in v for v in values)


@pytest.mark.req("D-3")
@pytest.mark.parametrize(
    ("number", "masked"), [("13812341234", "138****1234"), ("075512345678", "075*****5678"), ("", "")]
)
def test_masking(number, masked):
    assert crypto.mask_phone(number) == masked


@pytest.mark.req("D-3")
def test_lists_show_masked_phones_and_staff_search_by_full_number(world):
    client = world.client("handler_a")
    page = client.get(reverse("org:customer_list")).content.decode()
    assert "138****1234" in page and "13812341234" not in page
    page = client.get(reverse("org:customer_list"), {"q": "138 1234 1234"}).content.decode()
    assert "王小明" in page
    page = client.get(reverse("org:customer_list"), {"q": "1234"}).content.decode()
    assert "王小明" not in page  # a fragment of a number finds nobody


@pytest.mark.req("D-3")
def test_revealing_a_number_is_deliberate_and_logged(world):
    client = world.client("handler_a")
    detail = client.get(reverse("org:customer_detail", args=[world.customer_a.pk])).content.decode()
    assert "13812341234" not in detail and "138****1234" in detail
    response = client.post(reverse("org:customer_reveal", args=[world.customer_a.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "13812341234" in response.content.decode()
    log = PersonalDataAccess.objects.get()
    assert (
        log.user == world.users["handler_a"]
        and log.subject_id == world.customer_a.pk
        and log.field == "phone"
    )
    # GET does not reveal
    assert client.get(reverse("org:customer_reveal", args=[world.customer_a.pk])).status_code == 405


@pytest.mark.req("D-3")
def test_auditors_get_masked_names_and_cannot_reveal(world):
    client = world.client("auditor")
    page = client.get(reverse("org:customer_list")).content.decode()
    assert "王小明" not in page and "王*明" in page
    assert client.post(reverse("org:customer_reveal", args=[world.customer_a.pk])).status_code == 403
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.req("D-3")
@pytest.mark.req("A-3")
def test_excel_export_masks_phones_and_keeps_the_scope(world):
    response = world.client("handler_a").get(reverse("org:customer_export"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "138****1234" in values
    assert not any("13812341234" in v for v in values)
    assert not any("金山科技" in v for v in values)


@pytest.mark.req("D-3")
def test_a_bad_phone_number_is_refused_with_a_message_and_nothing_typed_is_lost(world):
    client = world.client("admin")
    data = {
        "estate": world.estate_a.pk,
        "name": "張三豐",
        "kind": "owner",
        "phone_input": "12ab",
        "notes": "三樓漏水",
    }
    response = client.post(reverse("org:customer_create"), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "張三豐" in page and "三樓漏水" in page and "12ab" in page
    assert not Customer.objects.filter(name="張三豐").exists()


@pytest.mark.req("D-3")
def test_auditors_see_committee_members_names_masked_on_the_page_and_in_the_export(world):
    from estatedesk.org.models import CommitteeMember

    member = CommitteeMember.objects.create(estate=world.estate_a, name="欧阳振华", position="主任")
    auditor, handler = world.client("auditor"), world.client("handler_a")
    masked = crypto.mask_name(member.name)
    assert masked != member.name
    page = auditor.get(reverse("org:committee_list")).content.decode()
    assert masked in page and member.name not in page
    detail = auditor.get(reverse("org:committee_detail", args=[member.pk])).content.decode()
    assert member.name not in detail
    book = openpyxl.load_workbook(io.BytesIO(auditor.get(reverse("org:committee_export")).content))
    values = [str(c.value) for row in book.active.iter_rows() for c in row if c.value]
    assert masked in values and member.name not in values
    assert member.name in handler.get(reverse("org:committee_list")).content.decode()


@pytest.mark.req("D-3")
def test_an_auditor_opening_a_customer_sees_the_masked_name_in_the_title_too(world):
    page = (
        world.client("auditor")
        .get(reverse("org:customer_detail", args=[world.customer_a.pk]))
        .content.decode()
    )
    assert world.customer_a.name not in page
    assert crypto.mask_name(world.customer_a.name) in page


def _cookie_texts(response) -> list[str]:
    """Every cookie the response sets, and what a messages cookie says once decoded."""
    texts = []
    for morsel in response.cookies.values():
        texts.append(morsel.value)
        if morsel.key == CookieStorage.cookie_name and morsel.value:
            stored = CookieStorage(response.wsgi_request)._decode(morsel.value) or []
            texts.extend(str(message) for message in stored)
    return texts


@pytest.mark.req("D-3")
def test_revealing_without_htmx_shows_the_number_in_the_page_and_never_in_a_cookie(world):
    client = world.client("handler_a")
    response = client.post(reverse("org:customer_reveal", args=[world.customer_a.pk]))
    assert response.status_code == 200
    assert "13812341234" in response.content.decode()  # the page itself shows it, once
    assert CookieStorage.cookie_name not in response.cookies
    assert all("13812341234" not in text for text in _cookie_texts(response))
    assert PersonalDataAccess.objects.filter(subject_id=world.customer_a.pk, field="phone").count() == 1
    # The next visit of the page shows the masked number again.
    again = client.get(reverse("org:customer_detail", args=[world.customer_a.pk])).content.decode()
    assert "13812341234" not in again and "138****1234" in again


@pytest.mark.req("D-3")
def test_messages_are_kept_on_the_server_never_in_a_cookie(world):
    client = world.client("admin")
    response = client.post(
        reverse("org:customer_edit", args=[world.customer_a.pk]),
        {"estate": world.estate_a.pk, "name": "王小明", "kind": "owner", "phone_input": "13812341234"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert CookieStorage.cookie_name not in response.cookies
    assert "13812341234" not in "".join(_cookie_texts(response))
    shown = client.get(response["Location"]).content.decode()
    assert "已保存。" in shown  # "Saved.", carried by the session to the next page
    assert "13812341234" not in shown and "138****1234" in shown
