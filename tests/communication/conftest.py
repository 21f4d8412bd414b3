"""Helpers for the customer-communication tests: households in a building, a notice draft."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from estatedesk.communication.services.notices import NoticeDraft
from estatedesk.core.actors import SYSTEM
from estatedesk.core.clock import now
from estatedesk.org import services as org_services
from estatedesk.org.models import Building, Customer, Unit


def add_households(
    building: Building, count: int, *, start: int = 101, occupied: bool = True, phone_from: int = 0
) -> list[Unit]:
    """``count`` units, each with an owner who has a phone (phone_from=0: no phones)."""
    units = []
    for i in range(count):
        unit = Unit.objects.create(
            estate=building.estate, building=building, number=str(start + i), occupied=occupied
        )
        phone = f"139{phone_from + i:08d}" if phone_from else ""
        org_services.save_customer(
            actor=SYSTEM,
            customer=Customer(estate=building.estate, name=f"业主{building.name}{start + i}", kind="owner"),
            phone=phone,
            units=[unit],
        )
        units.append(unit)
    return units


def draft(world: Any, **changes: Any) -> NoticeDraft:
    """A water cut in estate A tomorrow, announced two days ahead, on the portal and by SMS."""
    starts = now() + timedelta(days=2)
    values: dict[str, Any] = {
        "kind": "water_cut",
        "title": "3栋停水通知",
        "body": "<p>因清洗水箱，停水4小时，请提前储水。</p>",
        "estate": world.estate_a.pk,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=4),
        "channels": ["portal", "sms"],
    }
    values.update(changes)
    return NoticeDraft(**values)


def at(hours: float) -> datetime:
    return now() + timedelta(hours=hours)
