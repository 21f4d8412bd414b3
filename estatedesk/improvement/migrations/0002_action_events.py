"""The action's timeline (improvement.events), with the events the existing rows already tell:
when each action was opened, each step finished and each verification made."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    Action = apps.get_model("improvement", "Action")
    ActionEvent = apps.get_model("improvement", "ActionEvent")

    def who(staff):
        return {"actor_id": staff.user_id, "actor_name": staff.display_name} if staff else {}

    rows = []
    for action in Action.objects.select_related("opened_by").iterator(chunk_size=500):
        rows.append(
            ActionEvent(
                action=action, kind="opened", at=action.opened_at, to_status="open", note=action.problem,
                **who(action.opened_by),
            )
        )
        for step in action.steps.select_related("done_by").filter(done_at__isnull=False):
            rows.append(
                ActionEvent(
                    action=action, kind="step_finished", at=step.done_at, note=step.result,
                    data={"step": step.pk}, **who(step.done_by),
                )
            )
        for check in action.verifications.select_related("verified_by"):
            rows.append(
                ActionEvent(
                    action=action,
                    kind="verified_effective" if check.effective else "verified_not_effective",
                    at=check.verified_at,
                    to_status="closed" if check.effective else "in_progress",
                    note=check.note,
                    **who(check.verified_by),
                )
            )
    ActionEvent.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('improvement', '0001_actions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ActionEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True)),
                ('actor_name', models.CharField(blank=True, max_length=100)),
                ('from_status', models.CharField(blank=True, max_length=12)),
                ('to_status', models.CharField(blank=True, max_length=12)),
                ('note', models.TextField(blank=True)),
                ('data', models.JSONField(blank=True, default=dict)),
                ('kind', models.CharField(choices=[('opened', 'Action opened'), ('analysed', 'Cause analysis saved'), ('step_planned', 'Step planned'), ('step_finished', 'Step finished'), ('verified_effective', 'Verified effective'), ('verified_not_effective', 'Verified not effective: back to work')], max_length=30, verbose_name='what happened')),
                ('action', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='improvement.action', verbose_name='action')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'action event',
                'verbose_name_plural': 'action events',
                'ordering': ['at', 'id'],
                'abstract': False,
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
