"""Thin tasks: take ids, call the delivery service.

No task lock: every row is claimed with a conditional update before it is sent, so two
workers running the retry at once share the work instead of doubling it, and a worker
that dies cannot leave a lock behind that would stop retries for good.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from estatedesk.notifications import delivery


@db_task()
def deliver(message_id: int) -> bool:
    return delivery.deliver(message_id)


@db_task()
def deliver_many(message_ids: list[int]) -> int:
    """A chunk of a mass mailing; a row another worker took (or the retry sweep) is skipped."""
    return sum(delivery.deliver(message_id) for message_id in message_ids)


@db_periodic_task(crontab(minute="*"))
def retry_due_messages() -> int:
    return delivery.retry_due()
