"""``manage draft_period_reports``: draft the quarterly analysis and annual summary by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from estatedesk.reports import services_periods


class Command(BaseCommand):
    help = (
        "Draft the quarterly analysis (--year --quarter) or annual summary (--year), or with "
        "no option every quarter and year that has ended and is not yet drafted. "
        "Published ones are never changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int)
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])

    def handle(self, *args: Any, **options: Any) -> None:
        year, quarter = options["year"], options["quarter"]
        if quarter is not None and year is None:
            raise CommandError("Give --year with --quarter.")
        if year is not None and not 2000 <= year <= 9998:
            raise CommandError(f"not a year: {year}")
        if year is not None and quarter is not None:
            made: list[Any] = [services_periods.draft_quarter(year=year, quarter=quarter)]
        elif year is not None:
            made = [services_periods.draft_year(year=year)]
        else:
            made = services_periods.catch_up_periods(timezone.now())
        names = [f"{m.year} Q{m.quarter}" if hasattr(m, "quarter") else str(m.year) for m in made]
        self.stdout.write(f"periods: {len(made)}: {', '.join(names) or '-'}")
