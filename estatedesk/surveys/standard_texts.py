"""The default evaluation standards (業戶滿意度測評標準, §7.3.5; SPEC S-1), in the product's three
languages: one for residential estates (§7.3.1's categories) and one for office buildings (the
bank example's: management and reception, cleaning and landscaping, security, facilities).

Plain data, read by the migration that installs them and by ``standards.install_defaults``.
Each question: (category, kind, required, simplified Chinese, traditional Chinese, English).
"""

from __future__ import annotations

Question = tuple[str, str, bool, str, str, str]

RESIDENTIAL_TITLE = ("业户满意度测评表", "業戶滿意度測評表", "Residents' satisfaction questionnaire")
RESIDENTIAL_INTRO = (
    "尊敬的业户：为了解您对我们物业服务的意见，持续改进服务质量，请您对以下各项服务作出评价。"
    "每题请选择一项；如不满意，欢迎写下原因。感谢您的支持！",
    "尊敬的業戶：為了解您對我們物業服務的意見，持續改進服務質量，請您對以下各項服務作出評價。"
    "每題請選擇一項；如不滿意，歡迎寫下原因。感謝您的支持！",
    "Dear resident, to learn what you think of our property services and keep improving them, please "
    "rate each service below. Choose one answer per question; if you are not satisfied, tell us why. "
    "Thank you for your support!",
)
RESIDENTIAL_QUESTIONS: tuple[Question, ...] = (
    (
        "housing",
        "rating",
        True,
        "管理处工作人员的服务态度与办事效率",
        "管理處工作人員的服務態度與辦事效率",
        "The management office staff's attitude and efficiency",
    ),
    (
        "housing",
        "rating",
        True,
        "公共区域（大堂、楼道、电梯）的日常管理",
        "公共區域（大堂、樓道、電梯）的日常管理",
        "Day-to-day management of the common areas (lobby, stairs, lifts)",
    ),
    (
        "security",
        "rating",
        True,
        "小区秩序维护与门岗管理",
        "小區秩序維護與門崗管理",
        "Order in the estate and the gatehouse",
    ),
    (
        "security",
        "rating",
        True,
        "安全巡逻及对外来人员的管理",
        "安全巡邏及對外來人員的管理",
        "Patrols and the handling of visitors and strangers",
    ),
    (
        "vehicles",
        "rating",
        True,
        "车辆停放秩序与停车场管理",
        "車輛停放秩序與停車場管理",
        "Parking order and the car park",
    ),
    (
        "vehicles",
        "rating",
        True,
        "电动车、自行车的停放与充电管理",
        "電動車、自行車的停放與充電管理",
        "Parking and charging of e-bikes and bicycles",
    ),
    (
        "cleaning",
        "rating",
        True,
        "楼道、电梯等公共部位的清洁",
        "樓道、電梯等公共部位的清潔",
        "Cleanliness of stairs, lifts and other common parts",
    ),
    (
        "cleaning",
        "rating",
        True,
        "生活垃圾清运的及时程度",
        "生活垃圾清運的及時程度",
        "How promptly household waste is collected",
    ),
    (
        "landscaping",
        "rating",
        True,
        "绿化养护（修剪、浇灌、补种）",
        "綠化養護（修剪、澆灌、補種）",
        "Care of the greenery (pruning, watering, replanting)",
    ),
    ("landscaping", "rating", True, "园林景观的整体效果", "園林景觀的整體效果", "The landscaping as a whole"),
    (
        "repairs",
        "rating",
        True,
        "报修响应及维修的及时程度",
        "報修響應及維修的及時程度",
        "How quickly repair requests are answered and done",
    ),
    (
        "repairs",
        "rating",
        True,
        "维修质量与维修人员的服务",
        "維修質量與維修人員的服務",
        "Quality of repairs and the repair staff's service",
    ),
    ("community", "rating", True, "社区文化活动的组织", "社區文化活動的組織", "Community activities"),
    (
        "convenience",
        "rating",
        True,
        "便民服务（代收快递、家政介绍等）",
        "便民服務（代收快遞、家政介紹等）",
        "Convenience services (parcel collection, home-help referrals and the like)",
    ),
    (
        "overall",
        "rating",
        True,
        "对物业服务的总体评价",
        "對物業服務的總體評價",
        "Your overall opinion of our property services",
    ),
    (
        "",
        "text",
        False,
        "您对我们的服务还有哪些意见和建议？",
        "您對我們的服務還有哪些意見和建議？",
        "What else would you like to tell us about our services?",
    ),
)

OFFICE_TITLE = (
    "写字楼客户满意度测评表",
    "寫字樓客戶滿意度測評表",
    "Office tenants' satisfaction questionnaire",
)
OFFICE_INTRO = (
    "尊敬的客户：为不断提升大厦的物业服务品质，请贵部门对以下各项服务作出评价。每题请选择一项；"
    "如不满意，欢迎写下原因。感谢您的支持！",
    "尊敬的客戶：為不斷提升大廈的物業服務品質，請貴部門對以下各項服務作出評價。每題請選擇一項；"
    "如不滿意，歡迎寫下原因。感謝您的支持！",
    "Dear tenant, to keep raising the quality of the building's property services, please rate each "
    "service below for your department. Choose one answer per question; if you are not satisfied, tell "
    "us why. Thank you for your support!",
)
OFFICE_QUESTIONS: tuple[Question, ...] = (
    (
        "reception",
        "rating",
        True,
        "前台接待与管理人员的服务",
        "前台接待與管理人員的服務",
        "Reception and the management staff's service",
    ),
    (
        "reception",
        "rating",
        True,
        "会务服务（会议室布置、茶水）",
        "會務服務（會議室佈置、茶水）",
        "Meeting services (room set-up, tea)",
    ),
    (
        "cleaning_landscaping",
        "rating",
        True,
        "办公区域及公共卫生间的清洁",
        "辦公區域及公共衛生間的清潔",
        "Cleanliness of the offices and the washrooms",
    ),
    (
        "cleaning_landscaping",
        "rating",
        True,
        "室内外绿植的养护",
        "室內外綠植的養護",
        "Care of the plants indoors and outdoors",
    ),
    (
        "guarding",
        "rating",
        True,
        "门岗值守、巡逻与来访登记",
        "門崗值守、巡邏與來訪登記",
        "Guards on duty, patrols and visitor registration",
    ),
    ("guarding", "rating", True, "消防安全管理", "消防安全管理", "Fire safety"),
    (
        "facilities",
        "rating",
        True,
        "空调、电梯等设施设备的运行",
        "空調、電梯等設施設備的運行",
        "Air conditioning, lifts and other equipment",
    ),
    (
        "facilities",
        "rating",
        True,
        "报修响应及维修质量",
        "報修響應及維修質量",
        "How quickly repairs are answered, and their quality",
    ),
    (
        "overall",
        "rating",
        True,
        "对大厦物业服务的总体评价",
        "對大廈物業服務的總體評價",
        "Your overall opinion of the building's property services",
    ),
    (
        "",
        "text",
        False,
        "您对我们的服务还有哪些意见和建议？",
        "您對我們的服務還有哪些意見和建議？",
        "What else would you like to tell us about our services?",
    ),
)

DEFAULTS = (
    # (name, estate kind, title, intro, questions)
    (
        "业户满意度测评标准（住宅）",
        "residential",
        RESIDENTIAL_TITLE,
        RESIDENTIAL_INTRO,
        RESIDENTIAL_QUESTIONS,
    ),
    ("客户满意度测评标准（写字楼）", "office", OFFICE_TITLE, OFFICE_INTRO, OFFICE_QUESTIONS),
)
