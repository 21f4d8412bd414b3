"""What the demo's rectification items say (SPEC R-1): defects as handover inspectors write
them, per category, with the measure the developer's customer service sets, what a resident
says when not satisfied, and what the departments find in the public areas. Pure data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Defect:
    category: str
    locations: tuple[str, ...]
    description: str  # "{where}" is replaced by the location
    measure: str
    days: int  # the completion date the developer usually sets, in days


# (category, share of the batch)
CATEGORY_SHARES = (
    ("walls", 0.28),
    ("doors_windows", 0.18),
    ("plumbing", 0.14),
    ("electrical", 0.13),
    ("waterproofing", 0.12),
    ("fittings", 0.15),
)

ROOMS = ("客厅", "主卧", "次卧", "书房", "餐厅", "儿童房")

DEFECTS: tuple[Defect, ...] = (
    # Walls, floors and ceilings
    Defect(
        "walls",
        ROOMS,
        "{where}东墙墙面空鼓，敲击有空响，面积约0.5平方米",
        "铲除空鼓部位，重新批荡、刮腻子、刷乳胶漆",
        7,
    ),
    Defect("walls", ROOMS, "{where}墙面开裂，裂缝长约40厘米", "裂缝处开V形槽，贴网格布后重新批灰、涂刷", 7),
    Defect(
        "walls", ("客厅", "主卧", "餐厅"), "{where}天花板石膏线开裂、接缝明显", "重新嵌缝、补石膏线并涂刷", 5
    ),
    Defect("walls", ROOMS, "{where}地面找平不平整，2米靠尺高差超过5毫米", "局部打磨找平", 10),
    Defect("walls", ROOMS, "{where}墙面乳胶漆污染、色差明显", "打磨后整面重新涂刷", 5),
    Defect("walls", ("客厅", "主卧", "走廊"), "{where}阴阳角不顺直", "重新修整阴阳角并涂刷", 7),
    # Doors and windows
    Defect(
        "doors_windows",
        ("主卧窗户", "次卧窗户", "厨房窗户", "客厅窗户"),
        "{where}密封胶条缺失，关闭后密封不严",
        "补装密封胶条并调整五金件",
        5,
    ),
    Defect(
        "doors_windows", ("阳台推拉门", "厨房推拉门"), "{where}推拉不顺畅、有异响", "更换滑轮、调整轨道", 5
    ),
    Defect("doors_windows", ("入户门",), "{where}门锁反锁不灵", "更换锁芯、调整锁舌", 3),
    Defect(
        "doors_windows",
        ("主卧窗户", "客厅窗户", "书房窗户"),
        "{where}窗框与墙体间打胶开裂",
        "清除旧胶，重新打耐候密封胶",
        7,
    ),
    Defect(
        "doors_windows",
        ("卫生间门", "主卧门", "次卧门"),
        "{where}门扇下垂，与门框摩擦",
        "调整合页，必要时更换",
        5,
    ),
    Defect("doors_windows", ("客厅窗户", "主卧窗户"), "{where}玻璃有明显划痕", "更换玻璃", 10),
    # Plumbing and drainage
    Defect("plumbing", ("主卫", "客卫"), "{where}地漏反水，有异味", "更换防臭地漏，疏通排水管", 5),
    Defect("plumbing", ("主卫", "客卫"), "{where}洗手盆下水不畅", "疏通下水管，更换下水器", 3),
    Defect("plumbing", ("厨房",), "{where}水龙头接口渗水", "更换密封圈，重新安装龙头", 3),
    Defect("plumbing", ("主卫", "客卫"), "{where}马桶冲水不止", "更换水箱配件", 3),
    Defect("plumbing", ("厨房", "阳台"), "{where}排水立管接口渗漏", "重新粘接管件，做通水试验", 7),
    # Electrical
    Defect("electrical", ROOMS, "{where}插座无电", "检查线路，更换插座", 3),
    Defect("electrical", ROOMS, "{where}开关面板松动、歪斜", "重新固定面板", 3),
    Defect("electrical", ("主卫", "客卫"), "{where}浴霸开关控制不对应", "重新接线并标识", 3),
    Defect("electrical", ("厨房",), "{where}插座回路漏电保护器跳闸", "排查漏电点，更换故障插座", 5),
    Defect("electrical", ("书房", "客厅"), "{where}弱电箱网络端口不通", "重新压接网线，测试端口", 5),
    # Waterproofing and leaks
    Defect("waterproofing", ("阳台",), "{where}墙角渗水，墙面发霉起皮", "外侧打胶封堵，内墙铲除重做", 10),
    Defect("waterproofing", ("主卫", "客卫"), "{where}墙面返潮，防水层疑有破损", "闭水试验后重做防水层", 14),
    Defect(
        "waterproofing", ("主卧飘窗", "次卧飘窗"), "{where}下雨后窗台渗水", "飘窗外侧重新打胶，检查排水孔", 10
    ),
    Defect(
        "waterproofing", ("次卧", "主卧"), "{where}外墙渗水导致内墙起皮", "外墙吊篮打胶封堵，内墙修补", 14
    ),
    # Fittings and fixtures
    Defect("fittings", ("厨房",), "{where}橱柜门铰链松动，门板下垂", "更换铰链并调整门板", 3),
    Defect("fittings", ("厨房",), "{where}石英石台面有裂纹", "更换台面", 14),
    Defect("fittings", ("主卫", "客卫"), "{where}淋浴屏玻璃门关闭不严", "调整合页及挡水条", 5),
    Defect("fittings", ("客厅", "主卧", "次卧"), "{where}木地板起拱", "拆除起拱部位，重新铺装", 10),
    Defect("fittings", ("厨房", "主卫", "客卫"), "{where}墙砖空鼓、边角破损", "拆除空鼓墙砖，重新铺贴", 7),
)

OBJECTIONS = {
    "walls": "修补处仍可见裂纹，颜色与周围墙面不一致",
    "doors_windows": "关窗后仍能感觉到漏风",
    "plumbing": "放水试验后仍有反味",
    "electrical": "插座时有时无，仍不正常",
    "waterproofing": "昨晚下雨后墙角又湿了",
    "fittings": "调整后仍关不严，晃动明显",
    "public_areas": "仍未修好",
}

SENT_BACK = (
    "修补处仍可见裂纹，须重新处理",
    "现场复查仍有渗水痕迹，须重做",
    "施工后未清理现场，污染墙面",
)

WORK_NOTES = ("已按整改措施完成", "已完成整改，现场已清理", "已修复并自检合格")


@dataclass(frozen=True)
class Finding:
    """A public-area defect a department found (no resident: accepted on its behalf)."""

    where: str  # "{building}" is replaced by a building's name
    description: str
    category: str
    measure: str


# Per source of the finding (``rectification.Source``; "sales": the sales office's service).
FINDINGS: dict[str, tuple[Finding, ...]] = {
    "engineering": (
        Finding("{building}地下车库B2层", "消防管道接口渗水", "plumbing", "更换管件，重新试压"),
        Finding("{building}屋面", "屋面防水层起鼓", "waterproofing", "割开起鼓处，重做防水附加层"),
        Finding("中心花园", "景观水池循环泵漏水", "public_areas", "更换水泵机封"),
        Finding("{building}电梯厅", "电梯厅吊顶开裂", "public_areas", "重新嵌缝、涂刷"),
        Finding("1号配电房", "配电柜接地线松脱", "electrical", "重新紧固接地线并测试"),
        Finding("{building}楼梯间", "楼梯间窗户无法关闭", "doors_windows", "更换窗户执手"),
    ),
    "security": (
        Finding("东门岗亭", "道闸杆抬起缓慢", "public_areas", "更换道闸电机"),
        Finding("{building}消防通道", "应急照明灯不亮", "electrical", "更换应急灯电池"),
        Finding("北侧围墙", "周界红外对射误报频繁", "public_areas", "调整对射角度，更换探头"),
        Finding("地下车库出入口", "监控摄像头画面模糊", "public_areas", "更换摄像机"),
        Finding("{building}单元门", "单元门闭门器漏油，关门过猛", "doors_windows", "更换闭门器"),
    ),
    "cleaning": (
        Finding("{building}大堂", "大理石地面多处破损", "public_areas", "更换破损石材"),
        Finding("垃圾收集房", "排水沟盖板断裂", "public_areas", "更换不锈钢盖板"),
        Finding("{building}楼梯间", "楼梯扶手松动", "fittings", "重新固定扶手立杆"),
        Finding("{building}外墙", "外墙瓷砖脱落", "walls", "搭设吊篮，重新铺贴外墙砖"),
        Finding("{building}地下车库", "地面积水，排水坡度不足", "public_areas", "增设排水沟"),
    ),
    "sales": (
        Finding("样板房通道", "人行道地砖松动", "public_areas", "重新铺贴地砖"),
        Finding("{building}入户大堂", "单元门门禁刷卡失灵", "electrical", "更换门禁读卡器"),
        Finding("小区主入口", "水景池池壁瓷砖脱落", "public_areas", "重新铺贴池壁瓷砖"),
        Finding("{building}架空层", "架空层墙面渗水发黑", "waterproofing", "顶板注浆堵漏，墙面重做"),
    ),
}
SALES_DEPARTMENT = "案场服务中心"
