"""The home page's "overdue forum follow-ups" panel (SPEC S-6, A-1): late follow-ups of the
reader's forums, the days they are late, nothing of another estate's forum."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse

from estatedesk.core.clock import company_today, company_zone
from tests.helpers import frozen_at
from tests.surveys.forums.helpers import full_forum
from tests.test_home_panels import home, panels_on

pytestmark = [pytest.mark.req("S-6"), pytest.mark.req("A-1"), pytest.mark.django_db]


def test_a_late_follow_up_is_on_the_home_page_of_the_office_head_and_the_deputy_gm(world):
    forum, follow_up = full_forum(world)
    assert panels_on(home(world.client("office_head_a")))["forum_follow_ups"][0] == 0
    later = company_today() + timedelta(days=10)  # due in a week: three days late
    with frozen_at(datetime.combine(later, time(10), tzinfo=company_zone())):
        for persona in ("office_head_a", "deputy_gm"):
            count, body = panels_on(home(world.client(persona)))["forum_follow_ups"]
            assert count == 1
            assert reverse("surveys:forum_detail", args=[forum.pk]) in body
            assert "3 days overdue" in body and follow_up.description in body
