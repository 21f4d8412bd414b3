"""SPEC A-2: the REST API, with the web interface's permissions (P-1) and masked personal data (D-3)."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from estatedesk.core.models import ApiToken
from estatedesk.core.services import create_api_token, revoke_api_token
from estatedesk.org.models import Building, Customer, Estate, Unit

pytestmark = pytest.mark.req("A-2")

ERROR_KEYS = {"detail", "code", "errors"}


def token_for(user) -> str:
    return create_api_token(user=user, name="test")[1]


class Api:
    """A JSON client for one persona, signed in by bearer token."""

    def __init__(self, token: str | None, language: str = "en") -> None:
        self.client = Client()
        self.headers = {"Accept-Language": language}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params):
        return self.client.get(f"/api{path}", params, headers=self.headers)

    def post(self, path: str, data):
        body = data if isinstance(data, str) else json.dumps(data)
        return self.client.post(f"/api{path}", body, content_type="application/json", headers=self.headers)

    def patch(self, path: str, data):
        return self.client.patch(
            f"/api{path}", json.dumps(data), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api(world):
    def make(persona: str, language: str = "en") -> Api:
        return Api(token_for(world.users[persona]), language)

    return make


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    for item in body["errors"]:
        assert set(item) == {"loc", "msg"}
    return body


# --- Authentication ------------------------------------------------------------------------


@pytest.mark.req("P-1")
def test_a_token_acts_with_its_users_permissions(world, api):
    response = api("handler_a").get("/units/")
    assert response.status_code == 200
    assert [u["id"] for u in response.json()["items"]] == [world.unit_a.pk]


def test_no_credentials_is_401(world):
    response = Api(None).get("/units/")
    body = assert_error(response, 401, "not_authenticated")
    assert "Bearer" in response["WWW-Authenticate"]
    assert body["errors"] == []


def test_an_unknown_token_is_401(world):
    assert_error(Api("edk_not-a-real-token").get("/units/"), 401, "invalid_token")
    assert_error(Api("something-else").get("/units/"), 401, "invalid_token")


def test_a_revoked_token_is_401(world):
    token, raw = create_api_token(user=world.users["admin"], name="old")
    assert Api(raw).get("/units/").status_code == 200
    assert revoke_api_token(user=world.users["admin"], token_id=token.pk)
    assert_error(Api(raw).get("/units/"), 401, "invalid_token")


def test_a_deactivated_users_token_is_401(world):
    raw = token_for(world.users["handler_a"])
    world.users["handler_a"].is_active = False
    world.users["handler_a"].save()
    assert_error(Api(raw).get("/units/"), 401, "invalid_token")


def test_a_wrong_token_does_not_fall_back_to_the_session(world):
    client = world.client("admin")
    response = client.get("/api/units/", headers={"Authorization": "Bearer edk_wrong"})
    assert_error(response, 401, "invalid_token")


@pytest.mark.req("P-1")
def test_a_user_without_a_staff_role_is_403(world):
    assert_error(Api(token_for(world.users["resident"])).get("/units/"), 403, "not_staff")
    assert_error(world.client("resident").get("/api/units/"), 403, "not_staff")


def test_the_browser_session_works_and_unsafe_methods_need_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["admin"])
    assert client.get("/api/estates/").status_code == 200

    data = json.dumps({"name": "新城", "code": "N"})
    response = client.post("/api/estates/", data, content_type="application/json")
    assert_error(response, 403, "csrf_failed")
    assert not Estate.objects.filter(code="N").exists()

    client.get("/accounts/profile/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/estates/", data, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 201, response.content


# --- Scope (P-1) ---------------------------------------------------------------------------


@pytest.mark.req("P-1")
def test_a_handler_lists_only_the_records_of_their_estate(world, api):
    client = api("handler_a")
    assert [e["id"] for e in client.get("/estates/").json()["items"]] == [world.estate_a.pk]
    assert [b["id"] for b in client.get("/buildings/").json()["items"]] == [world.building_a.pk]
    units = client.get("/units/").json()
    assert units["count"] == 1 and units["items"][0]["estate"] == world.estate_a.pk
    customers = client.get("/customers/").json()
    assert [c["id"] for c in customers["items"]] == [world.customer_a.pk]
    # Filtering on another estate finds nothing rather than leaking it.
    assert client.get("/units/", estate=world.estate_b.pk).json()["count"] == 0


@pytest.mark.req("P-1")
@pytest.mark.parametrize(
    "path",
    [
        "/estates/{estate_b}/",
        "/buildings/{building_b}/",
        "/units/{unit_b}/",
        "/customers/{customer_b}/",
        "/units/999999/",
    ],
)
def test_records_out_of_scope_are_404_like_missing_ones(world, api, path):
    ids = {
        "estate_b": world.estate_b.pk,
        "building_b": world.building_b.pk,
        "unit_b": world.unit_b.pk,
        "customer_b": world.customer_b.pk,
    }
    client = api("handler_a")
    assert_error(client.get(path.format(**ids)), 404, "not_found")
    assert_error(
        client.patch(path.format(**ids), {"notes": "x"} if "customers" in path else {}), 404, "not_found"
    )


@pytest.mark.req("P-1")
def test_the_deputy_gm_sees_every_estate(world, api):
    client = api("deputy_gm")
    assert {u["id"] for u in client.get("/units/").json()["items"]} == {world.unit_a.pk, world.unit_b.pk}
    assert {c["id"] for c in client.get("/customers/").json()["items"]} == {
        world.customer_a.pk,
        world.customer_b.pk,
    }
    assert client.get(f"/units/{world.unit_b.pk}/").json()["number"] == "2001"


def test_lists_filter_search_and_page(world, api):
    client = api("admin")
    for number in ("1202", "1203"):
        Unit.objects.create(estate=world.estate_a, building=world.building_a, number=number)
    assert client.get("/units/", q="3栋-1202").json()["items"][0]["number"] == "1202"
    assert client.get("/units/", building=world.building_b.pk).json()["count"] == 1
    page = client.get("/units/", estate=world.estate_a.pk, page=2, page_size=2).json()
    assert (page["count"], page["page"], page["page_size"], len(page["items"])) == (3, 2, 2, 1)
    assert client.get("/units/", page=99).json()["items"] == []
    assert client.get("/customers/", q="13812341234").json()["items"][0]["id"] == world.customer_a.pk
    assert client.get("/customers/", q="金山").json()["items"][0]["id"] == world.customer_b.pk
    assert_error(client.get("/units/", page_size=500), 422, "invalid")
    assert_error(client.get("/units/", page=0), 422, "invalid")


# --- Writes --------------------------------------------------------------------------------


@pytest.mark.req("P-1")
def test_only_administrators_create_estates_and_buildings(world, api):
    for persona in ("handler_a", "deputy_gm", "auditor"):
        client = api(persona)
        assert_error(client.post("/estates/", {"name": "新城", "code": "N"}), 403, "permission_denied")
        body = {"estate": world.estate_a.pk, "name": "9栋"}
        assert_error(client.post("/buildings/", body), 403, "permission_denied")
        assert_error(
            client.patch(f"/estates/{world.estate_a.pk}/", {"address": "x"}), 403, "permission_denied"
        )
    assert not Estate.objects.filter(code="N").exists()
    assert not Building.objects.filter(name="9栋").exists()


@pytest.mark.req("P-1")
def test_units_and_customers_follow_the_web_roster_rule(world, api):
    """Like the web pages: office leads edit their own estate's roster; duty staff and auditors do not."""
    body = {"building": world.building_a.pk, "number": "1301"}
    assert_error(api("colleague_a").post("/units/", body), 403, "permission_denied")
    assert_error(api("auditor").post("/units/", body), 403, "permission_denied")
    customer = {"estate": world.estate_a.pk, "name": "李四"}
    assert_error(api("auditor").post("/customers/", customer), 403, "permission_denied")
    # Another estate's building is not even known to handler_b.
    assert_error(api("handler_b").post("/units/", body), 422, "invalid")
    assert api("handler_a").post("/units/", body).status_code == 201
    assert api("handler_a").post("/customers/", customer).status_code == 201


@pytest.mark.req("P-2")
def test_an_administrator_creates_and_updates_with_history(world, api):
    admin = world.users["admin"]
    client = api("admin")
    response = client.post("/estates/", {"name": "新城花園", "code": "N", "kind": "office"})
    assert response.status_code == 201, response.content
    estate = Estate.objects.get(code="N")
    assert response.json() == {
        "id": estate.pk,
        "name": "新城花園",
        "code": "N",
        "kind": "office",
        "address": "",
        "service_phone": "",
        "office_hours": "",
        "active": True,
    }
    assert estate.history.get().history_user == admin

    response = client.post("/buildings/", {"estate": estate.pk, "name": "1座", "floors": 20})
    assert response.status_code == 201
    building = Building.objects.get(pk=response.json()["id"])

    response = client.post(
        "/units/",
        {"building": building.pk, "estate": estate.pk, "number": "101", "area": "88.50", "floor": 1},
    )
    assert response.status_code == 201, response.content
    unit = Unit.objects.get(pk=response.json()["id"])
    assert (unit.estate_id, str(unit.area), response.json()["area"]) == (estate.pk, "88.50", 88.5)
    assert response.json()["label"] == "1座-101"

    response = client.patch(f"/units/{unit.pk}/", {"occupied": True, "area": None})
    assert response.status_code == 200, response.content
    unit.refresh_from_db()
    assert unit.occupied and unit.area is None and unit.number == "101"
    assert [h.history_type for h in unit.history.all()] == ["~", "+"]
    assert all(h.history_user == admin for h in unit.history.all())

    response = client.patch(f"/estates/{estate.pk}/", {"address": "深圳市南山區"})
    assert response.json()["address"] == "深圳市南山區"
    assert response.json()["name"] == "新城花園"


def test_invalid_input_is_422_in_the_error_format(world, api):
    client = api("admin")
    body = assert_error(client.post("/units/", {"building": world.building_a.pk}), 422, "invalid")
    assert ["body", "number"] in [e["loc"] for e in body["errors"]]

    body = assert_error(client.post("/units/", {"building": 999999, "number": "1"}), 422, "invalid")
    assert body["errors"] == [{"loc": ["body", "building"], "msg": "There is no such building."}]

    mismatch = {"building": world.building_a.pk, "estate": world.estate_b.pk, "number": "1"}
    body = assert_error(client.post("/units/", mismatch), 422, "invalid")
    assert body["errors"][0]["loc"] == ["body", "building"]

    body = assert_error(client.post("/buildings/", {"estate": 999999, "name": "X"}), 422, "invalid")
    assert body["errors"][0]["loc"] == ["body", "estate"]

    body = assert_error(client.post("/estates/", {"name": "  ", "code": "Z"}), 422, "invalid")
    body = assert_error(client.post("/estates/", {"name": "翠湖花園", "code": "Z"}), 409, "duplicate")
    assert body["errors"][0]["loc"] == ["body", "name"]

    body = assert_error(
        client.post("/estates/", {"name": "X", "code": "X", "office_hours": "late"}), 422, "invalid"
    )
    assert body["errors"][0]["loc"] == ["body", "office_hours"]

    moved = client.patch(f"/units/{world.unit_a.pk}/", {"building": world.building_b.pk})
    assert assert_error(moved, 422, "invalid")["errors"][0]["loc"] == ["body", "building"]

    assert_error(client.post("/units/", "{not json"), 400, "bad_request")
    assert_error(client.patch(f"/units/{world.unit_a.pk}/", {"number": None}), 422, "invalid")
    assert_error(client.get("/units/abc/"), 422, "invalid")
    assert_error(client.post("/estates/", {"name": "A\x00", "code": "Q"}), 422, "invalid")
    assert Unit.objects.count() == 2


def test_a_duplicate_unit_number_gets_a_clear_message_in_the_request_language(world, api):
    duplicate = {"building": world.building_a.pk, "number": "1201"}
    body = assert_error(api("admin").post("/units/", duplicate), 409, "duplicate")
    assert "already exists" in body["errors"][0]["msg"]
    body = assert_error(api("admin", language="zh-hans").post("/units/", duplicate), 409, "duplicate")
    assert "已" in body["errors"][0]["msg"] and "存在" in body["errors"][0]["msg"]
    assert Unit.objects.filter(building=world.building_a, number="1201").count() == 1


def test_a_bad_phone_number_is_422(world, api):
    body = {"estate": world.estate_a.pk, "name": "李四", "phone": "12ab"}
    errors = assert_error(api("admin").post("/customers/", body), 422, "invalid")["errors"]
    assert errors[0]["loc"] == ["body", "phone"]
    assert not Customer.objects.filter(name="李四").exists()


def test_customer_units_must_be_in_the_customers_estate(world, api):
    body = {"estate": world.estate_a.pk, "name": "李四", "units": [world.unit_b.pk]}
    errors = assert_error(api("admin").post("/customers/", body), 422, "invalid")["errors"]
    assert errors[0]["loc"] == ["body", "units"]
    body["units"] = [world.unit_a.pk]
    response = api("admin").post("/customers/", body)
    assert response.status_code == 201 and response.json()["units"] == [world.unit_a.pk]


# --- Personal data (D-3) -------------------------------------------------------------------


@pytest.mark.req("D-3")
def test_phone_numbers_are_always_masked(world, api):
    client = api("admin")
    listing = client.get("/customers/")
    detail = client.get(f"/customers/{world.customer_a.pk}/")
    for response in (listing, detail):
        assert b"13812341234" not in response.content
        assert b"13987654321" not in response.content
    assert detail.json()["phone_masked"] == "138****1234"
    assert detail.json()["name"] == "王小明" and not detail.json()["name_masked"]

    response = client.post(
        "/customers/", {"estate": world.estate_a.pk, "name": "李四", "phone": "139 1111 2222"}
    )
    assert response.status_code == 201
    assert response.json()["phone_masked"] == "139****2222"
    assert b"13911112222" not in response.content
    customer = Customer.objects.get(pk=response.json()["id"])
    assert customer.phone == "13911112222"

    response = client.patch(f"/customers/{customer.pk}/", {"phone": "+86 137 0000 9999", "notes": "VIP"})
    assert response.json()["phone_masked"] == "137****9999"
    customer.refresh_from_db()
    assert (customer.phone, customer.notes) == ("13700009999", "VIP")
    response = client.patch(f"/customers/{customer.pk}/", {"phone": ""})
    assert response.json()["phone_masked"] == ""


@pytest.mark.req("D-3")
def test_auditors_get_masked_names(world, api):
    detail = api("auditor").get(f"/customers/{world.customer_a.pk}/").json()
    assert detail["name"] == "王*明" and detail["name_masked"]
    assert detail["phone_masked"] == "138****1234"


# --- Query budget --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/units/", "/customers/", "/buildings/"])
def test_list_queries_do_not_grow_with_rows(world, api, path):
    client = api("handler_a")
    client.get(path)  # the token's first use is recorded once; leave it out of the count

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, page_size=200)
        assert response.status_code == 200
        return len(queries)

    def add_rows(n: int) -> None:
        start = Unit.objects.count()
        for i in range(n):
            building = Building.objects.create(estate=world.estate_a, name=f"B{start + i}")
            unit = Unit.objects.create(estate=world.estate_a, building=building, number=str(i))
            customer = Customer.objects.create(estate=world.estate_a, name=f"客{start + i}")
            customer.occupancies.create(unit=unit)

    add_rows(4)
    few = count_queries()
    add_rows(45)
    assert client.get(path, page_size=200).json()["count"] >= 50
    assert count_queries() == few


# --- Management command and docs -----------------------------------------------------------


def test_the_management_command_prints_a_working_token_once(world):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "handler_a", "--name", "nightly export", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("edk_")
    token = ApiToken.objects.get(user=world.users["handler_a"])
    assert token.name == "nightly export"
    assert token.token_hash == ApiToken.hash(raw) and raw not in token.token_hash
    assert "nightly export" in err.getvalue()
    assert Api(raw).get("/units/").json()["count"] == 1


def test_the_management_command_refuses_an_unknown_user(world):
    with pytest.raises(CommandError, match="nobody"):
        call_command("create_api_token", "nobody", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_the_openapi_spec_and_offline_docs_are_served(world):
    staff = world.client("handler_a")
    spec = staff.get("/api/openapi.json").json()
    paths = spec["paths"]
    assert {
        "/api/units/",
        "/api/units/{unit_id}/",
        "/api/customers/",
        "/api/estates/",
        "/api/buildings/",
    } <= set(paths)
    assert set(paths["/api/units/{unit_id}/"]["patch"]["responses"]) >= {"200", "401", "403", "404", "422"}
    assert set(spec["components"]["securitySchemes"]) == {"TokenAuth", "StaffSessionAuth"}

    docs = staff.get("/api/docs")
    assert docs.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', docs.content.decode())
    assert urls and all(url.startswith("/static/") for url in urls), urls
    for url in urls:
        assert Client().get(url).status_code == 200, url


@pytest.mark.req("P-1")
def test_the_openapi_document_and_docs_are_for_staff_and_token_holders_only(world, api, settings):
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    body = assert_error(anonymous.get("/api/openapi.json"), 401, "not_authenticated")
    assert "API token" in body["detail"]
    assert anonymous.get("/api/openapi.json")["WWW-Authenticate"].startswith("Bearer")
    docs = anonymous.get("/api/docs")
    assert docs.status_code == 302 and docs["Location"] == "/accounts/login/?next=/api/docs"
    assert_error(Api("edk_not-a-token").get("/openapi.json"), 401, "invalid_token")
    assert_error(
        Api(None).client.get("/api/openapi.json", HTTP_AUTHORIZATION="Bearer "), 401, "invalid_token"
    )
    assert_error(world.client("resident").get("/api/openapi.json"), 403, "not_staff")

    # A token holder reads the document without a session; a signed-in staff member reads both.
    assert "/api/units/" in api("handler_a").get("/openapi.json").json()["paths"]
    staff = world.client("handler_a")
    assert staff.get("/api/openapi.json").status_code == 200
    assert staff.get("/api/docs").status_code == 200

    # The company may publish them (API_DOCS_PUBLIC).
    settings.API_DOCS_PUBLIC = True
    assert anonymous.get("/api/openapi.json").status_code == 200
    assert anonymous.get("/api/docs").status_code == 200
