"""The demo company: realistic size, every role signs in, scoping visible, seeding idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model, password_validation
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from estatedesk.core import crypto
from estatedesk.core.models import CompanySettings
from estatedesk.org import demo, selectors
from estatedesk.org.models import (
    Building,
    CommitteeMember,
    Customer,
    CustomerKind,
    Department,
    DepartmentKind,
    Estate,
    EstateKind,
    Occupancy,
    Role,
    Staff,
    Unit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo_company(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction that is rolled back at the end.

    Each test still runs in its own savepoint (pytest-django), so tests cannot disturb one another.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        summary = demo.seed()
        assert summary is not None
        yield summary
        transaction.set_rollback(True)


def estate(name: str) -> Estate:
    return Estate.objects.get(name=name)


def counts() -> dict[str, int]:
    models = [
        Estate,
        Building,
        Unit,
        Customer,
        Occupancy,
        CommitteeMember,
        Department,
        Staff,
        get_user_model(),
    ]
    result = {model.__name__: model.objects.count() for model in models}
    result["history"] = Unit.history.count() + Customer.history.count() + Occupancy.history.count()
    return result


@pytest.mark.req("A-1")
def test_demo_company_has_two_compounds_and_an_office_building_of_realistic_size():
    assert CompanySettings.load().name == demo.COMPANY_NAME
    cuihu, jinshan, tower = estate("翠湖花园"), estate("金山苑"), estate("金融大厦")
    assert (cuihu.kind, jinshan.kind, tower.kind) == (
        EstateKind.RESIDENTIAL,
        EstateKind.RESIDENTIAL,
        EstateKind.OFFICE,
    )
    assert 950 <= cuihu.units.count() <= 1050
    assert 570 <= jinshan.units.count() <= 630
    assert 25 <= tower.customers.filter(kind=CustomerKind.OFFICE_TENANT).count() <= 35
    assert tower.customers.filter(name__startswith="中国农业银行").count() >= 10  # the bank's departments
    floors = set(tower.units.values_list("floor", flat=True))
    assert len(floors) >= 18

    for place in (cuihu, jinshan, tower):
        total = place.units.count()
        occupied = place.units.filter(occupied=True).count()
        assert 0.85 <= occupied / total <= 0.95, place.name
    assert Unit.objects.get(estate=cuihu, building__name="3栋", number="1201").floor == 12


@pytest.mark.req("A-1")
def test_occupied_units_have_owners_and_customers_have_valid_phones():
    occupied_without_customer = Unit.objects.filter(occupied=True, occupancies__isnull=True)
    assert not occupied_without_customer.exists()
    assert not Occupancy.objects.filter(unit__occupied=False).exists()
    residential = Unit.objects.filter(estate__kind=EstateKind.RESIDENTIAL, occupied=True)
    assert (
        residential.filter(occupancies__relation=CustomerKind.OWNER).distinct().count() == residential.count()
    )
    assert Occupancy.objects.filter(relation=CustomerKind.TENANT).count() > 50

    owners_of_two = [c for c in Customer.objects.filter(kind=CustomerKind.OWNER) if c.occupancies.count() > 1]
    assert 3 <= len(owners_of_two) <= 100
    assert all(
        o.unit.estate_id == o.customer.estate_id for o in Occupancy.objects.select_related("unit", "customer")
    )

    phones = [c.phone for c in Customer.objects.all()]
    assert all(crypto.is_valid_phone(p) for p in phones)
    assert len(set(phones)) == len(phones)
    sample = Customer.objects.exclude(kind=CustomerKind.OFFICE_TENANT).first()
    assert sample is not None and sample.phone_index == crypto.blind_index(sample.phone)
    assert len(sample.phone) == 11 and sample.phone.startswith("1")


@pytest.mark.req("A-1")
def test_every_change_of_the_seed_has_history():
    assert Unit.history.count() == Unit.objects.count()
    assert Customer.history.count() == Customer.objects.count()
    assert Occupancy.history.count() == Occupancy.objects.count()


@pytest.mark.req("A-1")
def test_owners_committees_and_all_departments_exist():
    for name in ("翠湖花园", "金山苑"):
        members = CommitteeMember.objects.filter(estate__name=name).select_related("customer")
        assert sorted(m.position for m in members) == sorted(["主任", "副主任", "委员", "委员", "委员"])
        for member in members:
            assert member.customer is not None
            assert member.customer.kind == CustomerKind.OWNER
            assert member.customer.estate.name == name
            assert member.name == member.customer.name
    assert not CommitteeMember.objects.filter(estate__name="金融大厦").exists()

    kinds = set(Department.objects.values_list("kind", flat=True))
    assert kinds == set(DepartmentKind.values) - {DepartmentKind.OTHER}
    for place in Estate.objects.all():
        assert Department.objects.filter(kind=DepartmentKind.MANAGEMENT_OFFICE, estate=place).count() == 1
    for kind in (DepartmentKind.DEVELOPER_CS, DepartmentKind.RECTIFICATION_TEAM):
        department = Department.objects.get(kind=kind)
        assert department.developer is not None and department.developer.name == demo.DEVELOPER_NAME
        assert department.external


@pytest.mark.req("A-1")
def test_every_role_has_a_persona_who_can_sign_in():
    usernames = [username for username, _label, _password in demo.PERSONAS]
    assert {"duty", "handler_a", "handler_b", "handler_office", "gm", "admin"} <= set(usernames)
    roles = set(Staff.objects.filter(user__username__in=usernames).values_list("role", flat=True))
    assert roles == set(Role.values)
    password_validation.validate_password(demo.DEMO_PASSWORD)  # the product's own rules (12+ characters)

    for username, _label, password in demo.PERSONAS:
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 302, username
        assert client.session.get("_auth_user_id") == str(get_user_model().objects.get(username=username).pk)

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not get_user_model().objects.get(username="gm").is_superuser


@pytest.mark.req("P-1")
def test_demo_personas_show_permission_scoping():
    def user(username: str):
        return get_user_model().objects.get(username=username)

    cuihu, jinshan, tower = estate("翠湖花园"), estate("金山苑"), estate("金融大厦")
    assert selectors.units_for(user("handler_a")).count() == cuihu.units.count()
    assert not selectors.units_for(user("handler_a")).filter(estate=jinshan).exists()
    assert selectors.units_for(user("handler_b")).count() == jinshan.units.count()
    assert set(selectors.customers_for(user("handler_office")).values_list("estate", flat=True)) == {tower.pk}
    assert set(selectors.estates_for(user("head_engineering"))) == {cuihu, jinshan}
    assert selectors.units_for(user("deputy_gm")).count() == Unit.objects.count()
    assert selectors.units_for(user("auditor")).count() == Unit.objects.count()


@pytest.mark.req("A-1")
def test_seeding_again_changes_nothing():
    before = counts()
    assert demo.seed() is None
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "demo data already loaded" in out.getvalue()
    assert counts() == before


@pytest.mark.req("A-1")
def test_seed_leaves_an_existing_organisation_alone():
    Estate.objects.filter(code=demo.MARKER_CODE).update(code="OTHER")
    before = counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "demo data not loaded" in out.getvalue()
    assert counts() == before


ALL_SEEING = {Role.DEPUTY_GM, Role.GM, Role.AUDITOR, Role.ADMIN}
UNITS_TITLE = {"zh-hans": "单元", "zh-hant": "單元", "en": "Units"}


@pytest.mark.req("P-1")
@pytest.mark.req("P-3")
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
@pytest.mark.parametrize("spec", demo.PERSONA_SPECS, ids=lambda s: s.username)
def test_each_demo_persona_sees_only_their_estates_in_every_language(spec, language):
    import re

    from django.conf import settings

    user = get_user_model().objects.get(username=spec.username)
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("org:unit_list")).content.decode()
    assert UNITS_TITLE[language] in page[page.index("<title>") : page.index("</title>")]
    select = page[page.index('name="estate"') :]
    select = select[: select.index("</select>")]
    offered = set(re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select))
    expected = (
        set(Estate.objects.values_list("name", flat=True))
        if spec.role in ALL_SEEING
        else set(Estate.objects.filter(code__in=spec.estates).values_list("name", flat=True))
    )
    assert offered == expected
    # and every unit row on the page belongs to one of those estates
    rows = re.findall(r"<tr><td>([^<]+)</td>", page)
    assert rows and set(rows) <= expected


def test_the_demo_history_job_is_found_by_the_worker():
    """The worker (run_huey) imports every installed app's ``tasks`` module; the demo's job is in
    the demo app's, above the complaints and reports it replays."""
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    from estatedesk.demo import tasks

    autodiscover_modules("tasks")
    task = HUEY._registry.string_to_task("estatedesk.demo.tasks.load_demo_history")
    assert task is tasks.load_demo_history.task_class


@pytest.mark.req("A-1")
def test_the_home_page_says_how_far_the_demo_history_has_loaded():
    from django.conf import settings

    from estatedesk.demo import progress

    client = Client()
    client.force_login(get_user_model().objects.get(username="deputy_gm"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    def notice() -> str:
        page = client.get(reverse("home")).content.decode()
        found = page.split("data-notice>", 1)
        return found[1].split("</div>", 1)[0] if len(found) > 1 else ""

    assert notice() == ""  # nothing is loading
    progress.queued(13)
    assert "演示数据加载中：已载入 0/13 个月" in notice()
    progress.months_done(7, 13)
    assert "已载入 7/13 个月" in notice() and 'value="7"' in notice()
    progress.writing_reports()
    assert "月度报告" in notice()
    progress.finished()
    assert notice() == ""


@pytest.mark.req("K-1")
def test_a_number_taken_while_the_history_loads_is_above_the_whole_history():
    """The replayed year numbers from a block set aside before it starts; someone registering a
    complaint in the middle of the load gets the next number after the block."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from estatedesk.core import numbering

    march = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    numbering.reserve_history("TS", 2026, 50)
    numbering.reserve_history("TS", 2026, 50)  # a resumed load reserves nothing more
    with numbering.numbering_history():
        first = numbering.next_number("TS", march)
    today = numbering.next_number("TS", march)  # registered meanwhile, outside the replay
    with numbering.numbering_history():
        later = numbering.next_number("TS", march)
    numbering.release_history("TS", 2026)
    after = numbering.next_number("TS", march)
    assert (first, later) == ("TS-2026-000001", "TS-2026-000002")
    assert today == "TS-2026-000051" and after == "TS-2026-000052"  # rising, whatever the order

    numbering.reserve_history("CQ", 2026, 50)
    with numbering.numbering_history():
        slips = [numbering.next_number("CQ", march) for _ in range(3)]
    numbering.release_history("CQ", 2026)
    assert slips[-1] == "CQ-2026-000003" and numbering.next_number("CQ", march) == "CQ-2026-000004"
