"""``manage draft_monthly_reports``: draft the monthly reports by hand (the worker does it nightly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from estatedesk.reports import services


class Command(BaseCommand):
    help = (
        "Draft the monthly department reports: for --year/--month, or else every month "
        "not yet drafted up to last month. Submitted reports are never changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int)
        parser.add_argument("--month", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        year, month = options["year"], options["month"]
        if (year is None) != (month is None):
            raise CommandError("Give both --year and --month, or neither.")
        try:
            if year is not None and month is not None:
                reports = services.draft_month(year=year, month=month)
            else:
                reports = services.catch_up(timezone.now())
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        periods = sorted({f"{r.year}-{r.month:02d}" for r in reports})
        self.stdout.write(f"reports: {len(reports)}, months: {', '.join(periods) or '-'}")
