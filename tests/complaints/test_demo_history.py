"""The demo's year of complaints: made through the services, every kind of story, replayed once.

A small run (120 matters) of the same loader ``estatedesk demo`` runs with 3,000.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import F

from estatedesk.complaints import selectors, services, workflow
from estatedesk.complaints.demo import history
from estatedesk.complaints.models import (
    Category,
    Channel,
    Complaint,
    Event,
    Kind,
    Signature,
    Status,
    TransferSlip,
    Visit,
    WeeklyReview,
    WorkNotice,
)
from estatedesk.complaints.papers import week_of
from estatedesk.core.models import Counter as NumberCounter
from estatedesk.notifications.models import Message, MessageStatus
from estatedesk.org import demo
from estatedesk.org.models import Estate
from estatedesk.workcal import engine
from estatedesk.workcal.selectors import load_calendar, office_hours_for

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday afternoon: the present of the replay (the year before it is replayed).
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI)
SIZE = 120
PROGRESS: list[tuple[int, int]] = []  # what the loader told the progress record, in order


@pytest.fixture(scope="module", autouse=True)
def replayed(django_db_setup, django_db_blocker):
    """The demo company and a small year, loaded once for the module and rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert demo.seed() is not None
        summary = history.load_history(
            count=SIZE, now=NOW, progress=lambda done, total: PROGRESS.append((done, total))
        )
        assert summary is not None
        yield summary
        transaction.set_rollback(True)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Complaint, Event, Visit, TransferSlip, Signature, WorkNotice, WeeklyReview, Message)
    }


def numbers_in_order_recorded() -> bool:
    """Readable numbers follow the order matters were recorded in, year by year, without gaps."""
    recorded = Event.objects.filter(action__in=["record", "record_answered"]).order_by("at", "id")
    numbers = list(recorded.values_list("complaint__number", flat=True))
    by_year: dict[str, list[int]] = {}
    for number in numbers:
        _prefix, year, serial = number.split("-")
        by_year.setdefault(year, []).append(int(serial))
    return len(numbers) == Complaint.objects.count() and all(
        serials == list(range(serials[0], serials[0] + len(serials))) for serials in by_year.values()
    )


@pytest.mark.req("K-1")
@pytest.mark.req("C-7")
def test_the_year_has_every_status_kind_and_several_channels(replayed):
    assert replayed.failed_steps == 0
    complaints = Complaint.objects.all()
    assert complaints.count() == SIZE
    assert set(complaints.values_list("status", flat=True)) == set(Status.values)
    kinds = Counter(complaints.values_list("kind", flat=True))
    assert set(kinds) == set(Kind.values)
    assert 0.05 <= kinds[Kind.ENQUIRY] / SIZE <= 0.15 and 0.05 <= kinds[Kind.GRIEVANCE] / SIZE <= 0.15
    channels = set(complaints.values_list("channel", flat=True))
    assert {Channel.PHONE, Channel.PORTAL} <= channels and len(channels) >= 5
    assert complaints.filter(recorded_by__isnull=True, channel=Channel.PORTAL).exists()
    # Residents of the demo read the privacy notice before sending, as real ones must (D-3).
    assert not complaints.filter(channel=Channel.PORTAL, privacy_notice__isnull=True).exists()
    assert len(set(complaints.values_list("category__code", flat=True))) >= 8
    assert set(complaints.values_list("estate__name", flat=True)) == {"翠湖花园", "金山苑", "金融大厦"}
    assert complaints.filter(replied_at_intake=True).exists()
    # Most are linked to the demo's customers and units.
    assert complaints.filter(customer__isnull=False).count() > SIZE / 2
    # The deputy GM and the GM each find a slip waiting for their signature.
    waiting = set(TransferSlip.objects.values_list("status", flat=True))
    assert {workflow.AT_DEPUTY_GM, workflow.AT_GM} <= waiting


@pytest.mark.req("K-4")
@pytest.mark.req("K-6")
def test_about_a_fifth_of_complaints_are_invalid_with_each_outside_cause():
    complaints = Complaint.objects.filter(kind=Kind.COMPLAINT)
    invalid = complaints.filter(valid=False)
    assert 0.12 <= invalid.count() / complaints.count() <= 0.32
    assert set(invalid.values_list("cause", flat=True)) == {
        "developer",
        "external",
        "public_facilities",
        "unfounded",
    }
    referred = invalid.exclude(referred_at=None)
    assert referred.filter(cause="developer", referred_developer__isnull=False).exists()
    assert referred.exclude(referral_result="").exists()


@pytest.mark.req("K-5")
@pytest.mark.req("K-7")
def test_most_replies_are_on_time_some_are_late_and_some_open_ones_are_overdue_or_due_soon():
    replied = Complaint.objects.exclude(on_time=None)
    late = replied.filter(on_time=False).count()
    assert 0 < late <= 0.2 * replied.count()
    urgent = Complaint.objects.filter(urgent=True).count()
    assert 0.05 * SIZE <= urgent <= 0.3 * SIZE
    windows = selectors.soon_windows()
    assert selectors.filter_due_state(Complaint.objects.all(), "overdue", NOW, windows).exists()
    assert selectors.filter_due_state(Complaint.objects.all(), "due_soon", NOW, windows).exists()
    # Open matters are the recent ones: everything older than a month has been closed.
    old_open = Complaint.objects.exclude(status=Status.CLOSED).filter(
        received_at__lt=NOW - timedelta(days=30)
    )
    assert not old_open.exists()


@pytest.mark.req("K-1")
def test_matters_arrive_mostly_in_office_hours_some_at_night_and_are_numbered_in_order():
    cal = load_calendar()
    complaints = list(Complaint.objects.select_related("estate").order_by("received_at"))
    in_hours = sum(engine.in_office_hours(c.received_at, cal, office_hours_for(c.estate)) for c in complaints)
    assert 0.45 * SIZE <= in_hours < SIZE
    night = [c for c in complaints if not 7 <= c.received_at.astimezone(SHANGHAI).hour < 22]
    assert night
    assert min(c.received_at for c in complaints) >= NOW - timedelta(days=366)
    assert max(c.received_at for c in complaints) <= NOW
    assert numbers_in_order_recorded()


@pytest.mark.req("K-8")
@pytest.mark.req("K-9")
def test_some_slips_go_up_to_the_gm_and_some_end_in_a_verified_work_notice():
    to_gm = TransferSlip.objects.filter(signatures__level="gm").distinct()
    assert to_gm.exists()
    for slip in to_gm:
        levels = list(slip.signatures.order_by("signed_at").values_list("level", flat=True))
        assert levels == ["department_head", "deputy_gm", "gm"]
    assert TransferSlip.objects.filter(status="done").exclude(result="").exists()
    notice = WorkNotice.objects.filter(origin="slip", status="verified").first()
    assert notice is not None
    assert notice.reported_at is not None and notice.verified_at is not None
    assert notice.issued_at < notice.reported_at < notice.verified_at
    assert WorkNotice.objects.filter(origin="initiative").exists()


@pytest.mark.req("K-10")
def test_dissatisfied_visits_reopen_and_every_closed_complaint_was_visited_explained_or_closed_by_a_superior():
    reopened = Complaint.objects.filter(reopen_count__gte=1)
    assert reopened.exists()
    assert reopened.filter(status=Status.CLOSED, satisfaction__in=["satisfied", "very_satisfied"]).exists()
    by_superior = Complaint.objects.exclude(closing_reason="")
    assert by_superior.exists()
    assert set(by_superior.values_list("status", flat=True)) == {Status.CLOSED}
    for c in Complaint.objects.filter(kind=Kind.COMPLAINT, status=Status.CLOSED):
        if c.closing_reason:
            continue
        if c.valid:
            assert c.visits.filter(satisfaction__in=["satisfied", "very_satisfied"]).exists(), c.number
        else:
            assert c.first_replied_at is not None, c.number


@pytest.mark.req("K-18")
def test_a_burst_pipe_reported_by_five_households_is_handled_together():
    lead = Complaint.objects.filter(duplicates__isnull=False).distinct().get()
    group = [lead, *lead.duplicates.all()]
    assert len(group) == 5
    assert len({c.unit_id for c in group}) > 1
    for c in group:
        assert c.measures == lead.measures and c.first_replied_at is not None, c.number
        assert c.visits.exists(), c.number


@pytest.mark.req("K-11")
def test_department_heads_review_most_weeks_and_some_reviews_are_missing():
    first = week_of((NOW - timedelta(days=365)).date()) + timedelta(days=7)
    last = week_of(NOW.date()) - timedelta(days=7)
    weeks = (last - first).days // 7 + 1
    reviews = WeeklyReview.objects.all()
    assert len(set(reviews.values_list("department_id", flat=True))) == 5
    assert 0.75 * 5 * weeks <= reviews.count() < 5 * weeks
    assert {r.week_start.weekday() for r in reviews} == {0}
    assert all(r.reviewed_at.astimezone(SHANGHAI).date() > r.week_start for r in reviews)


@pytest.mark.req("K-1")
@pytest.mark.req("K-10")
def test_each_complaint_timeline_has_an_event_for_each_step_in_time_order():
    for c in Complaint.objects.prefetch_related("events", "visits"):
        events = list(c.events.all())
        actions = [e.action for e in events]
        assert actions[0] in ("record", "record_answered"), c.number
        times = [e.at for e in events]
        assert times == sorted(times) and times[0] >= c.received_at and times[-1] <= NOW, c.number
        if c.first_replied_at and not c.replied_at_intake:
            assert "reply" in actions, c.number
        assert actions.count("visit_satisfied") + actions.count("visit_dissatisfied") == len(c.visits.all())
        if c.status == Status.CLOSED:
            assert actions[-1] in ("close", "close_by_superior", "visit_satisfied", "analyse"), c.number


@pytest.mark.req("A-4")
def test_no_message_waits_to_be_sent_to_residents_and_finished_matters_are_read():
    assert not Message.objects.filter(status=MessageStatus.PENDING).exists()
    unread = Message.objects.filter(channel="in_app", read_at__isnull=True).count()
    assert 0 < unread < Message.objects.filter(channel="in_app").count() / 2


@pytest.mark.req("K-1")
def test_running_it_again_adds_nothing():
    before = counts()
    assert history.history_state() == "loaded"
    assert history.load_history(count=SIZE, now=NOW + timedelta(days=1)) is None
    out = StringIO()
    call_command("seed_demo", "--history", "now", stdout=out)
    assert "demo data already loaded" in out.getvalue()
    assert counts() == before


@pytest.mark.req("K-1")
def test_an_interrupted_load_resumes_where_it_stopped(monkeypatch):
    """The same plan is replayed after an interruption, and nothing is recorded twice."""
    with transaction.atomic():
        # Start again from no complaints: the rest of the module's data is rolled back after.
        WorkNotice.objects.all().delete()
        Signature.objects.all().delete()
        TransferSlip.objects.all().delete()
        WeeklyReview.objects.all().delete()
        Complaint.objects.all().delete()
        assert history.history_state() == "needed"
        # Without a worker (jobs run inline) a start does not hold everything up for the replay.
        out = StringIO()
        call_command("seed_demo", stdout=out)
        assert "seed_demo --history now" in out.getvalue()
        assert not Complaint.objects.exists()

        played = 0
        real_play = history.Story.play

        def play_then_stop(self, item):
            nonlocal played
            played += 1
            if played > 40:
                raise KeyboardInterrupt
            return real_play(self, item)

        monkeypatch.setattr(history.Story, "play", play_then_stop)
        with pytest.raises(KeyboardInterrupt):
            history.load_history(count=60, now=NOW)
        monkeypatch.setattr(history.Story, "play", real_play)
        partial = Complaint.objects.count()
        assert 0 < partial < 60
        assert history.history_state() == "partial"

        summary = history.load_history(count=999, now=NOW + timedelta(days=3))  # the stored plan wins
        assert summary is not None and summary.failed_steps == 0
        assert Complaint.objects.count() == 60
        assert history.history_state() == "loaded"
        assert numbers_in_order_recorded()
        transaction.set_rollback(True)


@pytest.mark.req("A-4")
def test_messages_of_the_past_carry_their_own_times_and_only_the_present_days_are_unread():
    """Past messages are stamped when they happened (not when the demo was loaded), and read;
    an inbox after the load holds only what is new on the present's day."""
    day_start = datetime.combine(NOW.date(), datetime.min.time(), SHANGHAI)
    in_app = Message.objects.filter(channel="in_app")
    assert in_app.filter(created_at__lt=NOW - timedelta(days=300)).exists()
    assert not Message.objects.filter(created_at__gt=NOW).exists()
    assert not in_app.filter(created_at__lt=day_start, read_at__isnull=True).exists()
    assert not in_app.exclude(read_at=None).exclude(read_at=F("created_at")).exists()  # read back then
    assert in_app.filter(created_at__gte=day_start, read_at__isnull=True).exists()  # today's news
    texts = Message.objects.exclude(channel="in_app")
    assert texts.exists() and not texts.exclude(sent_at=F("created_at")).exists()
    # What a handler sees in the inbox is a day's work, not the year.
    handler = get_user_model().objects.get(username="handler_a")
    unread = in_app.filter(user=handler, read_at__isnull=True).count()
    assert unread <= 10


@pytest.mark.req("K-1")
def test_a_complaint_registered_after_the_load_numbers_above_the_whole_replayed_year():
    numbers = list(
        Complaint.objects.filter(number__startswith=f"TS-{NOW.year}-").values_list("number", flat=True)
    )
    duty = get_user_model().objects.get(username="duty")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        new = services.record_complaint(
            actor=duty,
            data=services.Intake(
                estate=Estate.objects.get(code=demo.CUIHU),
                kind="complaint",
                channel="phone",
                category=Category.objects.get(code="repairs"),
                description="楼道灯不亮",
                complainant_name="王先生",
                phone="13800001111",
            ),
        )
    assert new.number > max(numbers)
    assert int(new.number.rsplit("-", 1)[1]) == len(numbers) + 1  # and no gap after the history
    assert not NumberCounter.objects.exclude(
        prefix__regex=r"^[A-Z]+$"
    ).exists()  # the reserved blocks are gone


@pytest.mark.req("K-1")
def test_the_loader_tells_the_progress_record_month_by_month():
    months = history.history_months(NOW)
    assert len(months) == 13 and months[0] == (2025, 11) and months[-1] == (2026, 11)
    done = [d for d, total in PROGRESS if total == len(months)]
    assert len(done) == len(PROGRESS) and done == sorted(done) and len(set(done)) > 6
    assert done[-1] == len(months)
