"""The demo's year of monthly consultations (SPEC S-4): every office consults month after month,
one misses months, one falls under 5 %; loading again changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from estatedesk.demo.consultations import load_consultations
from estatedesk.surveys.consultation_flags import flags
from estatedesk.surveys.consultation_results import consultation_facts
from estatedesk.surveys.models import Consultation, ConsultationAnswer, ConsultationStatus
from tests.surveys.conftest import add_households

pytestmark = [pytest.mark.django_db, pytest.mark.req("S-4")]
PRESENT = datetime(2026, 12, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_year_of_consultations_with_the_flags_the_demo_shows(world):
    add_households(world.building_a, 59)
    add_households(world.building_b, 39)
    made = load_consultations(PRESENT)
    assert made == 12 + 12 - 2  # two months missed in the first estate
    assert load_consultations(PRESENT) == 0  # loaded once
    consultations = Consultation.objects.all()
    assert {c.status for c in consultations} == {ConsultationStatus.FINISHED}
    assert min(c.month for c in consultations) == date(2025, 12, 1)
    assert max(c.month for c in consultations) == date(2026, 11, 1)
    assert all(c.created_at.astimezone(PRESENT.tzinfo).month == c.month.month for c in consultations)
    assert ConsultationAnswer.objects.filter(dissatisfied=True).exclude(reason="").exists()
    found = flags(consultation_facts(None, date(2025, 12, 1), date(2026, 11, 1)), PRESENT.date())
    kinds = [(f.kind, f.month) for f in found]
    assert sum(1 for kind, _m in kinds if kind == "missing") == 2
    assert ("missing", date(2026, 11, 1)) in kinds
    assert ("under_share", date(2026, 10, 1)) in kinds
    assert sum(1 for kind, _m in kinds if kind == "under_share") == 1
