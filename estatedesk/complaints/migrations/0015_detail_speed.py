"""The lead index becomes partial (decision 0058).

Nearly every complaint has no lead: a full index on ``lead_id`` holds a million NULLs, and
SQLite's statistics then tell its planner that ``lead_id = ?`` matches most of the table, so
a lead's duplicates were found by scanning it. The partial index holds only the linked ones.

The foreign key's own index is dropped by name instead of through ``AlterField``, which on
SQLite would copy the whole table to change nothing but an index.
"""

import django.db.models.deletion
from django.db import migrations, models


def _plain_lead_indexes(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "complaints_complaint")
    return [
        name
        for name, info in constraints.items()
        if info["index"] and not info["unique"] and info["columns"] == ["lead_id"] and name != "complaint_lead"
    ]


def drop_plain_index(apps, schema_editor):
    model = apps.get_model("complaints", "Complaint")
    for name in _plain_lead_indexes(schema_editor):
        schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_plain_index(apps, schema_editor):
    model = apps.get_model("complaints", "Complaint")
    field = model._meta.get_field("lead")
    schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0014_open_records"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="complaint",
                    name="lead",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="duplicates",
                        to="complaints.complaint",
                        verbose_name="handled together with",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_plain_index, create_plain_index)],
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(condition=models.Q(("lead__isnull", False)), fields=["lead"], name="complaint_lead"),
        ),
    ]
