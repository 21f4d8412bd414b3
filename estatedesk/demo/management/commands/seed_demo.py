"""Load the demo company (see estatedesk.org.demo) and its year of complaints
(estatedesk.complaints.demo.history; in the background, the reports on it too: estatedesk.demo.tasks).
Safe to run on every start."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from estatedesk.complaints.demo import history
from estatedesk.demo import loading, progress, tasks
from estatedesk.org import demo


class Command(BaseCommand):
    help = (
        "Load the demo company: two residential compounds, an office building, customers and staff personas, "
        "and a year of complaints."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--history",
            choices=["background", "now", "skip"],
            default="background",
            help="load the year of complaints in the background worker (default), here and now, or not at all",
        )
        parser.add_argument(
            "--complaints",
            type=int,
            default=history.HISTORY_SIZE,
            help=f"how many complaints the year holds (default {history.HISTORY_SIZE:,})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = demo.seed()
        if summary is None:
            if demo.is_loaded():
                self.stdout.write("demo data already loaded")
            else:
                self.stdout.write("the database already holds estates; demo data not loaded")
        else:
            self.stdout.write(
                f"demo data loaded in {summary.seconds:.1f} s: {summary.estates} estates, {summary.units} units "
                f"({summary.occupied} occupied), {summary.customers} customers, {summary.staff} staff; "
                f"personas sign in with the password {demo.DEMO_PASSWORD!r}"
            )
        self._history(options["history"], options["complaints"])

    def _history(self, mode: str, count: int) -> None:
        state = history.history_state()
        if mode == "skip" or state not in ("needed", "partial"):
            return
        if mode == "now":
            loaded = loading.load_everything(count=count, pace=False)
            if loaded is not None:
                self.stdout.write(
                    f"demo complaint history loaded in {loaded.seconds:.0f} s: {loaded.complaints:,} complaints, "
                    f"{loaded.slips} work transfer slips, {loaded.notices} work notices, "
                    f"{loaded.reviews} weekly reviews"
                )
            return
        if HUEY.immediate:
            # No worker to hand it to: replaying here would hold up every start by a minute.
            self.stdout.write(
                "demo complaint history not loaded (background jobs run inline here); "
                "load it with: estatedesk manage seed_demo --history now"
            )
            return
        # From now until the worker has loaded it all, the home page says how far it has come.
        progress.queued(len(history.history_months(history.present() or timezone.now())))
        tasks.load_demo_history(count)
        what = "the rest of the" if state == "partial" else f"about {count:,}"
        self.stdout.write(
            f"Loading {what} demo complaints of the past year in the background; "
            "they appear over the next minute or two."
        )
