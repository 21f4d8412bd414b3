"""Entering rectification items on a phone, one screen per unit (SPEC R-1, R-2, W-1; decision 0039).

The unit's screen takes one item at a time: by ``fetch`` (JSON answers: 201 with the new row,
422 naming the field) or as an ordinary form (a redirect back, or 422 with what was typed
kept). Only the property company's people who enter items may use it; a unit outside the
report's estate is not found.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from estatedesk.rectification.models import Item, ItemPhoto
from tests.rectification.conftest import photo
from tests.test_i18n_pages import leftovers

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def _unit_url(rect, unit=None):
    return reverse("rectification:unit_items", args=[rect.report.pk, (unit or rect.world.unit_a).pk])


@pytest.mark.req("R-1")
@pytest.mark.req("W-1")
def test_an_item_sent_by_the_phone_is_recorded_with_its_photos_and_answered_201(rect):
    client = rect.world.client("handler_a")
    response = client.post(
        _unit_url(rect),
        {
            "location": "主卧",
            "category": "walls",
            "description": "窗边墙面裂缝约30厘米",
            "photos": [photo("a.jpg"), photo("b.jpg", (10, 20, 30))],
        },
        **JSON,
    )
    assert response.status_code == 201
    body = response.json()
    item = Item.objects.get(pk=body["item"]["id"])
    assert item.unit == rect.world.unit_a and item.report == rect.report
    assert (item.location, item.category, item.source) == ("主卧", "walls", "handover")
    assert body["item"]["photos"] == 2 == ItemPhoto.objects.filter(item=item, stage="reported").count()
    assert item.number in body["html"] and f'data-item-id="{item.pk}"' in body["html"]
    page = client.get(_unit_url(rect)).content.decode()
    assert item.number in page and "窗边墙面裂缝" in page


@pytest.mark.req("R-1")
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "  "}, "description"),
        ({"location": ""}, "location"),
        ({"category": "roof"}, "category"),
        ({"description": "字" * 1001}, "description"),
    ],
)
def test_a_refused_item_answers_422_naming_its_field_and_records_nothing(rect, changes, field):
    data = {"location": "厨房", "category": "plumbing", "description": "水槽下水慢", **changes}
    response = rect.world.client("handler_a").post(_unit_url(rect), data, **JSON)
    assert response.status_code == 422
    assert response.json()["field"] == field and response.json()["detail"]
    assert not Item.objects.filter(report=rect.report).exists()


@pytest.mark.req("R-1")
def test_a_file_that_is_not_a_photo_is_refused_on_the_photos_field(rect):
    from django.core.files.uploadedfile import SimpleUploadedFile  # only this test builds a fake file

    bad = SimpleUploadedFile("crack.jpg", b"not a picture", "image/jpeg")
    data = {"location": "厨房", "category": "plumbing", "description": "水槽下水慢", "photos": [bad]}
    response = rect.world.client("handler_a").post(_unit_url(rect), data, **JSON)
    assert response.status_code == 422 and response.json()["field"] == "photos"
    assert not Item.objects.exists()


@pytest.mark.req("R-1")
@pytest.mark.req("W-1")
def test_without_a_script_the_form_redirects_back_or_keeps_what_was_typed(rect):
    client = rect.world.client("handler_a")
    response = client.post(
        _unit_url(rect), {"location": "阳台", "category": "waterproofing", "description": "地漏反水"}
    )
    assert response.status_code == 302 and response["Location"] == _unit_url(rect)
    assert Item.objects.get(report=rect.report).description == "地漏反水"

    refused = client.post(
        _unit_url(rect), {"location": "阳台", "category": "", "description": "栏杆松动需要加固"}
    )
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "栏杆松动需要加固" in page and 'value="阳台"' in page
    assert 'id="entry-category-error" data-field="category">' in page
    assert Item.objects.filter(report=rect.report).count() == 1


@pytest.mark.req("R-1")
def test_public_areas_have_their_own_screen_with_items_of_no_unit(rect):
    client = rect.world.client("handler_a")
    url = reverse("rectification:unit_public", args=[rect.report.pk])
    assert "3栋" in client.get(url).content.decode()  # the buildings are offered as chips
    response = client.post(
        url, {"location": "3栋大堂", "category": "public_areas", "description": "地砖空鼓"}, **JSON
    )
    assert response.status_code == 201
    item = Item.objects.get(pk=response.json()["item"]["id"])
    assert item.unit is None and item.location == "3栋大堂"
    assert item.number in client.get(url).content.decode()
    assert item.number not in client.get(_unit_url(rect)).content.decode()


@pytest.mark.req("R-1")
@pytest.mark.req("P-1")
def test_a_unit_of_another_estate_is_not_found(rect):
    client = rect.world.client("handler_a")
    url = _unit_url(rect, rect.world.unit_b)
    assert client.get(url).status_code == 404
    data = {"location": "前台", "category": "walls", "description": "墙面裂缝"}
    assert client.post(url, data, **JSON).status_code == 404
    assert not Item.objects.exists()


@pytest.mark.req("R-1")
@pytest.mark.req("P-1")
def test_another_estates_report_is_not_found(rect):
    client = rect.world.client("handler_b")
    for name in ("rectification:unit_entry", "rectification:unit_public", "rectification:report_import"):
        assert client.get(reverse(name, args=[rect.report.pk])).status_code == 404, name
    assert client.get(_unit_url(rect)).status_code == 404


@pytest.mark.req("R-1")
@pytest.mark.req("P-1")
@pytest.mark.parametrize("persona", ["dev_x", "team_x", "auditor"])
def test_the_developer_the_team_and_others_cannot_enter_items(rect, persona):
    item = rect.item()
    rect.walk(item, "team_fixing")  # dev_x and team_x now see the report
    client = rect.world.client("handler_a")
    client.force_login(rect.user(persona))
    for url in (
        reverse("rectification:unit_entry", args=[rect.report.pk]),
        _unit_url(rect),
        reverse("rectification:unit_public", args=[rect.report.pk]),
        reverse("rectification:report_import", args=[rect.report.pk]),
    ):
        assert client.get(url).status_code == 403, url
    data = {"location": "主卧", "category": "walls", "description": "另一条"}
    assert client.post(_unit_url(rect), data, **JSON).status_code == 403
    assert Item.objects.count() == 1


@pytest.mark.req("R-1")
def test_duty_staff_enter_items_too(rect):
    client = rect.world.client("colleague_a")  # duty staff of estate A's office
    data = {"location": "入户门", "category": "doors_windows", "description": "门锁不顺"}
    assert client.post(_unit_url(rect), data, **JSON).status_code == 201


@pytest.mark.req("R-1")
def test_the_unit_picker_lists_buildings_and_units_in_natural_order_and_finds_a_unit(rect):
    from estatedesk.org.models import Building, Unit  # only this test adds buildings

    world = rect.world
    b10 = Building.objects.create(estate=world.estate_a, name="10栋")
    b2 = Building.objects.create(estate=world.estate_a, name="2栋")
    for number in ("1001", "201", "90"):
        Unit.objects.create(estate=world.estate_a, building=b2, number=number)
    Unit.objects.create(estate=world.estate_a, building=b10, number="101")
    rect.item()
    client = world.client("handler_a")
    url = reverse("rectification:unit_entry", args=[rect.report.pk])
    page = client.get(url).content.decode()
    assert page.index(">2栋<") < page.index(">3栋<") < page.index(">10栋<")
    assert page.index(">90") < page.index(">201") < page.index(">1001")
    assert "金山" not in page and "2001" not in page  # estate B's building and unit
    found = client.get(url, {"q": "3栋-1201"})
    assert found.status_code == 302 and found["Location"] == _unit_url(rect)
    assert client.get(url, {"q": "3棟 1201"})["Location"] == _unit_url(rect)
    assert "9999" in client.get(url, {"q": "3栋-9999"}).content.decode()


@pytest.mark.req("P-3")
def test_the_entry_pages_in_chinese_show_no_english(rect):
    rect.item()
    client = rect.world.client("handler_a")
    client.cookies["estatedesk_language"] = "zh-hans"
    pages = [
        reverse("rectification:unit_entry", args=[rect.report.pk]),
        _unit_url(rect),
        reverse("rectification:unit_public", args=[rect.report.pk]),
        reverse("rectification:report_import", args=[rect.report.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert leftovers(response.content.decode()) == [], url
    refused = client.post(_unit_url(rect), {"location": "", "category": "", "description": ""})
    assert refused.status_code == 422
    assert leftovers(refused.content.decode()) == []
    assert "客厅" in client.get(_unit_url(rect)).content.decode()


@pytest.mark.req("R-1")
def test_control_characters_typed_into_the_form_are_dropped(rect):
    data = {"location": "主卧\x00", "category": "walls", "description": "墙面\x00裂缝\n窗台\x07渗水"}
    response = rect.world.client("handler_a").post(_unit_url(rect), data, **JSON)
    assert response.status_code == 201
    item = Item.objects.get()
    assert (item.location, item.description) == ("主卧", "墙面裂缝\n窗台渗水")


@pytest.mark.req("R-1")
def test_the_picker_and_the_unit_screen_read_in_a_fixed_number_of_queries(rect):
    from django.db import connection  # only this test counts queries
    from django.test.utils import CaptureQueriesContext

    from estatedesk.org.models import Unit

    client = rect.world.client("handler_a")
    picker = reverse("rectification:unit_entry", args=[rect.report.pk])

    def counts():
        found = []
        for url in (picker, _unit_url(rect)):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    rect.item()
    counts()  # the first requests also load what is cached for the session afterwards
    before = counts()
    for n in range(20):
        Unit.objects.create(estate=rect.world.estate_a, building=rect.world.building_a, number=f"{n + 1}02")
        rect.item(description=f"问题{n}")
    assert counts() == before
