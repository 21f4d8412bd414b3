"""Open records at month end from kept counts (complaints.tally, decision 0066).

The company-local date each closed complaint was closed on is filled in for the rows already
there (in the company's time zone). The triggers that keep ``OpenTally``, and its first
count, come after the migrations (``complaints.tally.count_after_migrate``). The index the
report's open items were counted from before goes.
"""

from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import migrations, models

import estatedesk.core.fields

CHUNK = 5000


def _zone(apps):
    settings = apps.get_model("core", "CompanySettings").objects.filter(pk=1).first()
    try:
        return ZoneInfo((settings.time_zone if settings else "") or "Asia/Shanghai")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def fill_closed_on(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    zone = _zone(apps)
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE complaints_complaint SET closed_on = CAST(closed_at AT TIME ZONE %s AS date) "
                "WHERE closed_at IS NOT NULL",
                [zone.key],
            )
        return
    last = 0
    while True:
        rows = list(
            Complaint.objects.filter(pk__gt=last, closed_at__isnull=False)
            .order_by("pk")
            .values_list("pk", "closed_at")[:CHUNK]
        )
        if not rows:
            return
        last = rows[-1][0]
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE complaints_complaint SET closed_on = %s WHERE id = %s",
                [(at.replace(tzinfo=at.tzinfo or dt_timezone.utc).astimezone(zone).date(), pk) for pk, at in rows],
            )


def stop_counting(apps, schema_editor):
    from estatedesk.complaints import tally  # the current triggers' names, to take them off

    with schema_editor.connection.cursor() as cursor:
        for statement in tally.drop_sql(schema_editor.connection.vendor):
            cursor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0018_open_index_newest_first'),
        ('core', '0008_notice_lead_hours'),
    ]

    operations = [
        migrations.CreateModel(
            name='OpenTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('department_id', models.IntegerField()),
                ('month', models.DateField()),
                ('closed_month', models.DateField()),
                ('received', models.IntegerField(db_default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('department_id', 'month', 'closed_month'), name='open_tally_key')],
            },
        ),
        migrations.RemoveIndex(
            model_name='complaint',
            name='complaint_dept_open',
        ),
        migrations.AddField(
            model_name='complaint',
            name='closed_on',
            field=estatedesk.core.fields.LocalDateField(editable=False, follows=True, null=True, source='closed_at'),
        ),
        migrations.RunPython(fill_closed_on, migrations.RunPython.noop),
        # The triggers and the first count come after the migrations
        # (complaints.tally.count_after_migrate); unapplying this takes them off.
        migrations.RunPython(migrations.RunPython.noop, stop_counting),
    ]
