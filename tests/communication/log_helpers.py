"""Helpers for the communication log's tests: a contact of estate A with an owner."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from estatedesk.communication.models import Contact
from estatedesk.communication.services import log
from estatedesk.core.clock import company_zone, now


def record(world: Any, persona: str = "handler_a", **changes: Any) -> Contact:
    """A phone call with the owner of unit A ten days ago about parking."""
    values: dict[str, Any] = {
        "actor": world.users[persona],
        "estate": world.estate_a.pk,
        "office": world.office_a.pk,
        "occurred_at": now() - timedelta(days=10),
        "subject": "地下车位租赁",
        "channel": "phone",
        "counterpart": "owner",
        "unit": world.unit_a.pk,
        "staff": [world.users["handler_a"].staff.pk],
        "other_people": "张三、李四",
        "summary": "业主询问地下车位租赁价格，管理处答复本周内回复。",
    }
    values.update(changes)
    return log.record_contact_entry(**values)


def follow_up(world: Any, contact: Contact, *, days_after: int = 3, persona: str = "handler_a") -> Any:
    """A follow-up owned by handler A, due ``days_after`` days after the contact."""
    return log.add_follow_up(
        actor=world.users[persona],
        contact=contact,
        description="把车位价格表发给业主",
        owner=world.users["handler_a"].staff.pk,
        due_date=(contact.occurred_at + timedelta(days=days_after)).astimezone(company_zone()).date(),
    )
