"""The demo's monthly consultations (SPEC S-4): a year of them in every management office.

For each active estate with a management office and a member of staff to run it, and for each
of the twelve months before the present's month, the office plans a consultation (the system
proposes 5 % of the occupied households), starts it, records what most of the households
asked said — mostly satisfied, a few dissatisfied with the reasons owners give — and finishes
it. Every step goes through ``surveys.services.consultations`` under ``clock_at`` a time in
that month, so the timeline, the proposal's history (those not yet consulted first) and the
flags read as if the year had been lived.

So that the flags have something to show: one estate misses two months (one of them last
month), one consultation ends under 5 % (few households reached), and one questionnaire
consultation is returned by fewer than half of the households asked.

Idempotent: a database with any consultation is left alone.
"""

from __future__ import annotations

import logging
import random
from datetime import date, datetime

from django.db.models import Q

from estatedesk.core.actors import Actor
from estatedesk.core.clock import clock_at, company_zone
from estatedesk.org.models import Department, DepartmentKind, Estate, EstateKind, Staff
from estatedesk.surveys.consultation_sampling import sample_size
from estatedesk.surveys.models import (
    OFFICE_CATEGORIES,
    RESIDENTIAL_CATEGORIES,
    Consultation,
    ConsultationMethod,
    ConsultedHousehold,
)
from estatedesk.surveys.services import consultation_answers
from estatedesk.surveys.services import consultations as service
from estatedesk.surveys.services.consultation_answers import TopicAnswer

__all__ = ["load_consultations"]

log = logging.getLogger("estatedesk.demo")

MONTHS = 12
# (estate index, months back from the present's month): what the flags should find.
MISSED = {(0, 1), (0, 5)}  # the first estate skipped last month and five months ago
UNDER_SHARE = (1, 2)  # the second estate reached few households two months ago
LOW_RETURN = (2, 3)  # the third estate's questionnaire three months ago came back under half
REASONS = {
    "cleaning": ["垃圾清运不及时", "楼道卫生打扫不彻底"],
    "security": ["夜间巡逻太少", "外来人员随意进出"],
    "vehicles": ["停车位不足", "地库车辆乱停", "访客车辆进出登记慢"],
    "housing": ["外墙渗水一直没修好", "公告通知不及时"],
    "landscaping": ["草坪长期无人修剪", "绿化带杂草多"],
    "repairs": ["报修后上门太慢"],
    "community": ["夜间噪音", "社区活动太少"],
    "convenience": ["快递柜不够用"],
    "reception": ["前台接待态度一般"],
    "cleaning_landscaping": ["洗手间清洁不及时"],
    "guarding": ["访客登记太繁琐"],
    "facilities": ["空调温度经常不合适"],
}
REMARKS = ["希望增加儿童游乐设施", "建议公告栏及时更新", "电梯高峰期等候时间长", "感谢保安师傅的帮助"]
METHODS = [ConsultationMethod.DOOR_TO_DOOR, ConsultationMethod.PHONE, ConsultationMethod.OUTDOOR]
LEVELS = ["very_satisfied"] * 7 + ["satisfied"] * 10 + ["neutral"] + ["dissatisfied"] + ["very_dissatisfied"]


def _month_back(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _at(month: date, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(month.year, month.month, day, hour, minute, tzinfo=company_zone())


def _runner(estate: Estate) -> Actor | None:
    """The office's handler, else its head, else anyone of its consultation roles."""
    staff = (
        Staff.objects.filter(Q(estates=estate) | Q(departments__estate=estate), user__is_active=True)
        .filter(role__in=["handler", "department_head", "cs_supervisor"])
        .select_related("user")
        .distinct()
    )
    for role in ("handler", "department_head", "cs_supervisor"):
        found = next((s for s in staff if s.role == role), None)
        if found is not None:
            return found.user
    return None


def _offices() -> list[Estate]:
    with_office = Department.objects.filter(kind=DepartmentKind.MANAGEMENT_OFFICE, active=True).values(
        "estate"
    )
    return list(Estate.objects.filter(active=True, pk__in=with_office).order_by("code"))


def _answers(topics: list[str], rng: random.Random) -> list[TopicAnswer]:
    out = []
    for topic in topics:
        level = rng.choice(LEVELS)
        reason = rng.choice(REASONS.get(topic, ["服务有待改进"])) if level.endswith("dissatisfied") else ""
        out.append(TopicAnswer(topic, level, reason))
    return out


def _one(estate: Estate, actor: Actor, month: date, back: int, index: int, rng: random.Random) -> int:
    categories = OFFICE_CATEGORIES if estate.kind == EstateKind.OFFICE else RESIDENTIAL_CATEGORIES
    topics = [str(c.value) for c in rng.sample(list(categories), 2)]
    low_return = (index, back) == LOW_RETURN
    method = ConsultationMethod.QUESTIONNAIRE if low_return else METHODS[(back + index) % len(METHODS)]
    with clock_at(_at(month, 3, 10, 15)):
        consultation = service.plan_consultation(
            actor=actor,
            estate=estate,
            month=month,
            topics=topics,
            method=method,
            staff=[actor.staff] if hasattr(actor, "staff") else [],
            planned_on=date(month.year, month.month, 6),
            # A little over 5 %, so that a few households not reached still leave the month at 5 %.
            share=20 if low_return else (5 if (index, back) == UNDER_SHARE else 7),
            notes="",
            seed=f"demo-{estate.code}-{month:%Y%m}",
        )
    with clock_at(_at(month, 6, 9, 0)):
        service.start_consultation(actor=actor, consultation=consultation)
    asked = list(
        ConsultedHousehold.objects.filter(consultation=consultation, asked=True)
        .order_by("pk")
        .values_list("unit_id", flat=True)
    )
    needed = sample_size(consultation.occupied_count, 5)
    if (index, back) == UNDER_SHARE:
        missed = len(asked) - max(0, needed // 3)  # the staff reached few of them
    elif low_return:
        missed = len(asked) - max(needed, int(len(asked) * 0.4))  # 40 % returned: still 5 % reached
    else:
        missed = min(len(asked) - needed, int(len(asked) * rng.uniform(0, 0.2)))
    skipped = set(rng.sample(asked, max(0, missed)))
    answered = 0
    for n, unit in enumerate(asked):
        if unit in skipped:
            continue
        remarks = rng.choice(REMARKS) if rng.random() < 0.15 else ""
        with clock_at(_at(month, 6 + n // 12, 9 + n % 8, (n * 7) % 60)):
            consultation_answers.record_answers(
                actor=actor,
                consultation=consultation,
                unit_id=unit,
                answers=_answers(topics, rng),
                remarks=remarks,
                submission_key=f"demo-{consultation.pk}-{unit}",
            )
        answered += 1
    with clock_at(_at(month, 25, 17, 30)):
        service.finish_consultation(actor=actor, consultation=consultation)
    return answered


def load_consultations(present: datetime) -> int:
    """A year of monthly consultations before ``present``'s month; the number made (0 when the
    database already has consultations, or no office has staff to run them)."""
    if Consultation.objects.exists():
        return 0
    local = present.astimezone(company_zone())
    this_month = date(local.year, local.month, 1)
    made = 0
    for index, estate in enumerate(_offices()):
        actor = _runner(estate)
        if actor is None:
            log.warning("demo consultations: no staff to run them in %s", estate.code)
            continue
        rng = random.Random(f"demo-consultations-{estate.code}")
        for back in range(MONTHS, 0, -1):
            if (index, back) in MISSED:
                continue
            _one(estate, actor, _month_back(this_month, back), back, index, rng)
            made += 1
    log.info("demo consultations: %d made", made)
    return made
