"""The demo's year of notices to customers (SPEC C-2, C-3; decision 0034).

For each active estate with a management office and someone there who writes to customers, the
twelve months before the present's month (and the present's month up to the present): water
and power cuts for one building each month, pest control each quarter with the warning sign
confirmed, two lift repairs, the 中秋 and 春节 events, fire-safety publicity, the financial
report to all owners each half year and last year's survey results; a power cut called off
and withdrawn; and one urgent water cut published late, with its reason, whose households that
had not read it by the next hour were phoned or visited.

Every notice is written and published through ``communication.services.notices`` under
``clock_at`` the time it happened, so numbers, timelines, recipients and messages read as if
the year had been lived. The households' read receipts are written in bulk, a few updates per
notice: most read within a day, some later, some never. The messages written under the past's
clock are settled as that past left them (``notifications.services.settle_replayed``).

Idempotent: a database with any notice to customers is left alone.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from estatedesk.communication.models import Notice, NoticeRecipient
from estatedesk.communication.services import notices as service
from estatedesk.communication.services.notices import NoticeDraft
from estatedesk.core.actors import Actor
from estatedesk.core.clock import clock_at, company_zone
from estatedesk.notifications import services as notifications
from estatedesk.notifications.models import Message
from estatedesk.org.models import Building, Department, DepartmentKind, Estate, EstateKind, Staff

__all__ = ["load_notices"]

log = logging.getLogger("estatedesk.demo")

MONTHS = 12
CHUNK = 900  # ids per statement: under SQLite's limit on parameters
LATE_URGENT_MONTH = 2  # months back: the urgent water cut published late
WITHDRAWN_MONTH = 5  # months back: the power cut called off (an odd month: power)
CALLED = 8  # households phoned or visited for the late urgent notice
# (share of the households, hours after publishing from, to): when residents open a notice.
READING = (
    (0.30, 0.05, 1.0),
    (0.25, 1.0, 4.0),
    (0.15, 4.0, 12.0),
    (0.08, 12.0, 24.0),
    (0.05, 24.0, 72.0),
    (0.02, 72.0, 168.0),
)  # 85 % in all; most within the day
URGENT_READING = ((0.35, 0.05, 0.5), (0.2, 0.5, 1.0), (0.15, 1.0, 6.0))  # 70 %, the rest called


@dataclass
class Plan:
    at: datetime  # published
    kind: str
    title: str
    body: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    buildings: list[int] = field(default_factory=list)
    channels: list[str] = field(default_factory=lambda: ["portal", "notice_sheet"])
    audience: str = "households"
    urgent: bool = False
    late_reason: str = ""
    sign_place: str = ""
    withdraw: str = ""
    call: bool = False


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=company_zone())


def _month_back(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _writer(estate: Estate) -> Actor | None:
    """The office's handler, else its head, else the customer-service supervisor."""
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


def _work(
    day: date, hours: tuple[int, int], *, ahead: int = 3, ends_next_day: bool = False
) -> tuple[datetime, datetime, datetime]:
    """Published ``ahead`` days before, at 09:30; the work from ``hours[0]`` to ``hours[1]``."""
    starts = _at(day, hours[0])
    ends = _at(day + timedelta(days=1) if ends_next_day else day, hours[1])
    return _at(day - timedelta(days=ahead), 9, 30), starts, ends


def _monthly(
    estate: Estate, buildings: list[Building], month: date, back: int, rng: random.Random
) -> Iterator[Plan]:
    """A month's cut for one building: water in even months, power in odd ones (an office
    tower: power every third month); one urgent water cut in a residential estate, published late."""
    building = buildings[(back + rng.randrange(len(buildings))) % len(buildings)]
    day = date(month.year, month.month, 10 + rng.randrange(8))
    residential = estate.kind == EstateKind.RESIDENTIAL
    if residential and back == LATE_URGENT_MONTH:
        yield Plan(
            at=_at(day, 7, 40),
            kind="water_cut",
            title=f"{building.name}紧急停水通知",
            body=(
                f"<p>各位住户：</p><p>今晨{building.name}供水主管突发爆裂，管理处正在紧急抢修，"
                f"{building.name}今日09:30至14:00停水，请住户做好储水准备。</p><p>给您带来不便，敬请谅解。</p>"
            ),
            starts_at=_at(day, 9, 30),
            ends_at=_at(day, 14, 0),
            buildings=[building.pk],
            channels=["portal", "sms", "notice_sheet"],
            urgent=True,
            late_reason="供水主管突发爆裂，须立即抢修，无法提前24小时通知",
            call=True,
        )
    elif residential and back % 2 == 0:
        published, starts, ends = _work(day, (9, 15))
        yield Plan(
            at=published,
            kind="water_cut",
            title=f"{building.name}停水通知",
            body=(
                f"<p>各位住户：</p><p>因二次供水水箱清洗消毒，{building.name}将于"
                f"{starts:%m}月{starts:%d}日9:00至15:00停水，请提前储水。恢复供水初期水质可能略浑浊，放水片刻即可。</p>"
            ),
            starts_at=starts,
            ends_at=ends,
            buildings=[building.pk],
            channels=["portal", "sms", "notice_sheet"],
        )
    elif residential or back % 3 == 1:
        published, starts, ends = _work(day, (13, 17))
        yield Plan(
            at=published,
            kind="power_cut",
            title=f"{building.name}停电通知",
            body=(
                f"<p>各位住户：</p><p>因供电局线路检修，{building.name}将于{starts:%m}月{starts:%d}日13:00至17:00停电，"
                "电梯暂停运行，请提前做好准备，停电期间请勿乘坐电梯。</p>"
            ),
            starts_at=starts,
            ends_at=ends,
            buildings=[building.pk],
            channels=["portal", "sms", "notice_sheet"],
            withdraw="供电局通知本次线路检修取消，不再停电。" if back == WITHDRAWN_MONTH else "",
        )


def _seasonal(estate: Estate, buildings: list[Building], month: date, back: int) -> Iterator[Plan]:
    residential = estate.kind == EstateKind.RESIDENTIAL
    if month.month in (3, 6, 9, 12):
        published, starts, ends = _work(date(month.year, month.month, 20), (9, 17), ahead=4)
        yield Plan(
            at=published,
            kind="pest_control",
            title=f"{month.month}月公共区域消杀通知",
            body=(
                "<p>各位住户：</p><p>为预防蚊虫、蟑螂和鼠害，管理处将对小区公共区域、绿化带及地下车库进行消杀。"
                "消杀期间请看管好儿童和宠物，勿触碰药饵，晾晒衣物请暂时收回。</p>"
            ),
            starts_at=starts,
            ends_at=ends,
            sign_place="各楼栋大堂入口、绿化带及地下车库入口",
        )
    if back in (7, 1) and buildings:
        building = buildings[(back // 3) % len(buildings)]
        published, starts, ends = _work(date(month.year, month.month, 24), (9, 18), ahead=3)
        yield Plan(
            at=published,
            kind="repair",
            title=f"{building.name}电梯维修通知",
            body=(
                f"<p>各位住户：</p><p>{building.name}1号电梯更换曳引钢丝绳，维修期间该电梯停用，"
                "请使用2号电梯或步行楼梯，给您带来不便，敬请谅解。</p>"
            ),
            starts_at=starts,
            ends_at=ends,
            buildings=[building.pk],
            sign_place=f"{building.name}电梯厅",
        )
    if month.month == 9 and residential:
        starts = _at(date(month.year, 9, 15), 19, 0)
        yield Plan(
            at=_at(date(month.year, 9, 5), 10, 0),
            kind="event",
            title="中秋游园会邀请",
            body="<p>中秋佳节将至，管理处将在中心花园举办游园猜灯谜活动，欢迎各位业主、住户携家人参加。</p>",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2, minutes=30),
            channels=["portal", "bulletin_board"],
        )
    if month.month == 1:
        starts = _at(date(month.year, 1, 24), 14, 0)
        yield Plan(
            at=_at(date(month.year, 1, 14), 10, 0),
            kind="event",
            title="春节写春联、送福字活动",
            body="<p>新春将至，管理处邀请书法老师现场写春联、送福字，欢迎大家到服务中心领取。</p>",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            channels=["portal", "bulletin_board"],
        )
    if month.month in (6, 11):
        yield Plan(
            at=_at(date(month.year, month.month, 8), 10, 0),
            kind="publicity",
            title="消防安全宣传：楼道勿堆放杂物" if month.month == 11 else "安全生产月：电动车请勿进楼入户",
            body=(
                "<p>请勿在楼道、消防通道堆放杂物，保持消防通道畅通；电动车请在集中充电点充电，"
                "严禁进楼入户充电。发现火情请立即拨打119并通知管理处。</p>"
            ),
            channels=["portal", "bulletin_board"],
        )
    if residential and month.month in (1, 7):
        half = "下半年" if month.month == 1 else "上半年"
        year = month.year - 1 if month.month == 1 else month.year
        yield Plan(
            at=_at(date(month.year, month.month, 15), 10, 0),
            kind="financial_report",
            title=f"{year}年{half}物业服务费收支情况公示",
            body=(
                f"<p>各位业主：</p><p>现将{year}年{half}物业服务费及公共收益收支情况公示如下，"
                "详见服务中心公告栏。如有疑问，请于公示期内向管理处咨询。</p>"
            ),
            channels=["portal", "notice_board"],
            audience="owners",
        )
    if residential and month.month == 3:
        yield Plan(
            at=_at(date(month.year, 3, 12), 10, 0),
            kind="survey_results",
            title=f"{month.year - 1}年度业户满意度调查结果公示",
            body=(
                "<p>各位业主：</p><p>上年度满意度调查已完成，总体满意率较上年有所提升，"
                "业主反映较多的停车和电梯问题已列入今年的改进计划。感谢各位业主的支持。</p>"
            ),
            channels=["portal", "notice_board"],
            audience="owners",
        )


def _plans(estate: Estate, present: datetime, rng: random.Random) -> list[Plan]:
    buildings = list(Building.objects.filter(estate=estate).exclude(name="商业街").order_by("name", "pk"))
    if not buildings:
        return []
    month = date(present.astimezone(company_zone()).year, present.astimezone(company_zone()).month, 1)
    plans: list[Plan] = []
    for back in range(MONTHS, -1, -1):
        current = _month_back(month, back)
        plans += list(_monthly(estate, buildings, current, back, rng))
        plans += list(_seasonal(estate, buildings, current, back))
    # Only what had happened by the present (a sign confirmed, a call made: an hour later).
    return [p for p in plans if p.at + timedelta(hours=2) < present]


def _read(
    notice: Notice, rng: random.Random, present: datetime, shares: tuple[tuple[float, float, float], ...]
) -> None:
    """Read receipts in bulk: each share of the households opened it at one time of its span."""
    ids = list(NoticeRecipient.objects.filter(notice=notice).values_list("pk", flat=True))
    rng.shuffle(ids)
    published = notice.published_at
    assert published is not None
    start = 0
    for share, low, high in shares:
        # A few slices per share, so that not everyone read at the same minute.
        count = round(len(ids) * share)
        chunk = ids[start : start + count]
        start += count
        pieces = max(1, min(4, len(chunk)))
        for n in range(pieces):
            part = chunk[n::pieces]
            when = published + timedelta(hours=rng.uniform(low, high))
            if not part or when >= present:
                continue
            for first in range(0, len(part), CHUNK):
                NoticeRecipient.objects.filter(pk__in=part[first : first + CHUNK]).update(read_at=when)


OUTCOMES = (
    ("phone", "已电话告知停水时间，住户表示已储水。"),
    ("phone", "已电话告知，住户家中老人独居，已安排送桶装水。"),
    ("face_to_face", "电话无人接听，已上门告知并在门口张贴通知单。"),
)


def _call(notice: Notice, actor: Actor) -> None:
    """The households that had not read the urgent notice within the hour: phoned or visited."""
    published = notice.published_at
    assert published is not None
    unread = list(
        NoticeRecipient.objects.filter(notice=notice)
        .filter(Q(read_at__isnull=True) | Q(read_at__gt=published + timedelta(hours=1)))
        .order_by("building_id", "unit_id")
        .values_list("unit_id", flat=True)[:CALLED]
    )
    for n, unit in enumerate(unread):
        channel, outcome = OUTCOMES[n % len(OUTCOMES)]
        with clock_at(published + timedelta(hours=1, minutes=5 + 4 * n)):
            service.record_contact(actor=actor, notice=notice, unit=unit, channel=channel, outcome=outcome)


def _one(estate: Estate, actor: Actor, plan: Plan, present: datetime, rng: random.Random) -> None:
    draft = NoticeDraft(
        kind=plan.kind,
        title=plan.title,
        body=plan.body,
        estate=estate.pk,
        buildings=plan.buildings,
        audience=plan.audience,
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        channels=plan.channels,
        urgent=plan.urgent,
        late_reason=plan.late_reason,
    )
    with clock_at(plan.at - timedelta(minutes=25)):
        notice = service.create_notice(actor=actor, draft=draft)
    with clock_at(plan.at):
        notice = service.publish_notice(actor=actor, notice=notice)
    _read(notice, rng, present, URGENT_READING if plan.call else READING)
    if plan.sign_place:
        with clock_at(plan.at + timedelta(hours=1)):
            service.confirm_sign(actor=actor, notice=notice, place=plan.sign_place)
    if plan.call:
        _call(notice, actor)
    if plan.withdraw:
        with clock_at(plan.at + timedelta(days=1, hours=2)):
            service.withdraw_notice(actor=actor, notice=notice, reason=plan.withdraw)


def load_notices(present: datetime) -> int:
    """A year of notices in every management office; the number of notices published (0: there
    were notices already, or no estate has anyone to write them)."""
    if Notice.objects.exists():
        return 0
    rng = random.Random(f"demo-notices-{present:%Y%m%d}")
    work: list[tuple[datetime, Estate, Actor, Plan]] = []
    for estate in _offices():
        actor = _writer(estate)
        if actor is None:
            continue
        work += [(p.at, estate, actor, p) for p in _plans(estate, present, rng)]
    # In the order they happened: the numbers of each year run with the dates.
    work.sort(key=lambda row: (row[0], row[1].code))
    mark = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with transaction.atomic():
        for _when, estate, actor, plan in work:
            _one(estate, actor, plan, present, rng)
        _settle(mark, present)
    log.info("demo notices loaded: %d", len(work))
    return len(work)


def _settle(mark: int, present: datetime) -> None:
    """The messages written for the past's notices went out then (those of the present's own day
    excepted, like the rest of the demo)."""
    local = present.astimezone(company_zone())
    today = timezone.make_aware(datetime.combine(local.date(), datetime.min.time()), company_zone())
    notifications.settle_replayed(
        Message.objects.filter(id__gt=mark, created_at__lt=present), read=False, read_before=today
    )
