"""Staff pages: every register lists, searches, pages and edits with a fixed query budget."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estatedesk.org import services
from estatedesk.org.models import Customer, Unit


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def _add_units(world, n, start):
    for i in range(start, start + n):
        unit = Unit.objects.create(estate=world.estate_a, building=world.building_a, number=f"{i:04d}")
        services.save_customer(
            actor=None,
            customer=Customer(estate=world.estate_a, name=f"業主{i}"),
            phone=f"1390000{i:04d}",
            units=[unit],
        )


@pytest.mark.req("A-1")
@pytest.mark.parametrize(
    "url_name",
    [
        "org:unit_list",
        "org:customer_list",
        "org:estate_list",
        "org:staff_list",
        "org:department_list",
        "org:building_list",
        "org:committee_list",
    ],
)
@pytest.mark.parametrize("persona", ["handler_a", "deputy_gm"])
def test_list_pages_query_count_does_not_grow_with_rows(world, url_name, persona):
    client = world.client(persona)
    _add_units(world, 3, 0)
    client.get(reverse("home"))  # the first request of a session also writes the session
    few = _queries(client, reverse(url_name))
    _add_units(world, 60, 100)
    assert _queries(client, reverse(url_name)) == few
    assert _queries(client, reverse(url_name) + "?page=2") <= few


@pytest.mark.req("A-1")
@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("3栋-1201", True),
        ("3栋 1201", True),
        ("3-1201", True),
        ("1201", True),
        ("4-1201", False),
        ("3栋-9999", False),
    ],
)
def test_unit_search_by_building_and_number(world, query, found):
    page = world.client("handler_a").get(reverse("org:unit_list"), {"q": query}).content.decode()
    assert (f'/org/units/{world.unit_a.pk}/"' in page) is found


@pytest.mark.req("A-1")
def test_paging(world):
    _add_units(world, 120, 0)
    client = world.client("handler_a")
    page1 = client.get(reverse("org:unit_list")).content.decode()
    page3 = client.get(reverse("org:unit_list"), {"page": 3}).content.decode()
    assert "?page=2" in page1 and "0000" in page1
    assert "0000" not in page3
    assert (
        client.get(reverse("org:unit_list"), {"page": "abc"}).status_code == 200
    )  # bad page number: first page
    assert client.get(reverse("org:unit_list"), {"page": 99999}).status_code == 200  # past the end: last page


@pytest.mark.req("A-1")
def test_administrator_creates_estate_building_unit_and_staff(world):
    client = world.client("admin")
    response = client.post(
        reverse("org:estate_create"),
        {
            "name": "海景花園",
            "code": "C",
            "kind": "residential",
            "address": "",
            "office_hours": "09:00-12:00,14:00-18:00",
            "active": "on",
        },
    )
    assert response.status_code == 302
    from estatedesk.org.models import Estate

    estate = Estate.objects.get(code="C")
    response = client.post(reverse("org:building_create"), {"estate": estate.pk, "name": "1栋", "floors": 20})
    assert response.status_code == 302
    response = client.post(
        reverse("org:staff_create"),
        {
            "username": "new_handler",
            "display_name": "陳經理",
            "role": "handler",
            "email": "",
            "phone": "",
            "estates": [estate.pk],
            "password": "a-Long-passw0rd!",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client = world.client("anonymous")
    client.post(reverse("login"), {"username": "new_handler", "password": "a-Long-passw0rd!"})
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.req("A-1")
def test_bad_office_hours_get_a_message_and_keep_the_form(world):
    client = world.client("admin")
    data = {
        "name": "海景花園",
        "code": "C",
        "kind": "residential",
        "address": "海濱路1號",
        "office_hours": "18:00-09:00",
        "active": "on",
    }
    response = client.post(reverse("org:estate_create"), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "海濱路1號" in page and "18:00-09:00" in page and "invalid-feedback" in page


@pytest.mark.req("A-1")
def test_company_settings_validate_time_zone(world):
    client = world.client("admin")
    response = client.get(reverse("org:settings_edit"))
    assert response.status_code == 200
    data = {
        "name": "測試物業",
        "time_zone": "Mars/Base",
        "office_hours": "08:30-12:00,13:30-17:30",
        "urgent_reply_hours": 2,
        "normal_reply_working_days": 2,
        "invalid_explanation_working_days": 1,
        "counting_mode": "civil",
        "due_soon_hours": 4,
        "urgent_due_soon_minutes": 30,
        "satisfaction_target": "90",
        "survey_share": "50",
        "survey_return_threshold": "50",
        "survey_return_step": "5",
        "survey_return_penalty": "1",
        "survey_key_lookback_days": 365,
        "notice_lead_hours": 24,
    }
    response = client.post(reverse("org:settings_edit"), data)
    assert response.status_code == 422 and "Mars/Base" in response.content.decode()
    data["time_zone"] = "Asia/Hong_Kong"
    assert client.post(reverse("org:settings_edit"), data).status_code == 302


@pytest.mark.req("A-1")
def test_a_customer_is_linked_to_units_by_building_and_number(world):
    client = world.client("handler_a")
    other = Unit.objects.create(estate=world.estate_a, building=world.building_a, number="1202", floor=12)
    data = {
        "estate": world.estate_a.pk,
        "name": "趙敏",
        "kind": "tenant",
        "phone_input": "13700001111",
        "unit_labels": "3栋-1201， 3栋-1202",
        "email": "",
        "contact_person": "",
        "notes": "",
    }
    response = client.post(reverse("org:customer_create"), data)
    assert response.status_code == 302
    customer = Customer.objects.get(name="趙敏")
    assert set(customer.units.all()) == {world.unit_a, other}
    # the edit form shows the units as typed labels, and dropping one unlinks it
    page = client.get(reverse("org:customer_edit", args=[customer.pk])).content.decode()
    assert "3栋-1201, 3栋-1202" in page
    data["unit_labels"] = "3栋-1202"
    assert client.post(reverse("org:customer_edit", args=[customer.pk]), data).status_code == 302
    assert list(customer.units.all()) == [other]


@pytest.mark.req("A-1")
def test_an_unknown_unit_gets_a_message_and_keeps_the_form(world):
    client = world.client("handler_a")
    data = {
        "estate": world.estate_a.pk,
        "name": "趙敏",
        "kind": "tenant",
        "phone_input": "",
        "unit_labels": "3栋-1201, 9栋-0101, A座-2001",
        "email": "",
        "contact_person": "",
        "notes": "新住戶",
    }
    response = client.post(reverse("org:customer_create"), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        "9栋-0101" in page and "A座-2001" in page and "新住戶" in page
    )  # another estate's unit is unknown here
    assert not Customer.objects.filter(name="趙敏").exists()


@pytest.mark.req("A-1")
def test_a_committee_member_is_linked_to_a_customer_by_phone(world):
    from estatedesk.org.models import CommitteeMember

    client = world.client("handler_a")
    page = client.get(reverse("org:committee_create")).content.decode()
    assert "王小明" not in page  # no list of every customer in the form
    data = {
        "estate": world.estate_a.pk,
        "name": "王小明",
        "position": "主任",
        "customer_phone": "138-1234-1234",
        "term_start": "2026-01-01",
        "term_end": "2028-12-31",
    }
    assert client.post(reverse("org:committee_create"), data).status_code == 302
    assert CommitteeMember.objects.get(name="王小明").customer == world.customer_a
    # estate B's customer is not found from estate A
    data.update(name="金總", customer_phone="13987654321")
    response = client.post(reverse("org:committee_create"), data)
    assert response.status_code == 422 and "金總" in response.content.decode()
    data.update(customer_phone="", term_end="2025-01-01")
    response = client.post(reverse("org:committee_create"), data)
    assert response.status_code == 422 and "2025-01-01" in response.content.decode()


@pytest.mark.req("P-3")
def test_a_unit_typed_in_traditional_script_is_found(world):
    from estatedesk.org import selectors
    from estatedesk.org.models import Unit

    found = selectors.search_units(Unit.objects.all(), "3棟-1201")
    assert list(found) == [world.unit_a]


@pytest.mark.req("W-1")
def test_the_estate_page_links_to_its_resident_qr_poster(world):
    page = (
        world.client("handler_a").get(reverse("org:estate_detail", args=[world.estate_a.pk])).content.decode()
    )
    poster = reverse("complaints:poster", args=[world.estate_a.pk])
    assert poster in page
    assert world.client("handler_a").get(poster).status_code == 200
