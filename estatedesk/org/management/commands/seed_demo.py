"""Load the demo company (see estatedesk.org.demo). Safe to run on every start."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from estatedesk.org import demo


class Command(BaseCommand):
    help = (
        "Load the demo company: two residential compounds, an office building, customers and staff personas."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = demo.seed()
        if summary is None:
            if demo.is_loaded():
                self.stdout.write("demo data already loaded")
            else:
                self.stdout.write("the database already holds estates; demo data not loaded")
            return
        self.stdout.write(
            f"demo data loaded in {summary.seconds:.1f} s: {summary.estates} estates, {summary.units} units "
            f"({summary.occupied} occupied), {summary.customers} customers, {summary.staff} staff; "
            f"personas sign in with the password {demo.DEMO_PASSWORD!r}"
        )
