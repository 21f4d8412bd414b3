"""The demo's half-year statistics (SPEC S-5, I-1): signed off by the office's head, one action
from a line below target, and nothing new when loaded again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from estatedesk.demo.half_year import load_half_years
from estatedesk.improvement.models import Action
from estatedesk.surveys.models import HalfYearStatistics
from tests.surveys.half_year.test_services import half_year_of_a


@pytest.mark.req("S-5")
@pytest.mark.django_db
def test_the_demo_signs_the_last_half_year_and_opens_one_action(world):
    half_year_of_a(world).delete()
    present = datetime(2026, 8, 15, 2, tzinfo=UTC)
    assert load_half_years(present) == 2  # both offices' first half of 2026
    mine = HalfYearStatistics.objects.get(office=world.office_a, year=2026, half=1)
    assert mine.signed and mine.signed_by_name == "office_head_a" and mine.conclusions
    assert mine.signed_at < present
    action = Action.objects.get(source_half_year_line__statistics=mine)
    assert action.steps.count() == 1 and action.department == world.office_a
    other = HalfYearStatistics.objects.get(office=world.office_b, year=2026, half=1)
    assert other.signed and not other.lines.exists()
    assert load_half_years(present) == 0
    assert Action.objects.count() == 1
