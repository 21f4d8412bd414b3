"""Counts of complaints kept by month, by day, and by month received and month closed, and the
monthly report's rows kept per complaint (repeat complainants, reply times), in the same
transaction as every change.

The dashboard and the monthly report read these instead of scanning a year of complaints
(SPEC A-1, K-12), or, for the open items at month end, every record a department ever
received (``OpenTally``). They are kept by database triggers (``complaints.tally``) on the complaint
and visit tables, so every write — a service, a bulk insert, a queryset update, a deletion
by the records disposal — moves the counts in its own transaction: there is no cache to go
stale and no job to run late. ``tests/complaints/test_tally.py`` recounts after every kind of
change.

The key columns are plain integers, not foreign keys: a count is not a reference, and must
not stop an estate or a department from being deleted.
"""

from __future__ import annotations

from datetime import date

from django.db import models

# The counted conditions (their SQL is in ``complaints.tally``; their meaning in
# ``reports.measures``). A row counts records of every kind; readers pick the kind.
MONTH_MEASURES = (
    "received",
    "valid",
    "invalid",
    "undecided",
    "replied",
    "on_time",
    "valid_visited",
    "reopened",
    "sat_very_satisfied",
    "sat_satisfied",
    "sat_neutral",
    "sat_dissatisfied",
    "sat_very_dissatisfied",
)
DAY_MEASURES = ("received", "valid", "replied", "on_time", "reopened", "answered", "satisfied")


class MonthTally(models.Model):
    """Records received in a month (company time), by estate, department, category and kind."""

    month = models.DateField()  # the 1st of the month
    estate_id = models.IntegerField()
    department_id = models.IntegerField()
    category_id = models.IntegerField()
    kind = models.CharField(max_length=10)
    received = models.IntegerField(db_default=0)
    valid = models.IntegerField(db_default=0)
    invalid = models.IntegerField(db_default=0)
    undecided = models.IntegerField(db_default=0)
    replied = models.IntegerField(db_default=0)
    on_time = models.IntegerField(db_default=0)
    valid_visited = models.IntegerField(db_default=0)
    reopened = models.IntegerField(db_default=0)
    sat_very_satisfied = models.IntegerField(db_default=0)
    sat_satisfied = models.IntegerField(db_default=0)
    sat_neutral = models.IntegerField(db_default=0)
    sat_dissatisfied = models.IntegerField(db_default=0)
    sat_very_dissatisfied = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "estate_id", "department_id", "category_id", "kind"], name="month_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kind}: {self.received}"


class DayTally(models.Model):
    """Records received on a day (company time), by estate, department and kind: the
    dashboard's "same days of last month" without reading last month's rows."""

    day = models.DateField()
    estate_id = models.IntegerField()
    department_id = models.IntegerField()
    kind = models.CharField(max_length=10)
    received = models.IntegerField(db_default=0)
    valid = models.IntegerField(db_default=0)
    replied = models.IntegerField(db_default=0)
    on_time = models.IntegerField(db_default=0)
    reopened = models.IntegerField(db_default=0)
    answered = models.IntegerField(db_default=0)
    satisfied = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "estate_id", "department_id", "kind"], name="day_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}: {self.received}"


class CauseTally(models.Model):
    """Records received in a month (company time) by department, estate, kind, cause and
    channel: the monthly report's breakdowns by cause and by channel without reading the
    month's records. Apart from ``MonthTally`` so that the dashboard, which sums that one,
    keeps few rows to read."""

    month = models.DateField()  # the 1st of the month
    department_id = models.IntegerField()
    estate_id = models.IntegerField()
    kind = models.CharField(max_length=10)
    cause = models.CharField(max_length=20)  # "" = not yet assessed
    channel = models.CharField(max_length=30)
    received = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department_id", "estate_id", "kind", "cause", "channel"],
                name="cause_tally_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kind} {self.cause or '-'} {self.channel}: {self.received}"


# ``OpenTally.closed_month`` of a record that is not closed: after every month.
STILL_OPEN = date(9999, 12, 1)
# ... of a closed record without a time of closing (a queryset update of the status alone):
# before every month, so it is open at no month's end, as the old count from ``closed_at`` had it.
CLOSED_UNDATED = date(1, 1, 1)


class OpenTally(models.Model):
    """Records of a department by the month they were received and the month they were
    closed (company time): the monthly report's open items at month end, without reading
    every record the department ever received. Open at the end of month M: received in
    M or before, and closed after M (``closed_month`` > M; ``STILL_OPEN`` for a record not
    closed). The sentinels are dates, not NULL, because NULLs never conflict in a unique
    constraint, so the triggers' upsert would add a row for each open record."""

    department_id = models.IntegerField()
    month = models.DateField()  # the 1st of the month received
    closed_month = models.DateField()  # the 1st of the month closed, or a sentinel above
    received = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department_id", "month", "closed_month"], name="open_tally_key")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} → {self.closed_month:%Y-%m}: {self.received}"


class RepeatTally(models.Model):
    """Complaints (kind complaint) a complainant made in a month (company time) to a
    department, by ``Complaint.complainant``: the monthly report's repeat complainants —
    how many there are, and who — without reading the month's complaints (decision 0072).

    The key holds what the complaint's own ``complainant`` column holds (a customer id, a
    phone's blind index or a name) and follows it: a row whose count falls to zero is deleted
    by the trigger that lowered it, so an erased name leaves nothing behind here (SPEC D-3)."""

    department_id = models.IntegerField()
    month = models.DateField()  # the 1st of the month received
    complainant = models.TextField()
    received = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department_id", "month", "complainant"], name="repeat_tally_key")
        ]
        # The repeat complainants of a department-month are a range of this index: those
        # with two or more.
        indexes = [models.Index(fields=["department_id", "month", "received"], name="repeat_tally_many")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.received}"


class RepeatRow(models.Model):
    """Each complaint (kind complaint) with a complainant, under its department and month
    received (company time), kept by the same triggers as ``RepeatTally``: the monthly
    report lists the repeat complainants' complaints from one walk of the index
    ``repeat_row_order``, already in complainant and time order, without looking up the
    month's complaint rows (SQLite reads no generated column such as
    ``Complaint.complainant`` from an index; decision 0072). Removed with its complaint, and
    follows its complainant when that is erased (SPEC D-3)."""

    complaint_id = models.BigIntegerField(primary_key=True)
    department_id = models.IntegerField()
    month = models.DateField()  # the 1st of the month received
    complainant = models.TextField()
    received_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["department_id", "month", "complainant", "received_at", "-complaint_id"],
                name="repeat_row_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}"


class ReplyTime(models.Model):
    """Each replied complaint's time to first reply (``Complaint.reply_us``) under its
    department and month received (company time), kept by triggers like the counts: the
    monthly report's median and 90th percentile are read at their ranks from the index
    ``reply_time_rank``, ordered by time, instead of sorting the month's complaints
    (decision 0072). One row per complaint, removed with it."""

    complaint_id = models.BigIntegerField(primary_key=True)
    department_id = models.IntegerField()
    month = models.DateField()  # the 1st of the month received
    reply_us = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["department_id", "month", "reply_us"], name="reply_time_rank")]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.reply_us} µs"
