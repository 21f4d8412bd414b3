"""``manage dispose_records [--dry-run]``: the disposal job by hand (the worker runs it monthly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from estatedesk.core.errors import ServiceError
from estatedesk.records import disposal
from estatedesk.records.models import RunTrigger


class Command(BaseCommand):
    help = (
        "Archive the records past their retention period, then delete or anonymise them, and "
        "record the run. With --dry-run, only show what would go."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Show what would go; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        try:
            run = disposal.dispose_past_retention(actor=None, trigger=RunTrigger.COMMAND, dry_run=dry_run)
        except ServiceError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"run: {run.number} ({run.get_status_display()})")
        for key, counts in run.counts.items():
            if dry_run:
                line = f"{key}: listed {counts['listed']}, held {counts['held']}, would go {counts['to_dispose']}"
            else:
                line = (
                    f"{key}: listed {counts.get('listed', 0)}, held {counts.get('held', 0)}, "
                    f"archived {counts.get('archived', 0)}, disposed {counts.get('disposed', 0)}, "
                    f"kept {counts.get('kept', 0)}"
                )
            self.stdout.write(line)
        if not dry_run:
            self.stdout.write(f"archive: {disposal.archive_path(run)} (SHA-256 {run.archive_sha256})")
