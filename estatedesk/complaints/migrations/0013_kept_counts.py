"""Kept counts of complaints by month and by day (complaints.tally, decision 0053).

The company-local date each complaint was received is filled in for the rows already there
(in the company's time zone). The triggers that keep the counts, and the first count, come
after the migrations (``complaints.tally.count_after_migrate``).
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


def fill_received_on(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    zone = _zone(apps)
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE complaints_complaint SET received_on = CAST(received_at AT TIME ZONE %s AS date)",
                [zone.key],
            )
        return
    last = 0
    while True:
        rows = list(
            Complaint.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "received_at")[:CHUNK]
        )
        if not rows:
            return
        last = rows[-1][0]
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE complaints_complaint SET received_on = %s WHERE id = %s",
                [(at.replace(tzinfo=at.tzinfo or dt_timezone.utc).astimezone(zone).date(), pk) for pk, at in rows],
            )


def stop_counting(apps, schema_editor):
    from estatedesk.complaints import tally

    with schema_editor.connection.cursor() as cursor:
        for statement in tally.drop_sql(schema_editor.connection.vendor):
            cursor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0012_channel_from_table'),
        ('core', '0008_notice_lead_hours'),
    ]

    operations = [
        migrations.AddField(
            model_name='complaint',
            name='received_on',
            field=estatedesk.core.fields.LocalDateField(editable=False, null=True, source='received_at'),
        ),
        migrations.RunPython(fill_received_on, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='complaint',
            name='received_on',
            field=estatedesk.core.fields.LocalDateField(editable=False, source='received_at'),
        ),
        migrations.CreateModel(
            name='DayTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('estate_id', models.IntegerField()),
                ('department_id', models.IntegerField()),
                ('kind', models.CharField(max_length=10)),
                ('received', models.IntegerField(db_default=0)),
                ('valid', models.IntegerField(db_default=0)),
                ('replied', models.IntegerField(db_default=0)),
                ('on_time', models.IntegerField(db_default=0)),
                ('reopened', models.IntegerField(db_default=0)),
                ('answered', models.IntegerField(db_default=0)),
                ('satisfied', models.IntegerField(db_default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('day', 'estate_id', 'department_id', 'kind'), name='day_tally_key')],
            },
        ),
        migrations.CreateModel(
            name='MonthTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('estate_id', models.IntegerField()),
                ('department_id', models.IntegerField()),
                ('category_id', models.IntegerField()),
                ('kind', models.CharField(max_length=10)),
                ('received', models.IntegerField(db_default=0)),
                ('valid', models.IntegerField(db_default=0)),
                ('invalid', models.IntegerField(db_default=0)),
                ('undecided', models.IntegerField(db_default=0)),
                ('replied', models.IntegerField(db_default=0)),
                ('on_time', models.IntegerField(db_default=0)),
                ('valid_visited', models.IntegerField(db_default=0)),
                ('reopened', models.IntegerField(db_default=0)),
                ('sat_very_satisfied', models.IntegerField(db_default=0)),
                ('sat_satisfied', models.IntegerField(db_default=0)),
                ('sat_neutral', models.IntegerField(db_default=0)),
                ('sat_dissatisfied', models.IntegerField(db_default=0)),
                ('sat_very_dissatisfied', models.IntegerField(db_default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('month', 'estate_id', 'department_id', 'category_id', 'kind'), name='month_tally_key')],
            },
        ),
        # The triggers are created, and the counts counted, after every migrate
        # (complaints.tally.count_after_migrate); unapplying this takes them off.
        migrations.RunPython(migrations.RunPython.noop, stop_counting),
    ]
