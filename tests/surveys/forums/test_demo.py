"""The demo's owners' forum (SPEC S-6): last December's forum, loaded once, with one follow-up
done and one overdue by the present."""

from __future__ import annotations

from datetime import datetime

import pytest

from estatedesk.core.actors import SYSTEM
from estatedesk.core.clock import company_zone
from estatedesk.demo.forums import load_forums
from estatedesk.org import services as org_services
from estatedesk.org.models import Building, Customer, Estate, Unit
from estatedesk.surveys import forum_selectors
from estatedesk.surveys.models import Forum, ForumFollowUp
from tests.helpers import frozen_at
from tests.surveys.forums.helpers import committee_member

pytestmark = [pytest.mark.django_db, pytest.mark.req("S-6")]


def test_last_years_forum_is_loaded_once(world, supervisor):
    estate_c = Estate.objects.create(name="金山苑", code="JSY")
    unit = Unit.objects.create(
        estate=estate_c,
        building=Building.objects.create(estate=estate_c, name="1栋"),
        number="101",
        occupied=True,
    )
    org_services.save_customer(
        actor=SYSTEM, customer=Customer(estate=estate_c, name="陈大文", kind="owner"), phone="", units=[unit]
    )
    committee_member(world)
    present = datetime(2026, 6, 15, 9, 0, tzinfo=company_zone())
    with frozen_at(present):
        assert load_forums(present) == 1
        assert load_forums(present) == 0
        forum = Forum.objects.get()
        assert forum.year == 2025 and forum.held_on.month == 12
        assert forum.estates.count() == 2
        kinds = sorted(forum.participants.values_list("kind", flat=True))
        assert kinds.count("owner") == 2 and "committee" in kinds
        assert forum.opinions.count() == 7
        assert all(o.answer for o in forum.opinions.all())
        assert ForumFollowUp.objects.filter(done_at__isnull=False).count() == 1
        rows, count = forum_selectors.overdue_follow_ups(world.users["deputy_gm"])
        assert count == 1 and rows[0].days > 0
