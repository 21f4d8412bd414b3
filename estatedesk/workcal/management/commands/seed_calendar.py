from django.core.management.base import BaseCommand

from estatedesk.workcal import seeding


class Command(BaseCommand):
    help = (
        "Load China's official holidays and make-up working days (the years the holidays package "
        "transcribes) into the calendar. Safe to run again: existing days are kept. Migrations run "
        "it once; use it after `flush`."
    )

    def handle(self, *args, **options) -> None:
        added = seeding.seed()
        self.stdout.write(f"calendar seeded: {added} days added")
