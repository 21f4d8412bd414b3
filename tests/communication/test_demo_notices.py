"""The demo's year of notices (SPEC C-2, C-3): loaded once through the services, with the
household's read receipts, the warning signs, a withdrawn cut, the late urgent water cut with its
reason and the calls to those who had not read it, and the past's messages settled."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from estatedesk.communication.models import Notice, NoticeRecipient
from estatedesk.core.clock import company_zone
from estatedesk.demo.communication_notices import load_notices
from estatedesk.notifications.models import Message
from estatedesk.org.models import Building
from tests.communication.conftest import add_households
from tests.helpers import frozen_at

pytestmark = [pytest.mark.django_db, pytest.mark.req("C-2"), pytest.mark.req("C-3")]


def test_a_year_of_notices_is_loaded_once_with_read_receipts(world):
    tower_5 = Building.objects.create(estate=world.estate_a, name="5栋", floors=20)
    add_households(world.building_a, 12, phone_from=1000)
    add_households(tower_5, 12, phone_from=2000)
    present = datetime(2026, 6, 15, 9, 0, tzinfo=company_zone())
    with frozen_at(present):
        loaded = load_notices(present)
        assert load_notices(present) == 0
    assert loaded == Notice.objects.count() > 20
    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert {"water_cut", "power_cut", "pest_control", "repair", "event", "publicity"} <= kinds
    assert {"financial_report", "survey_results"} <= kinds
    titles = set(Notice.objects.values_list("title", flat=True))
    assert "中秋游园会邀请" in titles and "春节写春联、送福字活动" in titles
    assert Notice.objects.filter(kind="financial_report", audience="owners").count() == 2
    assert all(n.sign_placed_at for n in Notice.objects.filter(kind="pest_control"))
    assert Notice.objects.filter(status="withdrawn").count() == 1
    assert not Notice.objects.exclude(status__in=["published", "withdrawn"]).exists()

    late = Notice.objects.get(urgent=True, estate=world.estate_a)
    assert late.late_reason and late.published_at > late.starts_at - timedelta(hours=late.lead_hours)
    called = NoticeRecipient.objects.filter(notice=late, contacted_at__isnull=False)
    assert called.exists() and all(r.contact_outcome for r in called)

    everyone = NoticeRecipient.objects.filter(notice__urgent=False)
    read = everyone.filter(read_at__isnull=False)
    assert 0.6 < read.count() / everyone.count() < 0.97
    assert not NoticeRecipient.objects.filter(read_at__gte=present).exists()
    # Texts written for the past went out then; nothing of it waits to be sent.
    assert Message.objects.filter(channel="sms").exists()
    assert not Message.objects.filter(status="pending", created_at__lt=present.replace(hour=0)).exists()
