"""Administrators keep the complaint categories (SPEC K-3): add, rename in three languages,
reorder, deactivate, delete only while unused; everyone sees the names in their language."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from estatedesk.complaints import categories
from estatedesk.complaints.models import Category
from estatedesk.core.errors import NotAllowed
from tests.complaints.conftest import record
from tests.helpers import form_version
from tests.test_portal import estate_url, resident

pytestmark = pytest.mark.req("K-3")


def _client(world: Any, persona: str = "admin", language: str = "en") -> Client:
    client = world.client(persona)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _offered(html: str) -> list[str]:
    """The category options of the form on the page, in order."""
    select = re.search(r'<select name="category"[^>]*>(.*?)</select>', html, re.S)
    assert select, "the page has a category field"
    return [
        label.strip() for label in re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", select.group(1))
    ]


def _listed(html: str) -> list[str]:
    return re.findall(r'data-code="([^"]+)"', html)


def _add(client: Client, **names: str) -> Any:
    data = {"name_zh_hans": "电梯", "name_zh_hant": "電梯", "name_en": "Lifts", "code": ""}
    data.update(names)
    return client.post(reverse("complaints:category_create"), data)


def test_an_administrator_adds_a_category_and_it_is_offered_at_once(world):
    admin = _client(world)
    page = admin.get(reverse("complaints:category_list"))
    assert page.status_code == 200 and "Complaint categories" in page.content.decode()

    response = _add(admin)
    assert response.status_code == 302 and response["Location"] == reverse("complaints:category_list")
    lifts = Category.objects.get(name_en="Lifts")
    assert lifts.code == "lifts" and lifts.active
    assert list(lifts.history.values_list("order", flat=True)) == [110]  # created at its place
    # New categories go before "Other", which stays last.
    codes = _listed(admin.get(reverse("complaints:category_list")).content.decode())
    assert codes[-2:] == ["lifts", "other"]
    assert _offered(_client(world, "handler_a").get(reverse("complaints:intake")).content.decode())[-2:] == [
        "Lifts",
        "Other",
    ]
    # The change history says who added it.
    history = admin.get(reverse("complaints:category_edit", args=[lifts.pk])).content.decode()
    assert "Created" in history and "admin" in history


def test_a_new_category_needs_a_name_and_unique_names(world):
    admin = _client(world)
    response = _add(admin, name_zh_hans="  ")
    assert response.status_code == 422 and "This field is required." in response.content.decode()
    response = _add(admin, name_zh_hans="维修", name_zh_hant="電梯", name_en="Lifts")
    assert response.status_code == 422
    assert "Another category already has this name." in response.content.decode()
    assert 'value="Lifts"' in response.content.decode()  # nothing typed is lost
    assert not Category.objects.filter(name_en="Lifts").exists()


def test_an_administrator_renames_in_three_languages_and_every_page_shows_the_new_name(world):
    complaint = record(world)
    repairs = complaint.category
    admin = _client(world)
    edit = admin.get(reverse("complaints:category_edit", args=[repairs.pk])).content.decode()
    response = admin.post(
        reverse("complaints:category_rename", args=[repairs.pk]),
        {
            "name_zh_hans": "维修养护",
            "name_zh_hant": "維修養護",
            "name_en": "Repairs and upkeep",
            "based_on_version": form_version(edit),
        },
    )
    assert response.status_code == 302
    repairs.refresh_from_db()
    assert (repairs.name_zh_hans, repairs.name_zh_hant, repairs.name_en) == (
        "维修养护",
        "維修養護",
        "Repairs and upkeep",
    )
    assert repairs.code == "repairs"  # the API's code does not change
    for language, name in [("zh-hans", "维修养护"), ("zh-hant", "維修養護"), ("en", "Repairs and upkeep")]:
        handler = _client(world, "handler_a", language)
        assert name in handler.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
        assert name in handler.get(reverse("complaints:list")).content.decode()
    history = admin.get(reverse("complaints:category_edit", args=[repairs.pk])).content.decode()
    assert "维修" in history and "维修养护" in history  # from what to what


def test_two_administrators_renaming_at_once_get_one_success_and_one_409(world):
    repairs = Category.objects.get(code="repairs")
    first, second = _client(world), _client(world)
    url = reverse("complaints:category_edit", args=[repairs.pk])
    version = form_version(first.get(url).content.decode())
    assert version == form_version(second.get(url).content.decode())
    rename = reverse("complaints:category_rename", args=[repairs.pk])
    ok = first.post(rename, {"name_zh_hans": "维修一", "based_on_version": version})
    assert ok.status_code == 302
    late = second.post(rename, {"name_zh_hans": "维修二", "based_on_version": version})
    assert late.status_code == 409
    html = late.content.decode()
    assert "维修一" in html and "维修二" in html  # theirs next to mine, mine kept in the form
    repairs.refresh_from_db()
    assert repairs.name_zh_hans == "维修一"
    again = second.post(rename, {"name_zh_hans": "维修二", "based_on_version": form_version(html)})
    assert again.status_code == 302
    repairs.refresh_from_db()
    assert repairs.name_zh_hans == "维修二"


def test_an_administrator_reorders_the_categories(world):
    admin = _client(world)
    other = Category.objects.get(code="other")
    funds = Category.objects.get(code="funds")
    assert (
        admin.post(reverse("complaints:category_move", args=[other.pk]), {"direction": "up"}).status_code
        == 302
    )
    codes = _listed(admin.get(reverse("complaints:category_list")).content.decode())
    assert codes[-2:] == ["other", "funds"]
    assert _offered(_client(world, "handler_a").get(reverse("complaints:intake")).content.decode())[-2:] == [
        "Other",
        "Funds management",
    ]
    # The first one cannot move further up: nothing changes.
    first = Category.objects.get(code=codes[0])
    admin.post(reverse("complaints:category_move", args=[first.pk]), {"direction": "up"})
    assert _listed(admin.get(reverse("complaints:category_list")).content.decode()) == codes
    admin.post(reverse("complaints:category_move", args=[funds.pk]), {"direction": "up"})
    assert _listed(admin.get(reverse("complaints:category_list")).content.decode())[-2:] == ["funds", "other"]


def test_a_deactivated_category_is_not_offered_but_old_complaints_keep_it(world):
    complaint = record(world)  # repairs
    repairs = complaint.category
    admin = _client(world)
    response = admin.post(reverse("complaints:category_active", args=[repairs.pk]), {"active": "0"})
    assert response.status_code == 302
    repairs.refresh_from_db()
    assert not repairs.active

    handler = _client(world, "handler_a")
    assert "Repairs and maintenance" not in _offered(
        handler.get(reverse("complaints:intake")).content.decode()
    )
    portal = resident().get(estate_url(world)).content.decode()
    assert "Repairs and maintenance" not in _offered(portal) and "Cleaning" in _offered(portal)
    # The old complaint still shows it, and lists can still be filtered by it.
    assert (
        "Repairs and maintenance"
        in handler.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    )
    listed = handler.get(reverse("complaints:list"), {"category": repairs.pk}).content.decode()
    assert complaint.number in listed
    page = admin.get(reverse("complaints:category_list")).content.decode()
    assert 'data-code="repairs" data-active="0"' in page and "Deactivated" in page

    admin.post(reverse("complaints:category_active", args=[repairs.pk]), {"active": "1"})
    assert "Repairs and maintenance" in _offered(handler.get(reverse("complaints:intake")).content.decode())


def test_a_used_category_cannot_be_deleted_and_an_unused_one_can(world):
    complaint = record(world)
    admin = _client(world)
    response = admin.post(reverse("complaints:category_delete", args=[complaint.category.pk]))
    assert response.status_code == 422
    html = response.content.decode()
    assert "1 complaint uses this category, so it cannot be deleted. Deactivate it instead" in html
    assert Category.objects.filter(pk=complaint.category.pk).exists()

    _add(admin)
    lifts = Category.objects.get(code="lifts")
    assert admin.post(reverse("complaints:category_delete", args=[lifts.pk])).status_code == 302
    assert not Category.objects.filter(code="lifts").exists()


def test_the_refusal_is_in_the_users_language(world):
    complaint = record(world)
    response = _client(world, language="zh-hans").post(
        reverse("complaints:category_delete", args=[complaint.category.pk])
    )
    assert response.status_code == 422
    assert "不能删除" in response.content.decode() and "停用" in response.content.decode()


@pytest.mark.req("P-1")
@pytest.mark.parametrize("persona", ["handler_a", "department_head", "deputy_gm", "gm", "auditor"])
def test_other_staff_are_refused(world, persona):
    repairs = Category.objects.get(code="repairs")
    client = _client(world, persona)
    assert client.get(reverse("complaints:category_list")).status_code == 403
    assert client.get(reverse("complaints:category_edit", args=[repairs.pk])).status_code == 403
    assert client.post(reverse("complaints:category_create"), {"name_zh_hans": "电梯"}).status_code == 403
    for name, data in [
        ("category_rename", {"name_zh_hans": "x", "based_on_version": "0"}),
        ("category_move", {"direction": "up"}),
        ("category_active", {"active": "0"}),
        ("category_delete", {}),
    ]:
        assert client.post(reverse(f"complaints:{name}", args=[repairs.pk]), data).status_code == 403, name
    repairs.refresh_from_db()
    assert repairs.name_zh_hans == "维修" and repairs.active
    with pytest.raises(NotAllowed):
        categories.set_category_active(actor=world.users[persona], category=repairs.pk, active=False)
    # The menu shows the page to administrators only.
    assert reverse("complaints:category_list") not in client.get(reverse("home")).content.decode()
    assert reverse("complaints:category_list") in _client(world).get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("language", "name"),
    [("zh-hans", "维修"), ("zh-hant", "維修"), ("en", "Repairs and maintenance")],
)
def test_the_name_is_shown_in_the_users_language(world, language, name):
    complaint = record(world)
    handler = _client(world, "handler_a", language)
    assert name in handler.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert name in _offered(handler.get(reverse("complaints:intake")).content.decode())
    assert name in _offered(resident(language).get(estate_url(world)).content.decode())
    book = openpyxl.load_workbook(io.BytesIO(handler.get(reverse("complaints:export")).content))
    assert name in [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row]
