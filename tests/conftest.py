"""Shared fixtures: a small company with two estates and one persona per kind of user.

Personas (healthchecks-style) make permission tests cheap: handler of estate A, a colleague
in A, the handler of estate B, a department head, the deputy GM, an auditor, an
administrator, a resident (an account with no staff role) and an anonymous visitor.

Two things here keep the suite fast (docs/testing.md says how much and why they are safe):

- The world is made once per test process and kept, in a transaction that stays open,
  under the run of tests that use it; each test still runs in its own savepoint and is
  rolled back, and gets freshly read objects. Before a test that does not use the world,
  the transaction is rolled back, so that test never sees it.
- The data the migrations seed (the working-day calendar, the complaint categories) is put
  back, committed, right after a ``transaction=True`` test has emptied every table, instead
  of inside (and rolled back with) each test that follows.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.test import Client

from estatedesk.complaints.models import Category, CauseTally, Complaint, DayTally, MonthTally, OpenTally
from estatedesk.core.actors import SYSTEM
from estatedesk.core.models import CompanySettings
from estatedesk.org import services
from estatedesk.org.models import Building, Channel, Customer, Department, Estate, Staff, Unit
from estatedesk.surveys import standards
from estatedesk.surveys.models import Questionnaire
from estatedesk.workcal import seeding, selectors
from estatedesk.workcal.models import CalendarYear

if TYPE_CHECKING:
    from django.contrib.auth.models import User

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
    users: dict[str, User]

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
        actor=SYSTEM,
        customer=Customer(estate=estate_a, name="王小明", kind="owner"),
        phone="13812341234",
        units=[unit_a],
    )
    customer_b = services.save_customer(
        actor=SYSTEM,
        customer=Customer(estate=estate_b, name="金山科技有限公司", kind="office_tenant"),
        phone="13987654321",
        units=[unit_b],
    )
    office_a = Department.objects.create(name="翠湖花園管理處", kind="management_office", estate=estate_a)
    office_b = Department.objects.create(name="金山大廈管理處", kind="management_office", estate=estate_b)
    engineering = Department.objects.create(name="工程部", kind="engineering")
    customer_service = Department.objects.create(name="客戶服務部", kind="customer_service")

    def staff(
        username: str,
        role: str,
        estates: list[Estate] | None = None,
        departments: list[Department] | None = None,
    ) -> User:
        return services.save_staff(
            actor=SYSTEM,
            staff=None,
            username=username,
            display_name=username,
            role=role,
            estates=estates or [],
            departments=departments or [],
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


# --- The world, made once and kept under the tests that use it ------------------------------

# Which attribute of the World holds which kind of record.
_RECORDS: dict[str, type[Any]] = {
    "estate_a": Estate,
    "estate_b": Estate,
    "building_a": Building,
    "building_b": Building,
    "unit_a": Unit,
    "unit_b": Unit,
    "customer_a": Customer,
    "customer_b": Customer,
    "office_a": Department,
    "office_b": Department,
    "engineering": Department,
    "customer_service": Department,
}


def _keys_of(world: World) -> dict[str, Any]:
    keys: dict[str, Any] = {name: getattr(world, name).pk for name in _RECORDS}
    keys["users"] = {persona: user.pk for persona, user in world.users.items()}
    return keys


def _read_world(keys: dict[str, Any]) -> World:
    """New objects for one test, read from the kept rows, with the same related objects already
    attached as ``make_world`` leaves them (so a test's query counts do not change)."""
    found: dict[str, Any] = {}
    for model in dict.fromkeys(_RECORDS.values()):
        names = [name for name, kind in _RECORDS.items() if kind is model]
        rows = model.objects.in_bulk([keys[name] for name in names])
        found.update({name: rows[keys[name]] for name in names})
    for name in ("building_a", "building_b", "unit_a", "unit_b", "customer_a", "customer_b"):
        found[name].estate = found["estate_" + name[-1]]
    found["unit_a"].building = found["building_a"]
    found["unit_b"].building = found["building_b"]
    for name in ("office_a", "office_b"):
        found[name].estate = found["estate_" + name[-1]]
    staff = {
        s.user_id: s for s in Staff.objects.select_related("user").filter(user_id__in=keys["users"].values())
    }
    users: dict[str, Any] = {}
    for persona, pk in keys["users"].items():
        users[persona] = staff[pk].user if pk in staff else get_user_model().objects.get(pk=pk)
    return World(**found, users=users)


def _transactional(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    by_marker = marker is not None and bool(
        marker.kwargs.get("transaction")
        or (marker.args and marker.args[0])
        or marker.kwargs.get("reset_sequences")
    )
    return by_marker or "transactional_db" in names or "live_server" in names


def _uses_kept_world(item: pytest.Item | None) -> bool:
    return item is not None and "world" in getattr(item, "fixturenames", ()) and not _transactional(item)


class _KeptWorld:
    """The outer transaction holding the world rows, on the default database connection."""

    def __init__(self) -> None:
        self.blocker: Any = None  # pytest-django's django_db_blocker, once the test database exists
        self.atomic: Any = None
        self.keys: dict[str, Any] | None = None

    def held(self) -> bool:
        """Open, and the outermost block of the connection (tests stack their savepoints on it)."""
        blocks = connection.atomic_blocks
        return self.atomic is not None and bool(blocks) and blocks[0] is self.atomic

    def open(self) -> None:
        if self.atomic is not None or self.blocker is None:
            return
        with self.blocker.unblock():
            if connection.in_atomic_block:
                return  # something else holds a transaction (a module's own data): no kept world
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                keys = _keys_of(make_world())
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
        self.atomic, self.keys = atomic, keys

    def close(self) -> None:
        if self.atomic is None:
            return
        with self.blocker.unblock():
            if not (self.held() and len(connection.atomic_blocks) == 1):
                raise RuntimeError(
                    "The kept world's transaction is not the only one open: a module-scoped fixture "
                    "opened a transaction on top of it. Give that module's tests the world through "
                    "make_world() instead, or keep such fixtures out of modules that use `world`."
                )
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = self.keys = None


_kept = _KeptWorld()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    _kept.blocker = django_db_blocker
    yield
    _kept.close()  # before pytest-django removes the test database


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)
    finally:
        # Every fixture of this test is gone now (a module's fixtures too, when the next test
        # is in another module): get the database ready for the next test.
        if _kept.blocker is not None:
            # After the session's last test the test database may already be gone: nothing to restore.
            if _transactional(item) and nextitem is not None:
                with _kept.blocker.unblock():
                    restore_seed_data()
            if _uses_kept_world(nextitem):
                _kept.open()
            else:
                _kept.close()


@pytest.fixture
def world(db: None) -> World:
    if _kept.held() and _kept.keys is not None:
        return _read_world(_kept.keys)
    # The first test of a process, a transactional test, or a module holding its own transaction.
    return make_world()


# --- Order for several workers ---------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Runs after pytest-django's ordering (database tests, then transactional ones, then the
    rest). Tests marked ``slow`` (whole subprocesses: a server, a first start) go first, so
    that on two workers they overlap with the others instead of ending the run alone. (Not
    ``--dist loadscope``/``loadgroup``: they key tests by node id, and schemathesis gives all
    its cases of one test the same id, so all but one would silently not run.)"""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# --- Data the migrations seed --------------------------------------------------------------


def restore_seed_data() -> None:
    """Put back what the migrations seed (the working-day calendar, the complaint categories, the
    default evaluation standards, the communication channels), after a ``transaction=True`` test emptied every table when it
    ended."""
    # Emptying the tables deletes complaints after their kept counts on SQLite, whose triggers
    # then count them out again: what is left is the counts of nothing.
    if not Complaint.objects.exists():
        MonthTally.objects.all().delete()
        DayTally.objects.all().delete()
        CauseTally.objects.all().delete()
        OpenTally.objects.all().delete()
    if not CalendarYear.objects.filter(region="CN", year=2026).exists():
        seeding.seed()
        selectors.clear_cache()
    if not Category.objects.exists():
        defaults = importlib.import_module("estatedesk.complaints.migrations.0002_default_categories")
        for order, (code, hans, hant, en) in enumerate(defaults.CATEGORIES, start=1):
            Category.objects.create(
                code=code, name_zh_hans=hans, name_zh_hant=hant, name_en=en, order=order * 10
            )
    if not Questionnaire.objects.exists():
        standards.install_defaults()
    if not Channel.objects.exists():
        channels = importlib.import_module("estatedesk.org.migrations.0006_channels")
        for order, (code, hans, hant, en, kind, uses) in enumerate(channels.CHANNELS, start=1):
            Channel.objects.create(
                code=code,
                name_zh_hans=hans,
                name_zh_hant=hant,
                name_en=en,
                kind=kind,
                for_complaints="C" in uses,
                for_notices="N" in uses,
                for_log="L" in uses,
                order=order * 10,
            )


@pytest.fixture(autouse=True)
def _seed_data_present(request: pytest.FixtureRequest) -> None:
    """A transactional test starts from the seeded data too (the one before it may have failed
    before putting it back)."""
    if _transactional(request.node):
        request.getfixturevalue("transactional_db")
        restore_seed_data()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Every test starts with empty portal rate-limit counters: they live in the worker's data
    folder, and a test that sends many anonymous requests (the hostile-input walk) would
    otherwise leave the next test's client over its limit.

    On Redis only this worker's keys go (tests/settings.py gives each worker a prefix):
    ``clear()`` would empty the database both workers share, in the middle of the other's test.
    """
    cache = caches["ratelimit"]
    if not isinstance(cache, RedisCache):
        cache.clear()  # files in this worker's own data folder
        return
    client = cache._cache.get_client(write=True)  # noqa: SLF001 - Django's cache has no delete-by-prefix
    keys = list(client.scan_iter(match=cache.make_key("*")))
    if keys:
        client.delete(*keys)
