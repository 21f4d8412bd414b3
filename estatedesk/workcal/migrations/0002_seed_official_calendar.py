# The official calendar of mainland China, 2010-2026, from the holidays package
# (see estatedesk/workcal/seeding.py). Runs on every fresh install; takes well under a second.

from django.db import migrations


def seed(apps, schema_editor):
    # Imported when the step runs, so that loading the migration graph stays light.
    from estatedesk.workcal import seeding

    seeding.seed(apps, schema_editor, years=range(2010, 2027))


def unseed(apps, schema_editor):
    for name in ("CalendarDay", "CalendarYear", "HistoricalCalendarDay", "HistoricalCalendarYear", "CalendarRevision"):
        apps.get_model("workcal", name).objects.filter(region="CN").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("workcal", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
