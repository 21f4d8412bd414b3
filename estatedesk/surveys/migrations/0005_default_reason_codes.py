"""Install the default reason codes for the Pareto chart of dissatisfaction reasons (S-9).

The administrator edits, adds and retires them afterwards; a code already there is left as it
is. Keywords are in both Chinese scripts (and English): a resident writes in any of them. No
category: a reason about rubbish given under any question is still about cleaning.
"""

from django.db import migrations

# (code, 简体, 繁體, English, keywords). The first code with a keyword in the reason wins, so
# the specific ones (lifts, leaks, water) stand before the general "slow repairs", and the
# broad "notices" comes last.
# fmt: off
CODES = [
    ("cleaning", "清洁卫生", "清潔衛生", "Cleaning and rubbish",
     ["垃圾", "卫生", "衛生", "清洁", "清潔", "脏", "髒", "保洁", "保潔", "异味", "異味", "臭", "rubbish", "dirty", "clean", "打扫", "打掃", "清扫", "清掃", "没人扫", "沒人掃", "灰尘", "灰塵", "落叶", "落葉", "清洗"]),
    ("noise", "噪音扰民", "噪音擾民", "Noise",
     ["噪音", "吵", "装修声", "裝修聲", "扰民", "擾民", "noise", "noisy", "广场舞", "廣場舞", "异响", "異響", "影响休息", "影響休息"]),
    ("parking", "停车管理", "停車管理", "Parking",
     ["停车", "停車", "车位", "車位", "乱停", "亂停", "车辆", "車輛", "parking", "car park", "车库", "車庫", "减速带", "減速帶", "道闸", "道閘", "月卡", "充电桩", "充電樁", "单车", "單車", "自行车", "自行車"]),
    ("security", "安保巡逻", "保安巡邏", "Security and patrols",
     ["保安", "安保", "巡逻", "巡邏", "门岗", "門崗", "陌生人", "被盗", "被盜", "偷", "security", "guard", "patrol", "盗窃", "盜竊", "监控", "監控", "值守", "安全隐患", "安全隱患", "高空抛物", "高空拋物", "门禁", "門禁"]),
    ("lifts", "电梯故障", "電梯故障", "Lifts",
     ["电梯", "電梯", "升降机", "升降機", "lift", "elevator"]),
    ("leaks", "漏水渗水", "漏水滲水", "Leaks and seepage",
     ["漏水", "渗水", "滲水", "水管", "水浸", "积水", "積水", "leak", "seepage", "flood", "防水", "漏雨"]),
    ("water_supply", "供水水压", "供水水壓", "Water supply",
     ["水压", "水壓", "供水", "水箱", "停水", "water pressure", "water supply"]),
    ("slow_repairs", "维修不及时", "維修不及時", "Slow repairs",
     ["维修", "維修", "报修", "報修", "修理", "没人修", "沒人修", "坏了", "壞了", "repair", "broken", "fix"]),
    ("attitude", "服务态度", "服務態度", "Staff attitude",
     ["态度", "態度", "不礼貌", "不禮貌", "不耐烦", "不耐煩", "推诿", "推諉", "rude", "attitude", "impolite", "敷衍", "没人接", "沒人接", "没人回应", "沒人回應", "效率低", "不熟悉"]),
    ("charges", "收费问题", "收費問題", "Charges and fees",
     ["收费", "收費", "物业费", "物業費", "管理费", "管理費", "太贵", "太貴", "账目", "賬目", "fee", "charge", "expensive", "公共收益", "续费", "續費"]),
    ("landscaping", "绿化养护", "綠化養護", "Landscaping",
     ["绿化", "綠化", "草坪", "树木", "樹木", "花草", "修剪", "garden", "lawn", "tree", "花坛", "花壇", "植物", "打药", "打藥", "大树", "大樹"]),
    ("notices", "通知公示", "通知公示", "Notices and information",
     ["通知", "公示", "公告", "不透明", "notice", "informed"]),
]
# fmt: on


def install(apps, schema_editor):
    ReasonCode = apps.get_model("surveys", "ReasonCode")
    for position, (code, hans, hant, en, keywords) in enumerate(CODES, start=1):
        if ReasonCode.objects.filter(code=code).exists():
            continue
        ReasonCode.objects.create(
            code=code,
            label_zh_hans=hans,
            label_zh_hant=hant,
            label_en=en,
            keywords="\n".join(keywords),
            position=position * 10,
            active=True,
        )


def remove(apps, schema_editor):
    apps.get_model("surveys", "ReasonCode").objects.filter(code__in=[c[0] for c in CODES]).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_consultations_reviews")]

    operations = [migrations.RunPython(install, remove)]
