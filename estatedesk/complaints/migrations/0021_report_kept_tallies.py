"""The monthly report's repeat complainants and reply times kept by triggers (decision 0072).

The tables come here; their triggers and their first fill come after the migrations
(``complaints.tally.count_after_migrate``), as for the other kept counts.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0020_report_columns'),
    ]

    operations = [
        migrations.CreateModel(
            name='RepeatRow',
            fields=[
                ('complaint_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('department_id', models.IntegerField()),
                ('month', models.DateField()),
                ('complainant', models.TextField()),
                ('received_at', models.DateTimeField()),
            ],
            options={
                'indexes': [models.Index(fields=['department_id', 'month', 'complainant', 'received_at', '-complaint_id'], name='repeat_row_order')],
            },
        ),
        migrations.CreateModel(
            name='RepeatTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('department_id', models.IntegerField()),
                ('month', models.DateField()),
                ('complainant', models.TextField()),
                ('received', models.IntegerField(db_default=0)),
            ],
            options={
                'indexes': [models.Index(fields=['department_id', 'month', 'received'], name='repeat_tally_many')],
                'constraints': [models.UniqueConstraint(fields=('department_id', 'month', 'complainant'), name='repeat_tally_key')],
            },
        ),
        migrations.CreateModel(
            name='ReplyTime',
            fields=[
                ('complaint_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('department_id', models.IntegerField()),
                ('month', models.DateField()),
                ('reply_us', models.BigIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['department_id', 'month', 'reply_us'], name='reply_time_rank')],
            },
        ),
    ]
