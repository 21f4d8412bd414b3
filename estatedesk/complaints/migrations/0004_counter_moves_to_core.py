# The document-number counter now belongs to core (core 0003). State only: the table stays.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_complaint_dept_open"),
        ("core", "0003_counter"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Counter")],
            database_operations=[],
        ),
    ]
