"""Shared fixtures: a small company with two estates and one persona per kind of user.

Personas (healthchecks-style) make permission tests cheap: handler of estate A, a colleague
in A, the handler of estate B, a department head, the deputy GM, an auditor, an
administrator, a resident (an account with no staff role) and an anonymous visitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from estatedesk.core.models import CompanySettings
from estatedesk.org import services
from estatedesk.org.models import Building, Customer, Department, Estate, Unit

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    estate_a: Estate
    estate_b: Estate
    building_a: Building
    building_b: Building
    unit_a: Unit
    unit_b: Unit
    customer_a: Customer
    customer_b: Customer
    office_a: Department
    office_b: Department
    engineering: Department
    customer_service: Department
    users: dict[str, Any]

    def client(self, persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(self.users[persona])
        return client


def make_world() -> World:
    CompanySettings.objects.update_or_create(pk=1, defaults={"name": "測試物業"})
    estate_a = Estate.objects.create(name="翠湖花園", code="A")
    estate_b = Estate.objects.create(name="金山大廈", code="B", kind="office")
    building_a = Building.objects.create(estate=estate_a, name="3栋", floors=18)
    building_b = Building.objects.create(estate=estate_b, name="A座", floors=30)
    unit_a = Unit.objects.create(estate=estate_a, building=building_a, number="1201", occupied=True)
    unit_b = Unit.objects.create(
        estate=estate_b, building=building_b, number="2001", kind="office", occupied=True
    )
    customer_a = services.save_customer(
        actor=None,
        customer=Customer(estate=estate_a, name="王小明", kind="owner"),
        phone="13812341234",
        units=[unit_a],
    )
    customer_b = services.save_customer(
        actor=None,
        customer=Customer(estate=estate_b, name="金山科技有限公司", kind="office_tenant"),
        phone="13987654321",
        units=[unit_b],
    )
    office_a = Department.objects.create(name="翠湖花園管理處", kind="management_office", estate=estate_a)
    office_b = Department.objects.create(name="金山大廈管理處", kind="management_office", estate=estate_b)
    engineering = Department.objects.create(name="工程部", kind="engineering")
    customer_service = Department.objects.create(name="客戶服務部", kind="customer_service")

    def staff(username: str, role: str, estates=(), departments=()) -> Any:
        return services.save_staff(
            actor=None,
            staff=None,
            username=username,
            display_name=username,
            role=role,
            estates=estates,
            departments=departments,
            password=PASSWORD,
        ).user

    users = {
        "handler_a": staff("handler_a", "handler", [estate_a], [office_a]),
        "colleague_a": staff("colleague_a", "duty_staff", [], [office_a]),
        "handler_b": staff("handler_b", "handler", [estate_b], [office_b]),
        "department_head": staff("department_head", "department_head", [estate_a], [engineering]),
        "office_head_a": staff("office_head_a", "department_head", [estate_a], [office_a]),
        "deputy_gm": staff("deputy_gm", "deputy_gm"),
        "gm": staff("gm", "gm"),
        "auditor": staff("auditor", "auditor"),
        "admin": staff("admin", "admin"),
    }
    users["resident"] = get_user_model().objects.create_user("resident", password=PASSWORD)
    return World(
        estate_a,
        estate_b,
        building_a,
        building_b,
        unit_a,
        unit_b,
        customer_a,
        customer_b,
        office_a,
        office_b,
        engineering,
        customer_service,
        users,
    )


@pytest.fixture
def world(db) -> World:
    return make_world()


def restore_seed_data() -> None:
    """Data the migrations seed (the working-day calendar, the complaint categories) is
    emptied by any ``transaction=True`` test when it ends; put it back for the tests after."""
    from estatedesk.complaints.models import Category
    from estatedesk.workcal import seeding, selectors
    from estatedesk.workcal.models import CalendarYear

    if not CalendarYear.objects.filter(region="CN", year=2026).exists():
        seeding.seed()
        selectors.clear_cache()
    if not Category.objects.exists():
        import importlib

        defaults = importlib.import_module("estatedesk.complaints.migrations.0002_default_categories")
        for order, (code, hans, hant, en) in enumerate(defaults.CATEGORIES, start=1):
            Category.objects.create(
                code=code, name_zh_hans=hans, name_zh_hant=hant, name_en=en, order=order * 10
            )


@pytest.fixture(autouse=True)
def _seed_data_present(request):
    if "db" in request.fixturenames or "world" in request.fixturenames:
        request.getfixturevalue("db")
        restore_seed_data()
    elif "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        restore_seed_data()
