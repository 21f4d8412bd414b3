from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_default_categories"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                fields=["department", "received_at", "status", "closed_at"], name="complaint_dept_open"
            ),
        ),
    ]
