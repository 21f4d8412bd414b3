"""The categories of §7.3.1 / §4.1 (SPEC K-3), present from the first start."""

from django.db import migrations

CATEGORIES = [
    ("housing", "房管", "房管", "Housing management"),
    ("security", "治安", "治安", "Security"),
    ("vehicles", "车辆", "車輛", "Vehicles and parking"),
    ("cleaning", "清洁", "清潔", "Cleaning"),
    ("landscaping", "绿化", "綠化", "Landscaping"),
    ("repairs", "维修", "維修", "Repairs and maintenance"),
    ("community", "社区活动", "社區活動", "Community activities"),
    ("convenience", "便民服务", "便民服務", "Convenience services"),
    ("charges", "收费", "收費", "Charges"),
    ("funds", "经费管理", "經費管理", "Funds management"),
    ("other", "其他", "其他", "Other"),
]


def add(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    for order, (code, hans, hant, en) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code, defaults={"name_zh_hans": hans, "name_zh_hant": hant, "name_en": en, "order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
