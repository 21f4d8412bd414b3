"""Thin tasks: take ids, call the delivery service."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def deliver(message_id: int) -> None:
    from estatedesk.notifications import delivery

    delivery.deliver(message_id)
