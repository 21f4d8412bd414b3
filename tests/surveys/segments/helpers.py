"""Consultations held through the services, for the tests of where the figures meet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from estatedesk.surveys.models import Consultation
from estatedesk.surveys.services import consultation_answers
from estatedesk.surveys.services import consultations as svc
from estatedesk.surveys.services.consultation_answers import TopicAnswer
from tests.helpers import frozen_at

SHANGHAI_NOON = 4  # 12:00 in Shanghai is 04:00 UTC


def when(month: date, day: int = 10) -> datetime:
    return datetime(month.year, month.month, day, SHANGHAI_NOON, 0, tzinfo=UTC)


def held(
    world: Any,
    month: date,
    levels: Sequence[str],
    *,
    method: str = "door_to_door",
    topics: Sequence[str] = ("cleaning",),
    share: int = 100,
    finish: bool = True,
) -> Consultation:
    """A consultation of estate A in ``month``: the first households asked answer each topic
    at the ``levels`` given, in turn; then it is finished."""
    handler = world.users["handler_a"]
    with frozen_at(when(month)):
        consultation = svc.plan_consultation(
            actor=handler, estate=world.estate_a, month=month, topics=list(topics), method=method, share=share
        )
        svc.start_consultation(actor=handler, consultation=consultation)
        asked = list(
            consultation.households.filter(asked=True)
            .order_by("unit__number")
            .values_list("unit_id", flat=True)
        )
        for unit, level in zip(asked, levels, strict=False):
            consultation_answers.record_answers(
                actor=handler,
                consultation=consultation,
                unit_id=unit,
                answers=[TopicAnswer(t, level) for t in topics],
            )
        if finish:
            svc.finish_consultation(actor=handler, consultation=consultation)
    consultation.refresh_from_db()
    return consultation
