"""The kept counts by month, by day and by cause and channel equal a recount after every kind of change (SPEC A-1, K-12).

The recount here is Python over the complaint rows and their visits, written from the
definitions in ``reports.measures``: it shares no code with the triggers that keep the counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count, Q

from estatedesk.complaints import services, tally
from estatedesk.complaints.models import (
    OPEN_STATUSES,
    CauseTally,
    Complaint,
    DayTally,
    MonthTally,
    OpenTally,
    RepeatRow,
    RepeatTally,
    ReplyTime,
    Status,
    Visit,
)
from estatedesk.complaints.models_tally import DAY_MEASURES, MONTH_MEASURES
from estatedesk.core.models import CompanySettings
from estatedesk.org.models import Department
from estatedesk.records.registry import record_type
from estatedesk.reports import figures
from tests.complaints.conftest import at, category, record
from tests.helpers import frozen_at

pytestmark = [pytest.mark.django_db]

SATISFIED = {"satisfied", "very_satisfied"}


def _measures(c: Complaint, visited: bool) -> dict[str, int]:
    return {
        "received": 1,
        "valid": int(c.valid is True),
        "invalid": int(c.valid is False),
        "undecided": int(c.valid is None),
        "replied": int(c.first_replied_at is not None),
        "on_time": int(c.first_replied_at is not None and c.on_time is True),
        "valid_visited": int(c.valid is True and visited),
        "reopened": int(c.reopen_count > 0),
        "answered": int(c.satisfaction != ""),
        "satisfied": int(c.satisfaction in SATISFIED),
        **{
            f"sat_{level}": int(c.satisfaction == level)
            for level in (*SATISFIED, "neutral", "dissatisfied", "very_dissatisfied")
        },
    }


Counts = dict[tuple, Counter]


def recount() -> tuple[Counts, Counts, Counts]:
    zone = ZoneInfo(CompanySettings.load().time_zone)
    visited = set(Visit.objects.values_list("complaint_id", flat=True))
    months: Counts = defaultdict(Counter)
    days: Counts = defaultdict(Counter)
    causes: Counts = defaultdict(Counter)
    for c in Complaint.objects.all():
        local = c.received_at.astimezone(zone).date()
        assert c.received_on == local, c.number
        counts = _measures(c, c.pk in visited)
        month_key = (local.replace(day=1), c.estate_id, c.department_id, c.category_id, c.kind)
        months[month_key].update({m: counts[m] for m in MONTH_MEASURES})
        days[(local, c.estate_id, c.department_id, c.kind)].update({m: counts[m] for m in DAY_MEASURES})
        cause_key = (local.replace(day=1), c.department_id, c.estate_id, c.kind, c.cause, c.channel)
        causes[cause_key].update({"received": 1})
    return _nonzero(months), _nonzero(days), _nonzero(causes)


def _nonzero(rows: dict[tuple, Counter]) -> dict[tuple, Counter]:
    return {key: +counts for key, counts in rows.items() if +counts}


def kept() -> tuple[Counts, Counts, Counts]:
    months = {
        (r["month"], r["estate_id"], r["department_id"], r["category_id"], r["kind"]): Counter(
            {m: r[m] for m in MONTH_MEASURES}
        )
        for r in MonthTally.objects.values()
    }
    days = {
        (r["day"], r["estate_id"], r["department_id"], r["kind"]): Counter({m: r[m] for m in DAY_MEASURES})
        for r in DayTally.objects.values()
    }
    causes = {
        (r["month"], r["department_id"], r["estate_id"], r["kind"], r["cause"], r["channel"]): Counter(
            {"received": r["received"]}
        )
        for r in CauseTally.objects.values()
    }
    for counts in (*months.values(), *days.values(), *causes.values()):
        assert all(n >= 0 for n in counts.values()), counts  # never below zero on the way
    return _nonzero(months), _nonzero(days), _nonzero(causes)


def _complainant(c: Complaint) -> str | None:
    """Who complained, as the report groups repeat complainants, written again in Python."""
    if c.customer_id is not None:
        return f"customer:{c.customer_id}"
    if c.phone_index:
        return f"phone:{c.phone_index}"
    return f"name:{c.complainant_name}" if c.complainant_name else None


def recount_report_rows() -> tuple[dict[tuple, int], dict[int, tuple], dict[int, tuple]]:
    """The repeat complainants' counts and rows and the reply times, from the complaint rows."""
    zone = ZoneInfo(CompanySettings.load().time_zone)
    repeats: Counter = Counter()
    rows: dict[int, tuple] = {}
    replies: dict[int, tuple] = {}
    for c in Complaint.objects.filter(kind="complaint"):
        month = c.received_at.astimezone(zone).date().replace(day=1)
        who = _complainant(c)
        assert c.complainant == who, c.number
        if who is not None:
            repeats[(c.department_id, month, who)] += 1
            rows[c.pk] = (c.department_id, month, who, c.received_at)
        if c.first_replied_at is not None:
            us = (c.first_replied_at - c.received_at) // timedelta(microseconds=1)
            replies[c.pk] = (c.department_id, month, us)
    return dict(repeats), rows, replies


def kept_report_rows() -> tuple[dict[tuple, int], dict[int, tuple], dict[int, tuple]]:
    repeats = {(r.department_id, r.month, r.complainant): r.received for r in RepeatTally.objects.all()}
    # No row is kept for a complainant with nothing left to count (an erased name, SPEC D-3).
    assert all(n > 0 for n in repeats.values()), repeats
    rows = {
        r.complaint_id: (r.department_id, r.month, r.complainant, r.received_at)
        for r in RepeatRow.objects.all()
    }
    replies = {r.complaint_id: (r.department_id, r.month, r.reply_us) for r in ReplyTime.objects.all()}
    return repeats, rows, replies


def assert_kept_equals_recount() -> None:
    kept_months, kept_days, kept_causes = kept()
    recounted_months, recounted_days, recounted_causes = recount()
    assert kept_months == recounted_months
    assert kept_days == recounted_days
    assert kept_causes == recounted_causes
    assert kept_report_rows() == recount_report_rows()


def _lived(world: Any, when: Any, **overrides: Any) -> Complaint:
    """A complaint recorded, assessed valid and replied to at ``when``."""
    handler = world.users["handler_a"]
    with frozen_at(when):
        c = record(world, **overrides)
        services.assess(actor=handler, complaint=c, cause="maintenance", serious=False, urgent=False)
        services.reply(actor=handler, complaint=c, content="已修復", manner="oral")
    return Complaint.objects.get(pk=c.pk)


@pytest.mark.req("A-1", "K-12")
def test_the_kept_counts_equal_a_recount_after_every_kind_of_change(world: Any) -> None:
    handler = world.users["handler_a"]
    assert_kept_equals_recount()

    # Intake, of each kind, in two months; one received just before midnight Shanghai time on
    # the last day of a month, which is still that month in the company's zone (and the
    # previous day in UTC's).
    with frozen_at(at(2026, 10, 31, 23, 50)):
        late = record(world)
    assert late.received_on == date(2026, 10, 31)
    with frozen_at(at(2026, 11, 2, 9, 0)):
        enquiry = record(world, kind="enquiry")
        record(world, kind="grievance")
    assert_kept_equals_recount()

    # Assessment: valid, then reassessed invalid.
    with frozen_at(at(2026, 11, 2, 10, 0)):
        services.assess(actor=handler, complaint=late, cause="maintenance", serious=False, urgent=False)
    assert_kept_equals_recount()
    with frozen_at(at(2026, 11, 2, 11, 0)):
        other = record(world, category=category("cleaning"))
        services.assess(actor=handler, complaint=other, cause="management", serious=False, urgent=False)
        services.assess(actor=handler, complaint=other, cause="unfounded", serious=False, urgent=False)
    assert Complaint.objects.get(pk=other.pk).valid is False
    assert_kept_equals_recount()

    # Reply (on time), a dissatisfied visit that reopens it, and a satisfied one that closes it.
    with frozen_at(at(2026, 11, 2, 12, 0)):
        services.reply(actor=handler, complaint=late, content="已修復", manner="oral")
    assert_kept_equals_recount()
    with frozen_at(at(2026, 11, 3, 9, 0)):
        services.visit(
            actor=handler, complaint=late, method="phone", opinion="仍漏水", satisfaction="dissatisfied"
        )
    assert Complaint.objects.get(pk=late.pk).reopen_count == 1
    assert_kept_equals_recount()
    with frozen_at(at(2026, 11, 4, 9, 0)):
        services.reply(actor=handler, complaint=late, content="已更換水管", manner="oral")
        services.visit(
            actor=handler, complaint=late, method="phone", opinion="好了", satisfaction="satisfied"
        )
    assert_kept_equals_recount()

    # Reassignment to another department moves the counts with it.
    with frozen_at(at(2026, 11, 5, 9, 0)):
        services.assign(actor=world.users["deputy_gm"], complaint=enquiry, department=world.engineering)
    assert Complaint.objects.get(pk=enquiry.pk).department_id == world.engineering.pk
    assert_kept_equals_recount()

    # Writes that bypass the services: a queryset update, a bulk insert, a deletion.
    Complaint.objects.filter(pk=other.pk).update(
        category=category("repairs"), valid=None, cause="", channel="wechat"
    )
    assert_kept_equals_recount()
    template = Complaint.objects.get(pk=late.pk)
    Complaint.objects.bulk_create(
        [
            Complaint(
                number=f"TS-2026-9{i:05d}",
                kind="complaint",
                estate=template.estate,
                department=template.department,
                category=template.category,
                channel="phone",
                description="批量",
                received_at=at(2026, 9, 30, 23, 30) + timedelta(hours=i),
                valid=bool(i % 2),
                first_replied_at=at(2026, 10, 2, 9, 0),
                on_time=True,
                satisfaction="neutral",
            )
            for i in range(3)
        ]
    )
    assert_kept_equals_recount()
    Visit.objects.filter(complaint=late).first().delete()  # one of its two visits: still visited
    assert_kept_equals_recount()
    Visit.objects.filter(complaint=late).delete()  # the last: no longer visited
    assert_kept_equals_recount()
    Complaint.objects.filter(number="TS-2026-900001").delete()
    assert_kept_equals_recount()

    # Who complained: a repeat complainant by name, the name erased (its row goes), a
    # customer set, a kind changed, a first reply moved and taken back.
    with frozen_at(at(2026, 11, 6, 9, 0)):
        walk_ins = [record(world, customer=None, complainant_name="李四") for _ in range(2)]
    assert RepeatTally.objects.filter(complainant="name:李四", received=2).exists()
    assert_kept_equals_recount()
    Complaint.objects.filter(pk=walk_ins[0].pk).update(complainant_name="")
    assert_kept_equals_recount()
    Complaint.objects.filter(pk=walk_ins[1].pk).update(complainant_name="")
    assert not RepeatTally.objects.filter(complainant__startswith="name:").exists()
    assert_kept_equals_recount()
    Complaint.objects.filter(pk=walk_ins[0].pk).update(customer=world.customer_a)
    Complaint.objects.filter(pk=walk_ins[1].pk).update(kind="enquiry")
    assert_kept_equals_recount()
    Complaint.objects.filter(pk=late.pk).update(first_replied_at=at(2026, 11, 9, 9, 0))
    assert_kept_equals_recount()
    Complaint.objects.filter(pk=late.pk).update(first_replied_at=None)
    assert_kept_equals_recount()
    # A time of receipt corrected, within its day and into the next month.
    Complaint.objects.filter(pk=walk_ins[0].pk).update(received_at=at(2026, 11, 6, 8, 0))
    assert_kept_equals_recount()
    Complaint.objects.filter(pk=walk_ins[0].pk).update(
        received_at=at(2026, 12, 1, 8, 0), received_on=date(2026, 12, 1)
    )
    assert_kept_equals_recount()


@pytest.mark.req("A-1", "K-12", "D-2")
def test_disposal_of_old_complaints_takes_them_out_of_the_counts(world: Any) -> None:
    old = _lived(world, at(2024, 3, 1, 10, 0))
    handler = world.users["handler_a"]
    with frozen_at(at(2024, 3, 2, 10, 0)):
        services.visit(actor=handler, complaint=old, method="phone", opinion="滿意", satisfaction="satisfied")
    _lived(world, at(2024, 3, 5, 10, 0))
    march = MonthTally.objects.get(month=date(2024, 3, 1), kind="complaint")
    assert (march.received, march.valid_visited, march.sat_satisfied) == (2, 1, 1)

    complaints = record_type("complaints")
    assert complaints is not None and complaints.dispose([old.pk]) == 1

    march.refresh_from_db()
    assert (march.received, march.valid_visited, march.sat_satisfied) == (1, 0, 0)
    assert_kept_equals_recount()


@pytest.mark.req("A-1", "K-12")
def test_a_rebuild_gives_the_same_counts_as_the_triggers(world: Any) -> None:
    _lived(world, at(2026, 6, 30, 23, 59))
    _lived(world, at(2026, 7, 1, 0, 1), category=category("cleaning"))
    before = kept()

    MonthTally.objects.all().delete()
    DayTally.objects.all().delete()
    CauseTally.objects.all().delete()
    assert kept() == ({}, {}, {})
    tally.rebuild()

    assert kept() == before
    assert_kept_equals_recount()


@pytest.mark.req("A-1", "K-12")
def test_a_new_company_time_zone_re_dates_the_complaints_and_their_counts(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from estatedesk.org import services as org_services

    # 00:30 on 1 July in Shanghai is still 30 June in London (16:30 UTC on 30 June).
    c = _lived(world, at(2026, 7, 1, 0, 30))
    assert c.received_on == date(2026, 7, 1)
    company = CompanySettings.load()
    company.time_zone = "Europe/London"
    with django_capture_on_commit_callbacks(execute=True):
        org_services.save_record(actor=world.users["admin"], instance=company)

    assert Complaint.objects.get(pk=c.pk).received_on == date(2026, 6, 30)
    assert MonthTally.objects.filter(month=date(2026, 6, 1), received=1).exists()
    assert_kept_equals_recount()


@pytest.mark.req("A-1", "K-12")
def test_the_triggers_are_off_while_migrations_run_and_back_with_a_fresh_count_after(world: Any) -> None:
    from django.db import connection

    _lived(world, at(2026, 5, 5, 10, 0))
    plan = [("a migration", False)]
    tally.drop_before_migrate(using="default", plan=plan)
    assert tally.installed() == set()
    # Written while the triggers are off (as a data migration would): not counted yet.
    _lived(world, at(2026, 5, 6, 10, 0))
    assert kept() != recount()

    tally.count_after_migrate(using="default", plan=plan)

    assert tally.installed() == tally.expected(connection.vendor)
    assert_kept_equals_recount()
    _lived(world, at(2026, 5, 7, 10, 0))
    assert_kept_equals_recount()


# --- open records at month end (OpenTally, decision 0066) -----------------------------------


def reference_open_at(department_id: int, year: int, month: int) -> dict[str, int]:
    """The monthly report's open items as they were counted before the kept counts: from the
    records' ``closed_at``, over every record the department received before the month's end."""
    start, end = figures.month_bounds(year, month)
    mine = Complaint.objects.filter(department_id=department_id, received_at__lt=end).order_by()
    earlier = Q(received_at__lt=start)
    parts = [
        mine.filter(status__in=OPEN_STATUSES).aggregate(n=Count("pk"), e=Count("pk", filter=earlier)),
        mine.filter(status=Status.CLOSED, closed_at__gte=end).aggregate(
            n=Count("pk"), e=Count("pk", filter=earlier)
        ),
    ]
    return {"open_at_end": sum(p["n"] for p in parts), "open_from_earlier": sum(p["e"] for p in parts)}


def _months(first: date, last: date) -> list[tuple[int, int]]:
    found, (year, month) = [], (first.year, first.month)
    while (year, month) <= (last.year, last.month):
        found.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def assert_open_counts_equal_reference() -> int:
    """Every department's open items at the end of every month from the month before the
    first record to the month after the last closing, kept against the reference. Returns
    how many department-months had open items (so a test can see it compared something)."""
    zone = ZoneInfo(CompanySettings.load().time_zone)
    assert all(n >= 0 for n in OpenTally.objects.values_list("received", flat=True))
    moments = [
        m.astimezone(zone).date()
        for pair in Complaint.objects.values_list("received_at", "closed_at")
        for m in pair
        if m is not None
    ]
    for c in Complaint.objects.all():
        assert c.closed_on == (c.closed_at.astimezone(zone).date() if c.closed_at else None), c.number
    if not moments:
        return 0
    months = _months(min(moments) - timedelta(days=31), max(moments) + timedelta(days=31))
    counted = 0
    for department_id in Department.objects.values_list("pk", flat=True):
        for year, month in months:
            kept_counts = figures._open_at(department_id=department_id, month=date(year, month, 1))
            assert kept_counts == reference_open_at(department_id, year, month), (department_id, year, month)
            counted += bool(kept_counts["open_at_end"])
    return counted


@pytest.mark.req("K-12", "A-1")
def test_the_kept_open_counts_equal_the_count_from_closing_times_after_every_kind_of_change(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from estatedesk.org import services as org_services

    handler = world.users["handler_a"]
    assert assert_open_counts_equal_reference() == 0

    # Intake, of each kind, one of them received a minute before midnight at the end of
    # October in Shanghai (still 31 October there, and in UTC's 31 October too), one just
    # after midnight on 1 December (30 November in UTC); and one recorded in November for a
    # call taken in October (back-dated).
    with frozen_at(at(2026, 10, 31, 23, 59)):
        late = record(world)
    with frozen_at(at(2026, 11, 2, 9, 0)):
        enquiry = record(world, kind="enquiry")
        grievance = record(world, kind="grievance")
        back_dated = record(world, kind="enquiry", received_at=at(2026, 10, 30, 16, 0))
    with frozen_at(at(2026, 12, 1, 0, 5)):
        december = record(world, kind="enquiry")
    assert back_dated.received_on == date(2026, 10, 30)
    assert assert_open_counts_equal_reference() > 0

    # Close: an enquiry replied and closed in November, the back-dated one closed at 00:10
    # on 1 December in Shanghai (30 November in UTC): open at the end of November.
    with frozen_at(at(2026, 11, 3, 9, 0)):
        services.reply(actor=handler, complaint=enquiry, content="已答覆", manner="oral")
        services.close(actor=handler, complaint=enquiry)
    with frozen_at(at(2026, 11, 30, 20, 0)):
        services.reply(actor=handler, complaint=back_dated, content="已答覆", manner="oral")
    with frozen_at(at(2026, 12, 1, 0, 10)):
        services.close(actor=handler, complaint=back_dated)
    assert Complaint.objects.get(pk=back_dated.pk).closed_on == date(2026, 12, 1)
    assert figures._open_at(department_id=back_dated.department_id, month=date(2026, 11, 1))["open_at_end"]
    assert assert_open_counts_equal_reference()

    # Close by a superior, with a reason.
    with frozen_at(at(2026, 12, 2, 9, 0)):
        services.reply(actor=handler, complaint=december, content="已答覆", manner="oral")
        services.close_by_superior(actor=world.users["office_head_a"], complaint=december, reason="客戶撤回")
    assert assert_open_counts_equal_reference()

    # A dissatisfied visit reopens (no closing), a satisfied one closes in January.
    with frozen_at(at(2026, 11, 1, 10, 0)):
        services.assess(actor=handler, complaint=late, cause="maintenance", serious=False, urgent=False)
        services.reply(actor=handler, complaint=late, content="已修復", manner="oral")
    with frozen_at(at(2026, 11, 3, 9, 0)):
        services.visit(
            actor=handler, complaint=late, method="phone", opinion="仍漏水", satisfaction="dissatisfied"
        )
    assert Complaint.objects.get(pk=late.pk).closed_at is None
    assert assert_open_counts_equal_reference()
    with frozen_at(at(2027, 1, 4, 9, 0)):
        services.reply(actor=handler, complaint=late, content="已更換水管", manner="oral")
        services.visit(
            actor=handler, complaint=late, method="phone", opinion="好了", satisfaction="satisfied"
        )
    assert Complaint.objects.get(pk=late.pk).closed_on == date(2027, 1, 4)
    assert assert_open_counts_equal_reference()

    # Reassignment of an open record to another department moves it there.
    with frozen_at(at(2026, 11, 5, 9, 0)):
        services.assign(actor=world.users["deputy_gm"], complaint=grievance, department=world.engineering)
    assert figures._open_at(department_id=world.engineering.pk, month=date(2026, 11, 1))["open_at_end"] == 1
    assert assert_open_counts_equal_reference()

    # A queryset update of the status alone: closed without a time of closing (open at no
    # month's end, as the count from closed_at had it), then open again.
    Complaint.objects.filter(pk=grievance.pk).update(status=Status.CLOSED)
    assert assert_open_counts_equal_reference()
    Complaint.objects.filter(pk=grievance.pk).update(status=Status.IN_PROGRESS)
    assert assert_open_counts_equal_reference()

    # A new company time zone: 00:10 on 1 December in Shanghai is 30 November in London, so
    # the back-dated enquiry was closed in November there; the counts follow.
    company = CompanySettings.load()
    company.time_zone = "Europe/London"
    with django_capture_on_commit_callbacks(execute=True):
        org_services.save_record(actor=world.users["admin"], instance=company)
    assert Complaint.objects.get(pk=back_dated.pk).closed_on == date(2026, 11, 30)
    assert assert_open_counts_equal_reference()

    # Deletion by the records disposal.
    complaints = record_type("complaints")
    assert complaints is not None and complaints.dispose([enquiry.pk, back_dated.pk]) == 2
    assert assert_open_counts_equal_reference()

    # A rebuild counts the same.
    before = sorted(
        OpenTally.objects.filter(received__gt=0).values_list(
            "department_id", "month", "closed_month", "received"
        )
    )
    OpenTally.objects.all().delete()
    tally.rebuild()
    after = sorted(
        OpenTally.objects.filter(received__gt=0).values_list(
            "department_id", "month", "closed_month", "received"
        )
    )
    assert after == before


@pytest.mark.req("K-12")
def test_a_closing_time_changed_without_its_date_gets_its_date_on_save(world: Any) -> None:
    handler = world.users["handler_a"]
    with frozen_at(at(2026, 11, 2, 9, 0)):
        enquiry = record(world, kind="enquiry")
        services.reply(actor=handler, complaint=enquiry, content="已答覆", manner="oral")
    with frozen_at(at(2026, 11, 30, 23, 30)):
        services.close(actor=handler, complaint=enquiry)
    c = Complaint.objects.get(pk=enquiry.pk)
    assert c.closed_on == date(2026, 11, 30)

    c.closed_at = at(2026, 12, 1, 0, 30)  # a correction of the time of closing, saved as a whole
    c.save()
    assert Complaint.objects.get(pk=c.pk).closed_on == date(2026, 12, 1)
    assert figures._open_at(department_id=c.department_id, month=date(2026, 11, 1))["open_at_end"] == 1
    assert assert_open_counts_equal_reference() == 1
    c.closed_at = None
    c.save()
    assert Complaint.objects.get(pk=c.pk).closed_on is None
    assert assert_open_counts_equal_reference() == 0  # closed, without a time: open at no month's end
