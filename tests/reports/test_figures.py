"""Monthly department report figures against a month computed by hand (SPEC K-12)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest

from estatedesk.complaints import services
from estatedesk.complaints.models import Complaint
from estatedesk.core.clock import company_zone
from estatedesk.reports import figures, stats
from estatedesk.reports import services as report_services
from estatedesk.reports.periods import months_of_year, period_figures
from estatedesk.reports.presenters.monthly import MONTHLY_COUNTS, monthly_headline
from estatedesk.reports.snapshots import MonthSnapshot
from tests.complaints.conftest import at, category, record
from tests.complaints.test_tally import reference_open_at
from tests.helpers import frozen_at
from tests.records.traces import traces

pytestmark = pytest.mark.django_db

# A month's figures take this many queries, whatever the number of complaints: company time
# zone, the kept counts (totals, by category and estate), the categories' codes, cause and
# channel, reply times, repeat complainants, open items (the kept open counts, decision 0066).
QUERY_BUDGET = 7
# A month read for comparison: the kept counts, reply times, repeat complainants (a count),
# open items (the kept open counts).
HEADLINE_QUERIES = 4


def _assess(world: Any, c: Complaint, cause: str) -> Complaint:
    return services.assess(
        actor=world.users["handler_a"], complaint=c, cause=cause, serious=False, urgent=False
    )


def _reply(world: Any, c: Complaint) -> Complaint:
    return services.reply(actor=world.users["handler_a"], complaint=c, content="已處理", manner="oral")


def _visit(world: Any, c: Complaint, satisfaction: str) -> None:
    services.visit(
        actor=world.users["handler_a"],
        complaint=c,
        method="phone",
        opinion="回訪意見",
        satisfaction=satisfaction,
    )


def _stranger(name: str, phone: str) -> dict[str, Any]:
    """A complainant without a customer record: a unit, a name and a phone."""
    return {"customer": None, "complainant_name": name, "phone": phone}


def march_2026(world: Any) -> dict[str, Complaint]:
    """The fixture month of 翠湖花園管理處 (world.office_a); March 2026 has no public holiday.

    Deadlines (K-5, office hours end 17:30): a valid complaint is answered within 2 working
    days after the day received, an invalid one within 1 working day.
    """
    made: dict[str, Complaint] = {}
    # February: F1 valid, never answered (open at the end of March, carried over);
    # F2 invalid, answered in February but closed only on 2 April: still open on 31 March.
    with frozen_at(at(2026, 2, 25, 10, 0)):
        made["F1"] = _assess(world, record(world, **_stranger("陳一", "13500000001")), "maintenance")
    with frozen_at(at(2026, 2, 26, 10, 0)):
        made["F2"] = _assess(world, record(world, **_stranger("陳二", "13500000002")), "external")
    with frozen_at(at(2026, 2, 26, 15, 0)):
        _reply(world, made["F2"])

    # C1 valid, 王小明 (customer_a), Mon 2 Mar 10:00 → due Wed 4 Mar 17:30;
    # replied Mon 2 Mar 12:00: on time, 2 h = 7 200 s; visited Tue 3 Mar, satisfied → closed.
    with frozen_at(at(2026, 3, 2, 10, 0)):
        made["C1"] = _assess(
            world, record(world, channel="phone", category=category("repairs")), "maintenance"
        )
    with frozen_at(at(2026, 3, 2, 12, 0)):
        _reply(world, made["C1"])
    with frozen_at(at(2026, 3, 3, 10, 0)):
        _visit(world, made["C1"], "satisfied")

    # C2 valid, 王小明 again (a repeat complainant), Thu 5 Mar 09:30 → 2 working days after
    # Thursday are Fri 6 and Mon 9 → due Mon 9 Mar 17:30; replied Tue 10 Mar 09:30: late,
    # 5 days = 432 000 s; visited Tue 10 Mar 15:00, dissatisfied → reopened, still open.
    with frozen_at(at(2026, 3, 5, 9, 30)):
        made["C2"] = _assess(
            world, record(world, channel="face_to_face", category=category("cleaning")), "management"
        )
    with frozen_at(at(2026, 3, 10, 9, 30)):
        _reply(world, made["C2"])
    with frozen_at(at(2026, 3, 10, 15, 0)):
        _visit(world, made["C2"], "dissatisfied")

    # C3 invalid (developer), 李四, Wed 11 Mar 14:00 → 1 working day → due Thu 12 Mar 17:30;
    # replied Thu 12 Mar 10:00: on time, 20 h = 72 000 s; closed Thu 12 Mar 11:00.
    with frozen_at(at(2026, 3, 11, 14, 0)):
        made["C3"] = _assess(
            world,
            record(world, channel="wechat", category=category("repairs"), **_stranger("李四", "13700001111")),
            "developer",
        )
    with frozen_at(at(2026, 3, 12, 10, 0)):
        _reply(world, made["C3"])
    with frozen_at(at(2026, 3, 12, 11, 0)):
        services.close(actor=world.users["handler_a"], complaint=made["C3"])

    # C4 undecided (never assessed), 趙五, Mon 16 Mar 11:00: open.
    with frozen_at(at(2026, 3, 16, 11, 0)):
        made["C4"] = record(
            world, channel="phone", category=category("security"), **_stranger("趙五", "13600002222")
        )

    # C7 valid, 周八, Mon 30 Mar 16:00 → due Wed 1 Apr: not replied, not visited, open.
    with frozen_at(at(2026, 3, 30, 16, 0)):
        made["C7"] = _assess(
            world,
            record(
                world,
                channel="face_to_face",
                category=category("repairs"),
                **_stranger("周八", "13600003333"),
            ),
            "maintenance",
        )

    # An enquiry (answered and closed) and a grievance (open), by other people.
    with frozen_at(at(2026, 3, 18, 9, 0)):
        made["E"] = record(
            world,
            kind="enquiry",
            category=category("charges"),
            description="請問下月停車費是否調整？",
            immediate_reply="不調整",
            **_stranger("錢六", "13600004444"),
        )
        services.close(actor=world.users["handler_a"], complaint=made["E"])
    with frozen_at(at(2026, 3, 20, 9, 0)):
        made["G"] = record(
            world,
            kind="grievance",
            category=category("security"),
            description="保安態度冷淡",
            **_stranger("孫七", "13600005555"),
        )

    # Estate B's office: never counted for office A.
    with frozen_at(at(2026, 3, 9, 10, 0)):
        made["B"] = record(
            world,
            persona="handler_b",
            estate=world.estate_b,
            unit=world.unit_b,
            customer=world.customer_b,
            category=category("repairs"),
        )

    # 2 April: F2 is closed, after the month's end.
    with frozen_at(at(2026, 4, 2, 10, 0)):
        services.close(actor=world.users["handler_a"], complaint=made["F2"])
    return made


@pytest.mark.req("K-12")
def test_monthly_figures_match_the_hand_computed_month(world):
    made = march_2026(world)
    f = figures.monthly_figures(department_id=world.office_a.pk, year=2026, month=3)

    assert (f.start, f.end) == (at(2026, 3, 1, 0, 0), at(2026, 4, 1, 0, 0))
    # Complaints of March: C1, C2, C3, C4, C7 — valid C1 C2 C7, invalid C3, undecided C4.
    assert (f.received, f.valid, f.invalid, f.undecided) == (5, 3, 1, 1)
    assert (f.grievances, f.enquiries) == (1, 1)
    assert f.by_category == {"repairs": 3, "cleaning": 1, "security": 1}  # C1 C3 C7 / C2 / C4
    assert f.by_cause == {"maintenance": 2, "management": 1, "developer": 1, "": 1}
    assert f.by_channel == {"phone": 2, "face_to_face": 2, "wechat": 1}  # C1 C4 / C2 C7 / C3
    assert f.by_estate == {world.estate_a.pk: 5}

    # First replies: C1 on time, C2 late, C3 on time; C4 and C7 unanswered are not counted.
    assert str(f.on_time) == "2 / 3"
    # Reply times sorted: 7 200, 72 000, 432 000 s. Median: the middle one;
    # p90 nearest rank: ceil(0.9 × 3) = 3rd → 432 000.
    assert f.reply_times == stats.Durations(3, 72_000.0, 432_000.0)
    assert (f.reply_median_seconds, f.reply_p90_seconds) == (72_000.0, 432_000.0)

    # Valid C1 C2 C7; C1 and C2 were visited.
    assert str(f.follow_up_coverage) == "2 / 3"
    # Latest answers: C1 satisfied, C2 dissatisfied.
    assert f.satisfaction_counts == {"satisfied": 1, "dissatisfied": 1}
    assert str(f.follow_up_satisfaction) == "1 / 2"
    assert f.reopened == 1  # C2

    # 王小明 (customer_a) complained twice: C1 then C2.
    [repeat] = f.repeat_complainants
    assert repeat.key == f"customer:{world.customer_a.pk}"
    assert repeat.count == 2 and repeat.complaint_ids == (made["C1"].pk, made["C2"].pk)
    received = dict(Complaint.objects.filter(pk__in=repeat.complaint_ids).values_list("pk", "received_at"))
    assert (repeat.first_received, repeat.last_received) == (received[made["C1"].pk], received[made["C2"].pk])
    assert repeat.first_received.isoformat() == received[made["C1"].pk].isoformat()  # aware, as stored

    # Open on 31 March at midnight: C2 (reopened), C4, C7, the grievance, F1, and F2 (closed
    # only on 2 April). C1, C3 and the enquiry were closed in March. F1 and F2 are from February.
    assert (f.open_at_end, f.open_from_earlier) == (6, 2)

    # Pareto: repairs 3 (0.6), then the tie cleaning 1 / security 1 by code (0.8, 1.0).
    # Vital few: rows before which the cumulative share was still below 0.8.
    assert [(r.key, r.count, r.cumulative_share, r.vital) for r in f.category_pareto] == [
        ("repairs", 3, 0.6, True),
        ("cleaning", 1, 0.8, True),
        ("security", 1, 1.0, False),
    ]
    assert f.category_pareto[-1].cumulative_share == 1.0
    # Causes of assessed complaints: maintenance 2, then developer 1, management 1.
    assert [r.key for r in f.cause_pareto] == ["maintenance", "developer", "management"]

    # Office B sees only its own complaint.
    other = figures.monthly_figures(department_id=world.office_b.pk, year=2026, month=3)
    assert (other.received, other.undecided, other.by_estate) == (1, 1, {world.estate_b.pk: 1})


@pytest.mark.req("K-12")
def test_an_empty_month_has_counts_of_zero_and_no_rates(world):
    f = figures.monthly_figures(department_id=world.office_a.pk, year=2026, month=3)
    assert f.received == f.valid == f.open_at_end == 0
    assert f.on_time.value is None and f.follow_up_coverage.value is None
    assert f.reply_times == stats.Durations(0, None, None)
    assert f.category_pareto == () and f.repeat_complainants == ()


@pytest.mark.req("K-12")
def test_comparison_with_the_previous_month_and_last_year(world):
    march_2026(world)
    assert figures.previous_month(2026, 3) == (2026, 2)
    assert figures.previous_month(2026, 1) == (2025, 12)
    assert figures.same_month_last_year(2026, 3) == (2025, 3)
    march = figures.monthly_figures(department_id=world.office_a.pk, year=2026, month=3)
    february = figures.monthly_figures(department_id=world.office_a.pk, year=2026, month=2)
    # February: F1 valid, F2 invalid answered on time (26 Feb 15:00, due 27 Feb 17:30).
    assert (february.received, february.valid, february.invalid) == (2, 1, 1)
    changes = figures.compare(march, february)
    assert changes["received"] == stats.CountChange(5, 2) and changes["received"].delta == 3
    assert changes["valid"].relative == 2.0  # 1 → 3
    on_time = changes["on_time"]
    assert isinstance(on_time, stats.RateChange)
    assert str(on_time.current) == "2 / 3" and str(on_time.previous) == "1 / 1"
    assert on_time.points == pytest.approx(-100 / 3)
    assert changes["repeat_complainants"] == stats.CountChange(1, 0)


@pytest.mark.req("K-12")
def test_the_query_count_does_not_grow_with_the_number_of_complaints(world, django_assert_max_num_queries):
    march_2026(world)
    with django_assert_max_num_queries(QUERY_BUDGET):
        small = figures.monthly_figures(department_id=world.office_a.pk, year=2026, month=3)

    codes = ["repairs", "cleaning", "security", "vehicles", "charges"]
    for i in range(30):
        with frozen_at(at(2026, 3, 2 + i % 27, 9, 0)):
            c = record(
                world,
                category=category(codes[i % len(codes)]),
                **({} if i % 3 else _stranger(f"住戶{i % 7}", f"1390000{i % 7:04d}")),
            )
            if i % 2:
                c = _assess(world, c, "maintenance" if i % 4 == 1 else "unfounded")
                _reply(world, c)
    with django_assert_max_num_queries(QUERY_BUDGET):
        large = figures.monthly_figures(department_id=world.office_a.pk, year=2026, month=3)
    assert large.received == small.received + 30
    assert sum(large.by_category.values()) == large.received
    assert large.category_pareto[-1].cumulative_share == 1.0


def _round_trip(value: Any) -> Any:
    """How snapshots were written before decision 0059: ``asdict``, then JSON and back."""

    def plain(v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [plain(x) for x in v]
        if isinstance(v, datetime | date):
            return v.isoformat()
        if isinstance(v, timedelta):
            return v.total_seconds()
        if isinstance(v, Fraction):
            return float(v)
        return v

    data = plain(dataclasses.asdict(value))
    for index, repeat in enumerate(data.get("repeat_complainants") or [], start=1):
        repeat["key"] = f"#{index}"
    return json.loads(json.dumps(data))


@pytest.mark.req("K-12")
def test_a_repeat_complainant_is_written_as_any_dataclass_whatever_its_fields_hold() -> None:
    """The repeat complainants' one-step writing (decision 0071) gives what the general walk
    gives, and a complainant whose fields hold something else (an id as key, a date, texts as
    ids) takes the walk: the same JSON either way."""
    when = datetime(2026, 3, 2, 9, 30, tzinfo=company_zone())
    usual = stats.RepeatComplainant("138…", 3, (7, 9, 12), when, when + timedelta(days=3))
    odd = stats.RepeatComplainant(42, 2, ("7", "9"), date(2026, 3, 2), when)
    assert report_services._plain_repeat(usual) is not None
    assert report_services._plain_repeat(odd) is None
    for repeat in (usual, odd):
        assert report_services._plain(repeat) == _round_trip(repeat)


@pytest.mark.req("K-12")
def test_a_snapshot_is_written_as_before_so_stored_reports_compare_equal(world):
    """The snapshot is built without a deep copy or a JSON round trip (decision 0059) and must
    still equal what one stored before gives back: ``live_differs`` compares the two."""
    march_2026(world)
    month = figures.monthly_figures(department_id=world.office_a.pk, year=2026, month=3)
    snap = report_services.snapshot(month)
    assert snap == _round_trip(month)
    assert json.loads(json.dumps(snap)) == snap
    assert snap["repeat_complainants"][0]["key"] == "#1"  # never the person (SPEC D-3)
    assert snap["reply_times"] == {"count": 3, "median": 72_000.0, "p90": 432_000.0}
    year = period_figures(months_of_year(2026))
    assert report_services.snapshot(year) == _round_trip(year)


@pytest.mark.req("K-12")
@pytest.mark.parametrize("replies", [4, 7])
def test_reply_times_ranked_in_the_database_equal_those_computed_from_the_rows(world, replies):
    """Median (even and odd count) and nearest-rank p90, to the microsecond, ties included."""
    spans = [
        timedelta(hours=5, microseconds=250_001),
        timedelta(days=2, seconds=7, microseconds=1),
        timedelta(hours=5, microseconds=250_001),  # a tie
        timedelta(minutes=3),
        timedelta(days=9, microseconds=999_999),
        timedelta(seconds=59, microseconds=500_000),
        timedelta(hours=30, microseconds=10),
    ][:replies]
    for day, span in enumerate(spans, start=2):
        received = at(2026, 3, day, 9, 0) + timedelta(microseconds=123_457 * day)
        with frozen_at(received):
            c = record(world)
        Complaint.objects.filter(pk=c.pk).update(received_at=received, first_replied_at=received + span)
    with frozen_at(at(2026, 3, 20, 9, 0)):
        record(world)  # not replied: not counted
    f = figures.monthly_figures(department_id=world.office_a.pk, year=2026, month=3)
    rows = Complaint.objects.filter(department=world.office_a, first_replied_at__isnull=False)
    expected = stats.durations(c.first_replied_at - c.received_at for c in rows)
    assert f.reply_times == expected
    assert expected == stats.durations(spans) and expected.count == replies


@pytest.mark.req("K-12")
def test_the_reply_time_column_is_exact_to_the_microsecond_with_or_without_a_fraction(world):
    """``Complaint.reply_us``, kept by the database (decision 0068), is first reply − received
    in whole microseconds: with whole seconds on both sides (SQLite then stores no fraction), a
    fraction on one side only, a borrow across the second, days, zero, and None without a
    reply; and the month's reply times ranked from it equal ``stats.durations`` of the rows."""
    base = at(2026, 3, 2, 9, 0)
    us = timedelta(microseconds=1)
    pairs = [
        (base, base + timedelta(hours=2)),  # no fraction on either side
        (base, base + timedelta(seconds=1, microseconds=1)),  # a fraction on the reply only
        (base + 999_999 * us, base + timedelta(seconds=3)),  # on the receipt only: a borrow
        (base + 700_000 * us, base + timedelta(days=9, microseconds=100_000)),  # a borrow, days
        (base + 5 * us, base + 5 * us),  # answered at once
        (base + timedelta(seconds=30), None),  # not replied
    ]
    made = []
    for received, replied in pairs:
        with frozen_at(base):
            c = record(world)
        Complaint.objects.filter(pk=c.pk).update(received_at=received, first_replied_at=replied)
        made.append(c.pk)
    stored = dict(Complaint.objects.filter(pk__in=made).values_list("pk", "reply_us"))
    expected = [None if r is None else (r - s) // us for s, r in pairs]
    assert [stored[pk] for pk in made] == expected
    assert expected[:3] == [7_200_000_000, 1_000_001, 2_000_001]
    f = figures.monthly_figures(department_id=world.office_a.pk, year=2026, month=3)
    rows = Complaint.objects.filter(department=world.office_a, first_replied_at__isnull=False)
    assert f.reply_times == stats.durations(c.first_replied_at - c.received_at for c in rows)
    assert f.reply_times.count == 5


@pytest.mark.req("K-12", "D-3")
def test_the_complainant_column_is_the_report_key_and_follows_the_row(world):
    """``Complaint.complainant`` (decision 0068): the customer record, else the phone's blind
    index, else the name, else nothing; kept by the database from the row's own columns, so
    a name rubbed out of the row (erasure) is gone from it too."""
    with frozen_at(at(2026, 3, 2, 9, 0)):
        by_customer = record(world)
        by_phone = record(world, **_stranger("李四", "13800001111"))
        by_name = record(world, **_stranger("張三", ""))
        nobody = record(world, **_stranger("", ""), unit=None, channel="suggestion_box")
    keys = dict(Complaint.objects.values_list("pk", "complainant"))
    assert keys[by_customer.pk] == f"customer:{world.customer_a.pk}"
    assert keys[by_phone.pk] == f"phone:{by_phone.phone_index}" and by_phone.phone_index
    assert keys[by_name.pk] == "name:張三"
    assert keys[nobody.pk] is None
    # The erasure tests' search for a person's traces reads the column too.
    assert f"complaints.complaint.complainant #{by_name.pk}" in traces(names=["張三"], phones=[])
    assert f"complaints.complaint.complainant #{by_phone.pk} (blind index)" in traces(
        names=[], phones=["13800001111"]
    )
    Complaint.objects.filter(pk=by_name.pk).update(complainant_name="（已刪除）")
    Complaint.objects.filter(pk=by_phone.pk).update(phone_index="", complainant_name="")
    Complaint.objects.filter(pk=by_customer.pk).update(customer=None)
    keys = dict(Complaint.objects.values_list("pk", "complainant"))
    assert keys[by_name.pk] == "name:（已刪除）"
    assert not [t for t in traces(names=["張三"], phones=[]) if t.startswith("complaints.complaint.")]
    assert keys[by_phone.pk] is None
    assert keys[by_customer.pk] == f"phone:{by_customer.phone_index}"  # the customer's, taken at intake


@pytest.mark.req("K-12")
def test_a_compared_month_shows_the_same_headline_as_its_full_figures(world, django_assert_max_num_queries):
    """The previous month and last year's are read as headlines only (decision 0059): every
    headline row must read as it would from the month's whole figures."""
    march_2026(world)
    repeats = {}
    for department in (world.office_a, world.office_b):
        for month in (2, 3):
            whole = MonthSnapshot.from_json(
                report_services.snapshot(
                    figures.monthly_figures(department_id=department.pk, year=2026, month=month)
                )
            )
            with django_assert_max_num_queries(HEADLINE_QUERIES):
                headline = figures.month_headline(department_id=department.pk, year=2026, month=month)
            compared = MonthSnapshot.from_headline(headline)
            assert monthly_headline(compared, None, None) == monthly_headline(whole, None, None)
            assert [compared.count(n) for n in MONTHLY_COUNTS] == [whole.count(n) for n in MONTHLY_COUNTS]
            repeats[department.pk, month] = compared.count("repeat_complainants")
    assert repeats[world.office_a.pk, 3] == 1  # 王小明
    assert whole.received and any(repeats.values())  # not only zeros compared


@pytest.mark.req("K-12")
def test_open_items_read_from_the_kept_counts_equal_those_counted_from_closing_times(world):
    """Decision 0066: the open items at month end of the month drafted and of the months it is
    compared with come from the kept counts by month received and month closed; they equal
    the count from each record's status and time of closing, month by month."""
    march_2026(world)
    with frozen_at(at(2026, 4, 30, 23, 30)):  # closed on the last evening of April
        late = record(world, kind="enquiry", immediate_reply="已答覆", **_stranger("吳九", "13600006666"))
        services.close(actor=world.users["handler_a"], complaint=late)
    seen = {}
    for department in (world.office_a, world.office_b, world.engineering):
        for year, month in ((2025, 3), (2026, 1), (2026, 2), (2026, 3), (2026, 4), (2026, 5)):
            headline = figures.month_headline(department_id=department.pk, year=year, month=month)
            expected = reference_open_at(department.pk, year, month)
            assert {
                "open_at_end": headline.open_at_end,
                "open_from_earlier": headline.open_from_earlier,
            } == expected
            seen[department.pk, month] = (headline.open_at_end, headline.open_from_earlier)
    assert seen[world.office_a.pk, 2] == (2, 0)  # F1 and F2
    assert seen[world.office_a.pk, 3] == (6, 2)  # as the hand-computed month has it
    assert (
        seen[world.office_a.pk, 4][1] == seen[world.office_a.pk, 4][0]
    )  # nothing received in April stays open


@pytest.mark.req("K-12")
def test_repeat_complainants_list_their_complaints_in_time_order_newer_first_on_a_tie(world):
    """Read from the kept rows (decision 0072): grouped in the database on PostgreSQL,
    streamed and grouped in Python on SQLite; both give the same rows in the same order."""
    from django.db import connection

    from estatedesk.complaints.models import RepeatRow

    when = at(2026, 3, 10, 9, 0)
    made = []
    for offset in (timedelta(hours=2), timedelta(0), timedelta(0), timedelta(hours=1)):
        with frozen_at(when + offset):
            made.append(record(world, **_stranger("趙六", "13900001111")))
    with frozen_at(at(2026, 3, 11, 9, 0)):
        record(world, **_stranger("錢七", "13900002222"))  # once: not a repeat complainant
    month = figures.monthly_figures(department_id=world.office_a.pk, year=2026, month=3)
    ours = [r for r in month.repeat_complainants if made[0].pk in r.complaint_ids]
    assert len(ours) == 1
    tied = sorted((made[1].pk, made[2].pk), reverse=True)  # received together: newer first
    assert list(ours[0].complaint_ids) == [*tied, made[3].pk, made[0].pk]
    assert (ours[0].first_received, ours[0].last_received) == (when, when + timedelta(hours=2))
    assert not [r for r in month.repeat_complainants if r.key.endswith("錢七")]
    first = date(2026, 3, 1)
    mine = RepeatRow.objects.filter(department_id=world.office_a.pk, month=first)
    streamed = sorted(figures._repeaters_streamed(connection, mine), key=lambda r: (-r.count, r.key))
    assert list(month.repeat_complainants) == streamed
    if connection.vendor == "postgresql":
        grouped = figures._repeaters_grouped(connection, world.office_a.pk, first)
        assert sorted(grouped, key=lambda r: (-r.count, r.key)) == streamed
