"""The demo's communication log (SPEC C-4): a year of contacts per estate, loaded once, with
most follow-ups done and a few overdue at the present."""

from __future__ import annotations

from datetime import datetime

import pytest

from estatedesk.communication import log_selectors
from estatedesk.communication.models import Contact, ContactFollowUp
from estatedesk.core.clock import company_zone
from estatedesk.demo.communication_log import load_log
from estatedesk.org.models import CommitteeMember
from tests.helpers import frozen_at

pytestmark = [pytest.mark.django_db, pytest.mark.req("C-4")]


def test_a_year_of_contacts_is_loaded_once_with_a_few_follow_ups_overdue(world):
    CommitteeMember.objects.create(estate=world.estate_a, name="陈建国", position="主任")
    present = datetime(2026, 6, 15, 9, 0, tzinfo=company_zone())
    with frozen_at(present):
        written = load_log(present)
        assert load_log(present) == 0
        contacts = Contact.objects.filter(estate=world.estate_a)
        # Twelve monthly committee meetings (July 2025 to June 2026, June's on the 10th) and two
        # talks with owners a month (June's second one, on the 18th, is still ahead).
        assert contacts.filter(counterpart="committee").count() == 12
        assert contacts.filter(counterpart="owner").count() == 23
        # Estate B has no committee: its tenants' talks only.
        assert not Contact.objects.filter(estate=world.estate_b, counterpart="committee").exists()
        assert written == Contact.objects.count()
        assert set(Contact.objects.values_list("estate", flat=True)) == {world.estate_a.pk, world.estate_b.pk}
        rows = ContactFollowUp.objects.all()
        done = rows.filter(done_at__isnull=False).count()
        assert done > rows.count() * 2 / 3
        overdue, count = log_selectors.overdue_follow_ups(world.users["gm"])
        assert 1 <= count <= 10
        assert all(o.follow_up.contact.occurred_at.year == 2026 for o in overdue)
