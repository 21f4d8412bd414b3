"""``manage sweep_deadlines``: one pass of the deadline sweeps, for cron users (the worker runs it every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from estatedesk.complaints import sweeps


class Command(BaseCommand):
    help = "Remind handlers of replies coming due and tell department heads of passed deadlines, once each."

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweeps.sweep_deadlines(timezone.now())
        self.stdout.write(f"reminded: {result['reminded']}, overdue told: {result['overdue']}")
