"""The demo company's contracts and customer property (SPEC C-5, C-6; §7.1.11–7.1.13).

* The property service contract with the first residential estate's owners' committee: three
  requirements clarified before it was signed in the spring, and a fee adjustment after the
  city's price rule changed — told to the committee by letter and agreed with them.
* A paid decoration-management agreement with an owner, signed after one clarification.
* A register of keys, parcels and deposited items at every active estate's management office.
* Incidents: a key lost from the key cabinet (the owner told, the lock changed at our cost,
  closed) and a parcel found damaged this week (the owner told, still open).

Every record is written through ``communication.services`` under the clock of the day it
happened. Loading twice loads it once (the service contract's title finds it).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from estatedesk.communication import selectors
from estatedesk.communication.models import Contract, PropertyItem
from estatedesk.communication.services import contracts, property
from estatedesk.communication.workflow import WRITER_ROLES
from estatedesk.core.clock import clock_at, company_zone
from estatedesk.org.models import (
    CommitteeMember,
    DepartmentKind,
    Estate,
    EstateKind,
    Occupancy,
    Role,
    Staff,
)

log = logging.getLogger(__name__)

SERVICE_TITLE = "物业服务合同"
ESTATES_WITH_ITEMS = 6

CLARIFICATIONS = (
    (
        "秩序维护人员每班几人？夜间是否巡逻？",
        "每班4人，22:00至次日6:00每两小时巡逻一次，巡逻记录每月向业委会公示。",
    ),
    ("公共区域保洁频次是多少？", "楼道每日清扫一次、每周湿拖两次，垃圾日产日清。"),
    ("电梯维保费用是否包含在物业费中？", "日常维保费用包含在物业费中，大修费用按规定使用专项维修资金。"),
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=company_zone())


def _writer(estate: Estate) -> AbstractBaseUser | None:
    """Someone of the estate's management office who writes to customers, else the
    customer-service supervisor (who sees every estate)."""
    rows = (
        Staff.objects.filter(
            user__is_active=True,
            role__in=WRITER_ROLES,
            departments__estate=estate,
            departments__kind=DepartmentKind.MANAGEMENT_OFFICE,
        )
        .select_related("user")
        .order_by("pk")
        .distinct()
    )
    for staff in rows:
        if selectors.estates_for(staff.user).filter(pk=estate.pk).exists():
            return staff.user
    supervisor = (
        Staff.objects.filter(user__is_active=True, role=Role.CS_SUPERVISOR).select_related("user").first()
    )
    return supervisor.user if supervisor else None


def _owners(estate: Estate, count: int) -> list[Occupancy]:
    """The estate's first owners, else its tenants (an office building's companies)."""
    rows = Occupancy.objects.filter(unit__estate=estate).select_related("unit__building", "customer")
    owners = list(rows.filter(relation="owner").order_by("unit_id", "pk")[:count])
    return owners or list(rows.order_by("unit_id", "pk")[:count])


def load_contracts_and_property(present: datetime) -> int:
    """The year's contracts and customer property; the number of records loaded (0: already
    there, or no estate or writer to record them)."""
    if Contract.objects.filter(title__startswith=SERVICE_TITLE).exists():
        return 0
    estates = list(Estate.objects.filter(active=True).order_by("pk"))
    residential = [e for e in estates if e.kind == EstateKind.RESIDENTIAL] or estates
    if not residential:
        return 0
    first = residential[0]
    writer = _writer(first)
    if writer is None:
        log.warning("demo contracts not loaded: nobody at %s writes to customers", first.name)
        return 0
    today = present.astimezone(company_zone()).date()
    with transaction.atomic():
        loaded = _contracts(first, writer, today)
        for estate in estates[:ESTATES_WITH_ITEMS]:
            user = writer if estate == first else _writer(estate)
            if user is not None:
                loaded += _register(estate, user, today, incidents=estate == first)
    log.info("demo contracts and customer property loaded: %d records", loaded)
    return loaded


def _contracts(estate: Estate, writer: AbstractBaseUser, today: date) -> int:
    committee = CommitteeMember.objects.filter(estate=estate).order_by("pk").first()
    chair = committee.name if committee else "业委会主任"
    start = today - timedelta(days=300)
    with clock_at(_at(start, 10)):
        service = contracts.create_contract(
            actor=writer,
            draft=contracts.ContractDraft(
                kind="service",
                title=f"{SERVICE_TITLE}（{estate.name}）",
                estate=estate.pk,
                counterparty=f"{estate.name}业主委员会",
                scope="共用部位及设施设备的维修养护、公共秩序维护、保洁、绿化养护、车辆停放管理。",
                starts_on=start + timedelta(days=30),
                ends_on=start + timedelta(days=30 + 3 * 365),
            ),
        )
    for n, (question, answer) in enumerate(CLARIFICATIONS):
        asked = start + timedelta(days=3 + 4 * n)
        with clock_at(_at(asked, 15)):
            row = contracts.add_clarification(
                actor=writer,
                contract=service,
                asked_on=asked,
                asked_by=chair,
                channel="face_to_face",
                question=question,
            )
        with clock_at(_at(asked + timedelta(days=2), 11)):
            contracts.answer_clarification(
                actor=writer,
                contract=service,
                clarification=row,
                answer=answer,
                answered_on=asked + timedelta(days=2),
                based_on=None,
            )
    signed_on = start + timedelta(days=25)
    with clock_at(_at(signed_on, 10)):
        contracts.sign_contract(actor=writer, contract=service, signed_on=signed_on)
    proposed = today - timedelta(days=90)
    with clock_at(_at(proposed, 9)):
        change = contracts.add_change(
            actor=writer,
            contract=service,
            cause="law",
            description="市发改委调整住宅物业服务收费指导价，多层住宅物业费由每月每平方米1.8元调整为2.1元。",
            proposed_on=proposed,
        )
    with clock_at(_at(proposed + timedelta(days=3), 14)):
        contracts.record_change_told(
            actor=writer,
            contract=service,
            change=change,
            told_at=_at(proposed + timedelta(days=3), 14),
            channel="letter",
        )
    agreed = proposed + timedelta(days=20)
    with clock_at(_at(agreed, 16)):
        contracts.resolve_change(
            actor=writer,
            contract=service,
            change=change,
            resolution="业委会召开会议同意调整，自次月起执行新标准，调整前在各楼栋公告栏公示一个月。",
            agreed_on=agreed,
            based_on=None,
        )
    loaded = 1
    owners = _owners(estate, 1)
    if owners:
        loaded += _decoration(estate, writer, owners[0], today)
    return loaded


def _decoration(estate: Estate, writer: AbstractBaseUser, owner: Occupancy, today: date) -> int:
    day = today - timedelta(days=40)
    with clock_at(_at(day, 10)):
        agreement = contracts.create_contract(
            actor=writer,
            draft=contracts.ContractDraft(
                kind="paid_service",
                title="装修管理服务协议",
                estate=estate.pk,
                customer=owner.customer_id,
                unit=owner.unit_id,
                scope="装修期间的施工管理、巡查、装修垃圾清运。",
                starts_on=day + timedelta(days=7),
                ends_on=day + timedelta(days=97),
            ),
        )
        row = contracts.add_clarification(
            actor=writer,
            contract=agreement,
            asked_on=day,
            asked_by=owner.customer.name,
            channel="phone",
            question="周末可以施工吗？装修垃圾怎么清运？",
        )
    with clock_at(_at(day + timedelta(days=1), 9)):
        contracts.answer_clarification(
            actor=writer,
            contract=agreement,
            clarification=row,
            answer="周末及法定节假日不得进行噪音施工；装修垃圾袋装后由管理处统一清运，按次收费。",
            answered_on=day + timedelta(days=1),
            based_on=None,
        )
    with clock_at(_at(day + timedelta(days=5), 10)):
        contracts.sign_contract(actor=writer, contract=agreement, signed_on=day + timedelta(days=5))
    return 1


def _register(estate: Estate, writer: AbstractBaseUser, today: date, *, incidents: bool) -> int:
    owners = _owners(estate, 3)
    if not owners:
        return 0
    items: list[PropertyItem] = []
    plans = (
        ("key", "入户门备用钥匙一把（业主外出期间寄存）", "管理处钥匙柜", 200),
        ("parcel", "快递包裹一件（业主不在家代收）", "服务中心快递架", 3),
        ("deposit", "行李箱一个（业主搬家期间寄存）", "管理处储物间", 30),
    )
    for n, (kind, description, kept_at, days_ago) in enumerate(plans):
        owner = owners[n % len(owners)]
        received = _at(today - timedelta(days=days_ago), 10)
        with clock_at(received):
            items.append(
                property.register_item(
                    actor=writer,
                    draft=property.ItemDraft(
                        kind=kind,
                        description=description,
                        estate=estate.pk,
                        received_at=received,
                        unit=owner.unit_id,
                        customer=owner.customer_id,
                        kept_at=kept_at,
                    ),
                )
            )
    if len(items) == len(plans):
        back = _at(today - timedelta(days=10), 17)
        with clock_at(back):
            property.return_item(actor=writer, item=items[2], returned_at=back)
    if incidents:
        _lost_key(writer, items[0], today)
        _damaged_parcel(writer, items[1], today)
    return len(items)


def _lost_key(writer: AbstractBaseUser, key: PropertyItem, today: date) -> None:
    found = _at(today - timedelta(days=60), 8, 30)
    with clock_at(found):
        incident = property.report_incident(
            actor=writer,
            item=key,
            kind="lost",
            happened_at=found,
            description="早班交接清点钥匙柜时发现该钥匙不在柜内，查监控未找到去向。",
        )
    told = found + timedelta(hours=2)
    with clock_at(told):
        property.record_incident_told(actor=writer, incident=incident, told_at=told, channel="phone")
    with clock_at(found + timedelta(days=1, hours=8)):
        property.close_incident(
            actor=writer,
            incident=incident,
            help_given="管理处承担费用，次日为业主更换入户门锁芯并配新钥匙三把，业主签字确认；钥匙柜改为双人交接登记。",
        )


def _damaged_parcel(writer: AbstractBaseUser, parcel: PropertyItem, today: date) -> None:
    found = _at(today - timedelta(days=2), 9)
    with clock_at(found):
        incident = property.report_incident(
            actor=writer,
            item=parcel,
            kind="damaged",
            happened_at=found,
            description="快递架上方漏水，包裹外箱受潮破损，内物情况待业主开箱确认。",
        )
    told = found + timedelta(hours=1)
    with clock_at(told):
        property.record_incident_told(actor=writer, incident=incident, told_at=told, channel="wechat")
