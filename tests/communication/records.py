"""Contracts and customer property of estate A or B for the tests (SPEC C-5, C-6), written
through the services by the estate's handler, at whatever the clock says."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from estatedesk.communication.models import Contract, PropertyIncident, PropertyItem
from estatedesk.communication.services import contracts, property
from estatedesk.core.clock import company_today, now


def contract_of(world: Any, estate: str = "a", *, signed: bool = False) -> Contract:
    handler = world.users[f"handler_{estate}"]
    customer = getattr(world, f"customer_{estate}")
    contract = contracts.create_contract(
        actor=handler,
        draft=contracts.ContractDraft(
            kind="paid_service",
            title="装修管理服务协议",
            estate=customer.estate_id,
            customer=customer.pk,
            unit=getattr(world, f"unit_{estate}").pk,
            scope="装修期间的管理、巡查与垃圾清运",
        ),
    )
    if signed:
        contracts.sign_contract(actor=handler, contract=contract, signed_on=company_today())
        contract.refresh_from_db()
    return contract


def item_of(world: Any, estate: str = "a") -> PropertyItem:
    customer = getattr(world, f"customer_{estate}")
    return property.register_item(
        actor=world.users[f"handler_{estate}"],
        draft=property.ItemDraft(
            kind="key",
            description="入户门钥匙两把",
            estate=customer.estate_id,
            received_at=now() - timedelta(days=3),
            unit=getattr(world, f"unit_{estate}").pk,
            customer=customer.pk,
            kept_at="管理处钥匙柜",
        ),
    )


def incident_of(world: Any, estate: str = "a", item: PropertyItem | None = None) -> PropertyIncident:
    return property.report_incident(
        actor=world.users[f"handler_{estate}"],
        item=item or item_of(world, estate),
        kind="lost",
        happened_at=now() - timedelta(hours=2),
        description="交接班时发现钥匙不在钥匙柜内",
    )
