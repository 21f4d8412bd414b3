"""Survey fixtures: the world's company with a customer-service supervisor and more households."""

from __future__ import annotations

from typing import Any

import pytest

from estatedesk.core.actors import SYSTEM
from estatedesk.org import services as org_services
from estatedesk.org.models import Building, Customer, Unit
from estatedesk.surveys import services
from estatedesk.surveys.models import Survey
from tests.conftest import PASSWORD, World


@pytest.fixture
def supervisor(world: World) -> Any:
    return org_services.save_staff(
        actor=SYSTEM,
        staff=None,
        username="cs_supervisor",
        display_name="客服主管",
        role="cs_supervisor",
        estates=[],
        departments=[world.customer_service],
        password=PASSWORD,
    ).user


def add_households(
    building: Building, count: int, *, occupied: bool = True, phone: bool = True
) -> list[Unit]:
    """``count`` units in the building, each with an owner (and a phone number) when occupied."""
    units = []
    start = Unit.objects.filter(building=building).count()
    for i in range(count):
        unit = Unit.objects.create(
            estate=building.estate, building=building, number=f"S{start + i:04d}", occupied=occupied
        )
        if occupied:
            org_services.save_customer(
                actor=SYSTEM,
                customer=Customer(estate=building.estate, name=f"业主{start + i}", kind="owner"),
                phone=f"139{start + i:08d}" if phone else "",
                units=[unit],
            )
        units.append(unit)
    return units


def annual(world: World, actor: Any, **extra: Any) -> Survey:
    return services.create_survey(
        actor=actor,
        kind="annual",
        title="2026年度业户满意度调查",
        estate_ids=[world.estate_a.pk, world.estate_b.pk],
        **extra,
    )
