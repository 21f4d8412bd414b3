# The document-number counter moves from complaints to core. State only: the table
# (complaints_counter) and its numbers stay exactly as they are.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_companysettings_due_soon_hours_and_more"),
        ("complaints", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Counter",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("prefix", models.CharField(max_length=4)),
                        ("year", models.PositiveSmallIntegerField()),
                        ("value", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "complaints_counter",
                        "constraints": [
                            models.UniqueConstraint(fields=("prefix", "year"), name="one_counter_per_prefix_year")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
