"""The demo company: two residential compounds, an office building, people and staff personas.

Deterministic (fixed random seed, seeded Faker zh_CN), so screenshots, tests and the
documentation describe the same data. ``estatedesk demo`` calls :func:`seed` on every start,
so it must be cheap when the data is already there (one query) and fast when it is not:
units, customers and occupancies are bulk-inserted together with their history rows, and
the demo password is hashed once for all personas instead of once per persona (an Argon2
hash costs about 0.3 s on a two-core laptop).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker
from simple_history.utils import bulk_create_with_history

from estatedesk.core import crypto
from estatedesk.core.actors import SYSTEM
from estatedesk.core.models import CompanySettings
from estatedesk.org import services
from estatedesk.org.models import (
    Building,
    CommitteeMember,
    Customer,
    CustomerKind,
    Department,
    DepartmentKind,
    Developer,
    Estate,
    EstateKind,
    Occupancy,
    Role,
    Unit,
    UnitKind,
)

SEED = 20260101
DEMO_PASSWORD = "demo-pass-2026"
COMPANY_NAME = "安居物业管理有限公司"
DEVELOPER_NAME = "安居置业发展有限公司"
BANK_NAME = "中国农业银行深圳金山支行"

OCCUPANCY_RATE = 0.9
TENANT_RATE = 0.12  # occupied flats that are also let to a tenant
SECOND_UNIT_RATE = 0.02  # flats whose owner already owns another flat in the estate
EMAIL_RATE = 0.25
BATCH = 1000
# Reserved for examples (RFC 2606): demo mail can never reach a real mailbox.
DEMO_MAIL_DOMAIN = "example.com"

CUIHU, JINSHAN, TOWER = "CHHY", "JSY", "JRDS"
# The demo is recognised by its first estate; nothing else in a real installation uses this code.
MARKER_CODE = CUIHU

_ESTATES = [
    # code, name, kind, address, office hours ("" = the company's default), service phone
    (CUIHU, "翠湖花园", EstateKind.RESIDENTIAL, "深圳市南山区翠湖路88号", "", "0755-86008801"),
    (JINSHAN, "金山苑", EstateKind.RESIDENTIAL, "深圳市福田区金山路16号", "", "0755-83006602"),
    (
        TOWER,
        "金融大厦",
        EstateKind.OFFICE,
        "深圳市福田区深南大道6008号",
        "08:30-12:00,13:00-18:00",
        "0755-82006003",
    ),
]

# Company departments; the management offices and the developer's teams are added per estate.
_COMPANY_DEPARTMENTS = [
    ("客户服务部", DepartmentKind.CUSTOMER_SERVICE),
    ("工程部", DepartmentKind.ENGINEERING),
    ("保安部", DepartmentKind.SECURITY),
    ("保洁部", DepartmentKind.CLEANING),
    ("绿化部", DepartmentKind.LANDSCAPING),
    ("财务部", DepartmentKind.FINANCE),
]
DEVELOPER_CS_DEPT = "安居置业客服部"
RECTIFICATION_DEPT = "安居置业整改小组"

_BANK_DEPARTMENTS = [
    "办公室",
    "个人金融部",
    "公司业务部",
    "信贷管理部",
    "风险管理部",
    "财务会计部",
    "人力资源部",
    "运营管理部",
    "信息科技部",
    "纪检监察室",
    "保卫部",
    "工会",
]
_OFFICE_COMPANIES = 18  # with the bank's departments: 30 tenant organisations
_SHOP_TRADES = [
    "便利店",
    "洗衣店",
    "药房",
    "面包店",
    "水果店",
    "美发店",
    "茶餐厅",
    "快递驿站",
    "花店",
    "五金店",
]
_COMMITTEE_POSITIONS = ["主任", "副主任", "委员", "委员", "委员"]


@dataclass(frozen=True)
class StaffSpec:
    username: str
    label: str  # role in English, for the sign-in hint and the docs
    display_name: str
    role: str
    estates: tuple[str, ...]  # estate codes
    departments: tuple[str, ...]  # department names


def _office(code: str) -> str:
    return {CUIHU: "翠湖花园管理处", JINSHAN: "金山苑管理处", TOWER: "金融大厦管理处"}[code]


ALL_ESTATES = (CUIHU, JINSHAN, TOWER)

# One persona per role, plus a handler per estate so that scoping can be seen side by side.
PERSONA_SPECS: list[StaffSpec] = [
    StaffSpec("duty", "Duty staff (翠湖花园)", "李静", Role.DUTY_STAFF, (CUIHU,), (_office(CUIHU),)),
    StaffSpec("handler_a", "Complaint handler (翠湖花园)", "张伟", Role.HANDLER, (CUIHU,), (_office(CUIHU),)),
    StaffSpec(
        "handler_b", "Complaint handler (金山苑)", "王芳", Role.HANDLER, (JINSHAN,), (_office(JINSHAN),)
    ),
    StaffSpec(
        "handler_office", "Complaint handler (金融大厦)", "刘洋", Role.HANDLER, (TOWER,), (_office(TOWER),)
    ),
    StaffSpec(
        "head_engineering",
        "Department head, engineering (翠湖花园, 金山苑)",
        "陈建国",
        Role.DEPARTMENT_HEAD,
        (CUIHU, JINSHAN),
        ("工程部",),
    ),
    StaffSpec(
        "cs_supervisor",
        "Customer-service supervisor",
        "赵敏",
        Role.CS_SUPERVISOR,
        ALL_ESTATES,
        ("客户服务部",),
    ),
    StaffSpec("deputy_gm", "Deputy general manager", "孙志强", Role.DEPUTY_GM, (), ()),
    StaffSpec("gm", "General manager", "周宏伟", Role.GM, (), ()),
    StaffSpec(
        "developer_cs",
        "Developer customer service",
        "吴丽华",
        Role.DEVELOPER_CS,
        (CUIHU, JINSHAN),
        (DEVELOPER_CS_DEPT,),
    ),
    StaffSpec(
        "rectification",
        "Rectification team member",
        "郑海涛",
        Role.RECTIFICATION,
        (CUIHU, JINSHAN),
        (RECTIFICATION_DEPT,),
    ),
    StaffSpec("auditor", "Auditor (read-only)", "冯雪梅", Role.AUDITOR, (), ()),
    StaffSpec("admin", "System administrator", "何军", Role.ADMIN, (), ()),
]

# Colleagues who make the organisation complete (every department has a head, every
# management office a duty desk). They sign in with the same password but are not
# advertised as personas.
OTHER_STAFF: list[StaffSpec] = [
    StaffSpec("duty_b", "Duty staff (金山苑)", "杨帆", Role.DUTY_STAFF, (JINSHAN,), (_office(JINSHAN),)),
    StaffSpec("duty_office", "Duty staff (金融大厦)", "黄婷", Role.DUTY_STAFF, (TOWER,), (_office(TOWER),)),
    StaffSpec(
        "head_security", "Department head, security", "马国栋", Role.DEPARTMENT_HEAD, ALL_ESTATES, ("保安部",)
    ),
    StaffSpec(
        "head_cleaning", "Department head, cleaning", "林秀英", Role.DEPARTMENT_HEAD, ALL_ESTATES, ("保洁部",)
    ),
    StaffSpec(
        "head_landscaping",
        "Department head, landscaping",
        "郭永红",
        Role.DEPARTMENT_HEAD,
        (CUIHU, JINSHAN),
        ("绿化部",),
    ),
    StaffSpec(
        "head_finance", "Department head, finance", "罗晓燕", Role.DEPARTMENT_HEAD, ALL_ESTATES, ("财务部",)
    ),
]

PERSONAS: list[tuple[str, str, str]] = [(s.username, s.label, DEMO_PASSWORD) for s in PERSONA_SPECS]


@dataclass(frozen=True)
class SeedSummary:
    estates: int
    units: int
    occupied: int
    customers: int
    staff: int
    seconds: float


def is_loaded() -> bool:
    return Estate.objects.filter(code=MARKER_CODE).exists()


def seed(*, random_seed: int = SEED) -> SeedSummary | None:
    """Load the demo company into an empty organisation; None if any estate exists already.

    One transaction: a failed or interrupted seed leaves nothing behind and is retried on
    the next start. On SQLite the transaction takes the write lock at once (IMMEDIATE), so
    two processes starting together cannot both seed.
    """
    started = time.perf_counter()
    with transaction.atomic():
        if Estate.objects.exists():
            return None
        seeder = _Seeder(random_seed)
        seeder.run()
    return SeedSummary(
        estates=len(seeder.estates),
        units=len(seeder.units),
        occupied=sum(1 for u in seeder.units if u.occupied),
        customers=len(seeder.customers),
        staff=seeder.staff_count,
        seconds=time.perf_counter() - started,
    )


class _Seeder:
    def __init__(self, random_seed: int) -> None:
        self.rng = random.Random(random_seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(random_seed)
        self.phones: set[str] = set()
        self.estates: dict[str, Estate] = {}
        self.departments: dict[str, Department] = {}
        self.units: list[Unit] = []
        self.customers: list[Customer] = []
        self.staff_count = 0
        self.organisations = 0

    def run(self) -> None:
        self._company()
        self._estates()
        self._organisation()
        # Everything is planned in memory first, then written with a few bulk inserts.
        units_by_estate = self._plan_units()
        links = self._residents(units_by_estate[CUIHU]) + self._residents(units_by_estate[JINSHAN])
        links += self._office_tenants(units_by_estate[TOWER])
        self._save(links)
        self._committees()
        self._staff()

    # --- organisation ------------------------------------------------------------------

    def _company(self) -> None:
        company = CompanySettings.load()
        if not company.name:
            company.name = COMPANY_NAME
            services.save_record(actor=SYSTEM, instance=company)

    def _estates(self) -> None:
        for code, name, kind, address, hours, phone in _ESTATES:
            estate = Estate(
                code=code, name=name, kind=kind, address=address, office_hours=hours, service_phone=phone
            )
            services.save_record(actor=SYSTEM, instance=estate)
            self.estates[code] = estate

    def _organisation(self) -> None:
        developer = Developer(name=DEVELOPER_NAME, contact_person="梁志明", phone="0755-86001234")
        services.save_record(
            actor=SYSTEM, instance=developer, m2m={"estates": [self.estates[CUIHU], self.estates[JINSHAN]]}
        )
        departments = [Department(name=name, kind=kind) for name, kind in _COMPANY_DEPARTMENTS]
        departments += [
            Department(name=_office(code), kind=DepartmentKind.MANAGEMENT_OFFICE, estate=estate)
            for code, estate in self.estates.items()
        ]
        departments += [
            Department(name=DEVELOPER_CS_DEPT, kind=DepartmentKind.DEVELOPER_CS, developer=developer),
            Department(name=RECTIFICATION_DEPT, kind=DepartmentKind.RECTIFICATION_TEAM, developer=developer),
        ]
        for department in departments:
            services.save_record(actor=SYSTEM, instance=department)
            self.departments[department.name] = department

    # --- units -------------------------------------------------------------------------

    def _plan_units(self) -> dict[str, list[Unit]]:
        plans: list[tuple[str, str, range, int, UnitKind, list[str]]] = []
        flat_areas_a = ["89.50", "105.20", "128.80", "143.60"]
        flat_areas_b = ["76.30", "88.90", "98.40", "118.70", "136.20"]
        plans += [(CUIHU, f"{n}栋", range(1, 26), 4, UnitKind.FLAT, flat_areas_a) for n in range(1, 11)]
        plans += [(JINSHAN, f"{n}座", range(1, 21), 5, UnitKind.FLAT, flat_areas_b) for n in range(1, 7)]
        plans.append(
            (TOWER, "主楼", range(3, 23), 4, UnitKind.OFFICE, ["216.40", "182.50", "182.50", "216.40"])
        )

        units: list[Unit] = []
        for code, name, floors, per_floor, kind, areas in plans:
            building = Building(estate=self.estates[code], name=name, floors=floors.stop - 1)
            services.save_record(actor=SYSTEM, instance=building)
            for floor in floors:
                for position in range(1, per_floor + 1):
                    units.append(
                        self._unit(building, f"{floor}{position:02d}", floor, areas[position - 1], kind)
                    )
        shops = Building(estate=self.estates[JINSHAN], name="商业街", floors=1)
        services.save_record(actor=SYSTEM, instance=shops)
        for n in range(1, 13):
            area = f"{self.rng.choice([45, 60, 80, 120])}.00"
            units.append(self._unit(shops, f"S{n:02d}", 1, area, UnitKind.SHOP))

        # The office building's occupancy follows its tenants (see _office_tenants).
        for unit in units:
            unit.occupied = unit.kind != UnitKind.OFFICE and self.rng.random() < OCCUPANCY_RATE
        self.units = units
        by_estate: dict[str, list[Unit]] = {code: [] for code in self.estates}
        for unit in units:
            by_estate[unit.estate.code].append(unit)
        return by_estate

    @staticmethod
    def _unit(building: Building, number: str, floor: int, area: str, kind: UnitKind) -> Unit:
        return Unit(
            estate=building.estate,
            building=building,
            number=number,
            floor=floor,
            area=Decimal(area),
            kind=kind,
        )

    # --- customers ---------------------------------------------------------------------

    def _mobile(self) -> str:
        while True:
            phone = self.fake.phone_number()
            if phone not in self.phones and crypto.is_valid_phone(phone):
                self.phones.add(phone)
                return phone

    def _landline(self) -> str:
        while True:
            phone = f"0755-{self.rng.randint(23000000, 88999999)}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _customer(self, estate: Estate, name: str, kind: str, phone: str, **extra: str) -> Customer:
        customer = Customer(estate=estate, name=name, kind=kind, **extra)
        customer.set_phone(phone)
        self.customers.append(customer)
        return customer

    def _person(self, estate: Estate, kind: str) -> Customer:
        email = f"{self.fake.user_name()}@{DEMO_MAIL_DOMAIN}" if self.rng.random() < EMAIL_RATE else ""
        return self._customer(estate, self.fake.name(), kind, self._mobile(), email=email)

    def _residents(self, units: list[Unit]) -> list[tuple[Unit, Customer, str]]:
        """Owners for occupied units, tenants for some; a few owners hold a second flat, which they let."""
        links: list[tuple[Unit, Customer, str]] = []
        owners: list[Customer] = []
        for unit in units:
            if not unit.occupied:
                continue
            estate = unit.estate
            if unit.kind == UnitKind.SHOP:
                owner = self._person(estate, CustomerKind.OWNER)
                links.append((unit, owner, CustomerKind.OWNER))
                if self.rng.random() < 0.7:
                    trade = self.fake.company_prefix() + self.rng.choice(_SHOP_TRADES)
                    tenant = self._customer(
                        estate,
                        trade,
                        CustomerKind.TENANT,
                        self._mobile(),
                        contact_person=self.fake.name(),
                    )
                    links.append((unit, tenant, CustomerKind.TENANT))
                continue
            second = bool(owners) and self.rng.random() < SECOND_UNIT_RATE
            if second:
                owner = self.rng.choice(owners)
            else:
                owner = self._person(estate, CustomerKind.OWNER)
                owners.append(owner)
            links.append((unit, owner, CustomerKind.OWNER))
            if second or self.rng.random() < TENANT_RATE:
                links.append((unit, self._person(estate, CustomerKind.TENANT), CustomerKind.TENANT))
        return links

    def _office_tenants(self, units: list[Unit]) -> list[tuple[Unit, Customer, str]]:
        """The bank's departments fill floors 3-8 (two offices each); companies share the rest, ~90 % let."""
        estate = self.estates[TOWER]
        links: list[tuple[Unit, Customer, str]] = []
        bank_units = [u for u in units if u.floor is not None and u.floor <= 8]
        other_units = [u for u in units if u.floor is not None and u.floor > 8]
        for index, department in enumerate(_BANK_DEPARTMENTS):
            tenant = self._organisation_customer(estate, f"{BANK_NAME}{department}")
            for unit in bank_units[2 * index : 2 * index + 2]:
                links.append((unit, tenant, CustomerKind.OFFICE_TENANT))

        vacant = set(self.rng.sample(range(len(other_units)), round(len(units) * (1 - OCCUPANCY_RATE))))
        let = [unit for i, unit in enumerate(other_units) if i not in vacant]
        sizes = [1] * _OFFICE_COMPANIES
        for _ in range(len(let) - _OFFICE_COMPANIES):
            sizes[self.rng.randrange(_OFFICE_COMPANIES)] += 1
        names: set[str] = set()
        cursor = 0
        for size in sizes:
            name = self.fake.company()
            # Faker's list has a few Latin-letter brands; the demo reads better without them.
            while name in names or name[0].isascii():
                name = self.fake.company()
            names.add(name)
            tenant = self._organisation_customer(estate, name)
            for unit in let[cursor : cursor + size]:
                links.append((unit, tenant, CustomerKind.OFFICE_TENANT))
            cursor += size
        for unit, _customer, _relation in links:
            unit.occupied = True
        return links

    def _organisation_customer(self, estate: Estate, name: str) -> Customer:
        self.organisations += 1
        email = f"office{self.organisations:02d}@{DEMO_MAIL_DOMAIN}"
        return self._customer(
            estate,
            name,
            CustomerKind.OFFICE_TENANT,
            self._landline(),
            contact_person=self.fake.name(),
            email=email,
        )

    def _save(self, links: list[tuple[Unit, Customer, str]]) -> None:
        # bulk_create sets the primary keys on these same objects (SQLite >= 3.35, PostgreSQL),
        # so the occupancies below can point at them.
        bulk_create_with_history(self.units, Unit, batch_size=BATCH)
        self.customers = bulk_create_with_history(self.customers, Customer, batch_size=BATCH)
        occupancies = [
            Occupancy(unit=unit, customer=customer, relation=relation) for unit, customer, relation in links
        ]
        bulk_create_with_history(occupancies, Occupancy, batch_size=BATCH)

    def _committees(self) -> None:
        for code in (CUIHU, JINSHAN):
            estate = self.estates[code]
            # Members are owners with an e-mail address: the committee receives reports by e-mail.
            owners = [
                c
                for c in self.customers
                if c.estate_id == estate.pk and c.kind == CustomerKind.OWNER and c.email
            ]
            for position, customer in zip(
                _COMMITTEE_POSITIONS, self.rng.sample(owners, len(_COMMITTEE_POSITIONS)), strict=True
            ):
                member = CommitteeMember(
                    estate=estate,
                    customer=customer,
                    name=customer.name,
                    position=position,
                    term_start=date(2024, 7, 1),
                    term_end=date(2029, 6, 30),
                )
                services.save_record(actor=SYSTEM, instance=member)

    # --- staff -------------------------------------------------------------------------

    def _staff(self) -> None:
        User = get_user_model()
        taken = set(
            User.objects.filter(username__in=[s.username for s in PERSONA_SPECS + OTHER_STAFF]).values_list(
                "username", flat=True
            )
        )
        password_hash = make_password(DEMO_PASSWORD)
        for spec in PERSONA_SPECS + OTHER_STAFF:
            if spec.username in taken:
                # Someone created this account before the demo loaded: leave it (and its password) alone.
                continue
            staff = services.save_staff(
                actor=SYSTEM,
                staff=None,
                username=spec.username,
                display_name=spec.display_name,
                role=spec.role,
                estates=[self.estates[code] for code in spec.estates],
                departments=[self.departments[name] for name in spec.departments],
                phone=self._mobile(),
                email=f"{spec.username}@{DEMO_MAIL_DOMAIN}",
            )
            user = staff.user
            user.password = password_hash
            user.is_superuser = spec.role == Role.ADMIN
            user.save(update_fields=["password", "is_superuser"])
            self.staff_count += 1
