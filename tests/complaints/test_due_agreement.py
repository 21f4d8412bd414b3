"""Due / due soon / overdue: the badge and the list filter agree (SPEC K-5).

A row's badge, the detail page and the API's ``due_state`` come from the pure function
(``complaints.deadlines.due_state``, through ``selectors.due_state_of``); the list filter, the
API's ``due_state`` filter and the home panels' counts come from SQL conditions on
``reply_due`` (``selectors.filter_due_state``). Over random deadlines, reply times, deadline
bases, "due soon" windows and clocks, a complaint is in the filter's answer for a state
exactly when the function gives it that state. The clock is UTC, as every caller passes
(``timezone.now()``). This runs on SQLite in the default pass and on PostgreSQL in CI's
``DATABASE_URL`` pass, so both databases' datetime comparisons are held to the function.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from estatedesk.complaints import selectors, services
from estatedesk.complaints.deadlines import DueState, SoonWindows
from estatedesk.complaints.models import AWAITING_REPLY, Complaint
from tests.complaints.conftest import record

pytestmark = pytest.mark.req("K-5")

SHOWN = (DueState.DUE, DueState.DUE_SOON, DueState.OVERDUE)
POOL = 6  # complaints per example
MICROSECOND = timedelta(microseconds=1)

# A fixed number of examples, derandomized (as in test_api_schema): the same cases on every run.
EXAMPLES = settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any moment of the years the calendar knows, to the microsecond (both databases keep them).
clocks = st.datetimes(
    min_value=datetime(2010, 1, 1), max_value=datetime(2026, 12, 31, 23, 59), timezones=st.just(UTC)
)
# The company settings' ranges: minutes before an urgent deadline, hours before any other.
windows = st.builds(
    SoonWindows,
    urgent=st.integers(min_value=0, max_value=24 * 60).map(lambda m: timedelta(minutes=m)),
    normal=st.integers(min_value=0, max_value=72).map(lambda h: timedelta(hours=h)),
)
bases = st.sampled_from(["urgent", "normal", "requested", "invalid", ""])
# Right at an edge (now, the end of either window), a microsecond either side, or anywhere.
nudges = st.one_of(
    st.sampled_from([timedelta(0), MICROSECOND, -MICROSECOND]),
    st.timedeltas(min_value=-timedelta(days=40), max_value=timedelta(days=40)),
)


@st.composite
def rows(draw: Any, now: datetime, soon: SoonWindows) -> dict[str, Any]:
    """One waiting complaint's deadline fields, often on an edge of the clock's windows."""
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        due = None
    else:
        edge = draw(st.sampled_from([timedelta(0), soon.urgent, soon.normal]))
        due = now + edge + draw(nudges)
    replied_at = None
    if due is not None and draw(st.integers(min_value=0, max_value=3)) == 0:
        replied_at = due + draw(nudges)  # answered (in time or late): no longer due
    return {
        "status": draw(st.sampled_from(AWAITING_REPLY)),
        "due_basis": draw(bases),
        "reply_due": due,
        "replied_at": replied_at,
    }


@st.composite
def situations(draw: Any) -> tuple[datetime, SoonWindows, list[dict[str, Any]]]:
    now = draw(clocks)
    soon = draw(windows)
    return now, soon, [draw(rows(now, soon)) for _ in range(POOL)]


@pytest.fixture
def pool(world: Any) -> list[Complaint]:
    return [record(world) for _ in range(POOL)]


def disagreements(complaints: list[Complaint], now: datetime, soon: SoonWindows) -> list[str]:
    """Every (state, complaint) on which the SQL filter and the function differ, with its values."""
    ids = [c.pk for c in complaints]
    stored = list(Complaint.objects.filter(pk__in=ids).order_by("pk"))
    found = []
    for state in SHOWN:
        in_sql = set(
            selectors.filter_due_state(Complaint.objects.filter(pk__in=ids), state, now, soon).values_list(
                "pk", flat=True
            )
        )
        for c in stored:
            by_function = selectors.due_state_of(c, now, soon)
            if (c.pk in in_sql) != (by_function == state):
                found.append(
                    f"{state}: filter {'has' if c.pk in in_sql else 'lacks'} it, function says {by_function} "
                    f"(now={now.isoformat()}, windows={soon}, status={c.status}, basis={c.due_basis!r}, "
                    f"reply_due={c.reply_due and c.reply_due.isoformat()}, "
                    f"replied_at={c.replied_at and c.replied_at.isoformat()})"
                )
    return found


@given(situation=situations())
@EXAMPLES
def test_the_list_filter_and_the_badge_agree_on_waiting_complaints(pool, situation):
    now, soon, fields = situation
    for complaint, values in zip(pool, fields, strict=True):
        for name, value in values.items():
            setattr(complaint, name, value)
    Complaint.objects.bulk_update(pool, ["status", "due_basis", "reply_due", "replied_at"])
    for complaint in pool:  # what the examples covered: pytest --hypothesis-show-statistics
        event(f"function says {selectors.due_state_of(complaint, now, soon)}")
        if complaint.reply_due is not None and complaint.reply_due - now in (
            timedelta(0),
            soon.urgent,
            soon.normal,
        ):
            event("deadline exactly on an edge")
    assert disagreements(pool, now, soon) == []


def test_a_complaint_closed_by_a_superior_while_waiting_for_a_reply_gets_the_same_answer(world):
    handler, head = world.users["handler_a"], world.users["office_head_a"]
    c = services.assess(
        actor=handler, complaint=record(world), cause="maintenance", serious=False, urgent=False
    )
    services.reply(actor=handler, complaint=c, content="已安排維修", manner="oral")
    services.visit(
        actor=handler, complaint=c, method="phone", opinion="還是漏水", satisfaction="dissatisfied"
    )
    services.close_by_superior(actor=head, complaint=c, reason="客戶聯繫不上")
    c.refresh_from_db()
    assert (c.status, c.replied_at) == ("closed", None) and c.reply_due is not None
    soon = selectors.soon_windows()
    after = c.reply_due + timedelta(hours=1)
    assert disagreements([c], after, soon) == []
