"""The demo's contracts and customer property (SPEC C-5, C-6): loaded once, through the services,
with the committee's contract clarified before signing and its fee change settled, and one
incident closed and one still open on the home panel."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from estatedesk.communication.models import Contract, PropertyIncident, PropertyItem
from estatedesk.communication.property_panel import incidents_panel
from estatedesk.demo.communication_records import load_contracts_and_property
from tests.helpers import frozen_at

pytestmark = [pytest.mark.django_db, pytest.mark.req("C-5", "C-6")]


def test_the_demo_year_of_contracts_and_customer_property_is_loaded_once(world):
    present = datetime(2026, 6, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with frozen_at(present):
        assert load_contracts_and_property(present) > 0
        assert load_contracts_and_property(present) == 0
        service = Contract.objects.get(kind="service")
        assert service.status == "signed" and service.estate == world.estate_a
        assert service.clarifications.count() == 3 and not service.clarifications.filter(answer="").exists()
        assert all(c.answered_on <= service.signed_on for c in service.clarifications.all())
        change = service.changes.get()
        assert change.settled and change.told_channel == "letter"
        assert Contract.objects.get(kind="paid_service").customer == world.customer_a
        assert PropertyItem.objects.filter(estate=world.estate_b).exists()
        lost = PropertyIncident.objects.get(kind="lost")
        assert lost.status == "closed" and lost.help_given
        damaged = PropertyIncident.objects.get(kind="damaged")
        assert damaged.status == "open" and damaged.customer_told_at is not None
        panel = incidents_panel(world.users["handler_a"], {})
        assert panel.count == 1 and damaged.number in panel.items[0]
