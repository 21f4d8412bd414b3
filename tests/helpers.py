"""Small helpers the test modules share (import them from here, never copy them)."""

from __future__ import annotations

from datetime import datetime

import time_machine


def frozen_at(when: datetime) -> time_machine.travel:
    """The clock stopped at ``when`` (an aware datetime) for the ``with`` block: the services,
    the pages and ``timezone.now()`` all read that moment, and it does not tick."""
    return time_machine.travel(when, tick=False)
