"""Consultation records made directly (the services are tested elsewhere): what the half-year
statistics read."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from estatedesk.org.models import Building, Unit
from estatedesk.surveys.models import (
    Consultation,
    ConsultationAnswer,
    ConsultedHousehold,
    ReasonCode,
)

_COUNTER = [0]


def consultation(
    building: Building,
    month: date,
    units: list[Unit],
    answers: dict[str, list[tuple[bool, str]]],
    *,
    remarks: dict[int, str] | None = None,
    office: Any = None,
) -> Consultation:
    """One finished consultation of ``units``; ``answers[category][i]`` is the i-th unit's
    (satisfied, reason)."""
    _COUNTER[0] += 1
    when = datetime(month.year, month.month, 10, 2, tzinfo=UTC)
    c = Consultation.objects.create(
        number=f"MC-T{_COUNTER[0]:05d}",
        estate=building.estate,
        office=office,
        month=month,
        topics=list(answers),
        method="door_to_door",
        status="finished",
        return_threshold=50,
        return_step=5,
        return_penalty=1,
        target=90,
        created_at=when,
    )
    for i, unit in enumerate(units):
        h = ConsultedHousehold.objects.create(
            consultation=c,
            estate=building.estate,
            building=building,
            unit=unit,
            answered_at=when,
            channel="door_to_door",
            remarks=(remarks or {}).get(i, ""),
        )
        for category, rows in answers.items():
            if i >= len(rows):
                continue
            satisfied, reason = rows[i]
            ConsultationAnswer.objects.create(
                household=h,
                consultation=c,
                estate=building.estate,
                building=building,
                category=category,
                level="satisfied" if satisfied else "dissatisfied",
                score=4 if satisfied else 2,
                satisfied=satisfied,
                dissatisfied=not satisfied,
                reason=reason,
            )
    return c


def reason_code(code: str, label: str, keywords: str, category: str = "") -> ReasonCode:
    return ReasonCode.objects.create(
        code=code,
        label_zh_hans=label,
        label_zh_hant=label,
        label_en=code,
        keywords=keywords,
        category=category,
    )
