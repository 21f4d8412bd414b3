"""The monthly report's columns: reply time in microseconds and the complainant's key, kept by
the database, and the index the report reads a department-month from (decision 0068).

Both columns are added in one table rebuild on SQLite (a stored generated column cannot be
added in place, and Django's AddField would rebuild the table once per column) and in one
ALTER TABLE on PostgreSQL (one rewrite). The counts' triggers go with the old table on
SQLite; ``complaints.tally.count_after_migrate`` puts them back after the migrations, as
after every migration.
"""

import django.db.models.functions.comparison
import django.db.models.functions.text
import estatedesk.complaints.generated
from django.conf import settings
from django.db import migrations, models
from django.db.migrations.operations.base import Operation


class AddGeneratedColumns(Operation):
    """AddField for several stored generated columns of one model, with one rewrite of its table."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name, fields):
        self.model_name = model_name
        self.fields = fields

    def deconstruct(self):
        return self.__class__.__name__, [], {"model_name": self.model_name, "fields": self.fields}

    def state_forwards(self, app_label, state):
        for name, field in self.fields:
            state.add_field(app_label, self.model_name, name, field, True)

    def _rewrite(self, schema_editor, model, add):
        connection = schema_editor.connection
        if connection.vendor == "sqlite":
            # The new table is made from ``model``'s fields; its generated columns are computed
            # as the rows are copied in (they are not in the copy's column list).
            schema_editor._remake_table(model)
            return
        table = schema_editor.quote_name(model._meta.db_table)
        parts, params = [], []
        for name, _field in self.fields:
            field = model._meta.get_field(name)
            column = schema_editor.quote_name(field.column)
            if add:
                definition, field_params = schema_editor.column_sql(model, field, include_default=False)
                parts.append(f"ADD COLUMN {column} {definition}")
                params.extend(field_params)
            else:
                parts.append(f"DROP COLUMN {column}")
        schema_editor.execute(f"ALTER TABLE {table} " + ", ".join(parts), params)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            self._rewrite(schema_editor, model, add=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        # On SQLite the table is rebuilt from the model without the columns.
        model = (to_state if schema_editor.connection.vendor == "sqlite" else from_state).apps.get_model(
            app_label, self.model_name
        )
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            self._rewrite(schema_editor, model, add=False)

    def describe(self):
        return f"Add generated columns {', '.join(n for n, _f in self.fields)} to {self.model_name}"


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0019_closed_on_open_tally'),
        ('org', '0006_channels'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddGeneratedColumns(
            model_name='complaint',
            fields=[
                ('complainant', models.GeneratedField(db_persist=True, expression=models.Case(models.When(customer_id__isnull=False, then=django.db.models.functions.text.Concat(models.Value('customer:'), django.db.models.functions.comparison.Cast('customer_id', output_field=models.CharField()))), models.When(models.Q(('phone_index', ''), _negated=True), then=django.db.models.functions.text.Concat(models.Value('phone:'), models.F('phone_index'))), models.When(models.Q(('complainant_name', ''), _negated=True), then=django.db.models.functions.text.Concat(models.Value('name:'), models.F('complainant_name'))), default=models.Value(None), output_field=models.TextField()), output_field=models.TextField(null=True))),
                ('reply_us', models.GeneratedField(db_persist=True, expression=estatedesk.complaints.generated.Microseconds('first_replied_at', 'received_at'), output_field=models.BigIntegerField(null=True))),
            ],
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(fields=['department', 'kind', 'received_at', 'reply_us', 'complainant', 'id'], name='complaint_dept_month'),
        ),
    ]
