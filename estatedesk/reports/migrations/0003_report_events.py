"""The reports' timelines (reports.events), with the events the existing rows already tell:
submissions, reviews, publications and issues; and the annual summary's published state is
called "Issued", as its pages always said."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    MonthlyReport = apps.get_model("reports", "MonthlyReport")
    QuarterlyAnalysis = apps.get_model("reports", "QuarterlyAnalysis")
    AnnualSummary = apps.get_model("reports", "AnnualSummary")
    ReportEvent = apps.get_model("reports", "ReportEvent")

    def who(staff):
        return {"actor_id": staff.user_id, "actor_name": staff.display_name} if staff else {}

    rows = []
    for r in MonthlyReport.objects.exclude(submitted_at=None).select_related("submitted_by", "reviewed_by"):
        rows.append(
            ReportEvent(
                monthly_report=r, kind="submitted", at=r.submitted_at, from_status="draft",
                to_status="submitted", **who(r.submitted_by),
            )
        )
        if r.reviewed_at is not None:
            rows.append(
                ReportEvent(
                    monthly_report=r,
                    kind="reviewed_actions" if r.decision == "actions" else "reviewed_no_action",
                    at=r.reviewed_at, from_status="submitted", to_status="reviewed", note=r.review_note,
                    **who(r.reviewed_by),
                )
            )
    for q in QuarterlyAnalysis.objects.exclude(published_at=None).select_related("published_by"):
        rows.append(
            ReportEvent(
                quarterly_analysis=q, kind="published", at=q.published_at, from_status="draft",
                to_status="published", **who(q.published_by),
            )
        )
    for a in AnnualSummary.objects.exclude(published_at=None).select_related("published_by"):
        rows.append(
            ReportEvent(
                annual_summary=a, kind="issued", at=a.published_at, from_status="draft",
                to_status="published", **who(a.published_by),
            )
        )
    ReportEvent.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_review_quarterly_annual'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='annualsummary',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Issued')], default='draft', max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='historicalannualsummary',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Issued')], default='draft', max_length=20, verbose_name='status'),
        ),
        migrations.CreateModel(
            name='ReportEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True)),
                ('actor_name', models.CharField(blank=True, max_length=100)),
                ('from_status', models.CharField(blank=True, max_length=12)),
                ('to_status', models.CharField(blank=True, max_length=12)),
                ('note', models.TextField(blank=True)),
                ('data', models.JSONField(blank=True, default=dict)),
                ('kind', models.CharField(choices=[('drafted', 'Figures drafted'), ('analysis_saved', 'Analysis saved as a draft'), ('submitted', 'Submitted to the deputy general manager'), ('reviewed_no_action', 'Reviewed: no action needed'), ('reviewed_actions', 'Reviewed: corrective / preventive actions opened'), ('published', 'Published to all departments'), ('summary_saved', 'Summary saved as a draft'), ('issued', 'Issued')], max_length=30, verbose_name='what happened')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('annual_summary', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='reports.annualsummary')),
                ('monthly_report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='reports.monthlyreport')),
                ('quarterly_analysis', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='reports.quarterlyanalysis')),
            ],
            options={
                'verbose_name': 'report event',
                'verbose_name_plural': 'report events',
                'ordering': ['at', 'id'],
                'abstract': False,
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('annual_summary', None), ('monthly_report__isnull', False), ('quarterly_analysis', None)), models.Q(('annual_summary', None), ('monthly_report', None), ('quarterly_analysis__isnull', False)), models.Q(('annual_summary__isnull', False), ('monthly_report', None), ('quarterly_analysis', None)), _connector='OR'), name='reports_event_of_exactly_one_report')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
