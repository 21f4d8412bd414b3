# ruff: noqa: S608 -- every name and condition below comes from model metadata and constants, never from input
"""The kept counts of complaints by month, by day, and by month received and month closed
(``models_tally``): their triggers, their rebuild, and the reads that sum them.

Why triggers
------------
The counts must equal a recount after every change, whichever code made it: the services,
the demo and the benchmarks' bulk inserts, a queryset update, the records disposal's
deletions. A trigger runs inside the statement that changed the row, so the counts move in
the same transaction and roll back with it; there is nothing to forget to call. The SQL is
generated here from one table of conditions, for SQLite and for PostgreSQL, so the two
databases count alike; ``tests/complaints/test_tally.py`` recounts with the ORM after each
kind of change and compares.

* A complaint row counts once in its month's row, once in its day's row and once in its
  month's cause-and-channel row, under the company-local date it was received
  (``Complaint.received_on``).
* An insert adds the row's conditions, a delete subtracts them, an update of a counted
  column subtracts the old row's and adds the new one's (a reassignment moves the count from
  one department to the other).
* ``OpenTally`` counts a department's records by the month received and the month closed
  (``Complaint.closed_on``, or a sentinel while open): the monthly report's open items at
  month end. Its own triggers fire only when a record's key there moves (received, closed,
  reopened into another month, reassigned).
* The monthly report's repeat complainants and reply times (decision 0072), complaints of
  kind complaint only: ``RepeatTally`` counts a complainant's complaints per department and
  month, ``RepeatRow`` and ``ReplyTime`` hold one row per complaint with a complainant, or
  with a first reply. Their triggers fire only when the row's key there moves; a count that
  falls to zero is deleted, so an erased name or phone leaves nothing behind.
* "Valid and visited" depends on the visits table: the first visit of a complaint adds it,
  removing the last one subtracts it.

Concurrent writers on PostgreSQL add to the same tally row under its row lock: two intakes in
the same estate, department, category and month wait for each other's commit at that one
statement, not for the whole transaction's work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.db import connection as default_connection
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from estatedesk.complaints.models import (
    SATISFIED_ANSWERS,
    CauseTally,
    Complaint,
    DayTally,
    Kind,
    MonthTally,
    OpenTally,
    RepeatRow,
    RepeatTally,
    ReplyTime,
    Satisfaction,
    Status,
    Visit,
)
from estatedesk.complaints.models_tally import CLOSED_UNDATED, DAY_MEASURES, MONTH_MEASURES, STILL_OPEN

__all__ = ["drop_sql", "install", "rebuild", "redate", "trigger_sql"]

REDATE_CHUNK = 5000

COMPLAINTS = Complaint._meta.db_table
VISITS = Visit._meta.db_table
MONTHS = MonthTally._meta.db_table
DAYS = DayTally._meta.db_table
CAUSES = CauseTally._meta.db_table
OPENS = OpenTally._meta.db_table
REPEATS = RepeatTally._meta.db_table
REPEAT_ROWS = RepeatRow._meta.db_table
REPLIES = ReplyTime._meta.db_table


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _conditions(r: str) -> dict[str, str]:
    """Each measure of a complaint row ``r`` (NEW, OLD or a table alias) as 0 or 1, in SQL both
    databases read alike (a boolean column is 0/1/NULL in SQLite, true/false/NULL in PostgreSQL)."""
    satisfied = ", ".join(f"'{level}'" for level in sorted(SATISFIED_ANSWERS))
    found = {
        "received": "1",
        "valid": _flag(f"{r}.valid"),
        "invalid": _flag(f"NOT {r}.valid"),
        "undecided": _flag(f"{r}.valid IS NULL"),
        "replied": _flag(f"{r}.first_replied_at IS NOT NULL"),
        "on_time": _flag(f"{r}.first_replied_at IS NOT NULL AND {r}.on_time"),
        "valid_visited": _flag(
            f"{r}.valid AND EXISTS (SELECT 1 FROM {VISITS} v WHERE v.complaint_id = {r}.id)"
        ),
        "reopened": _flag(f"{r}.reopen_count > 0"),
        "answered": _flag(f"{r}.satisfaction <> ''"),
        "satisfied": _flag(f"{r}.satisfaction IN ({satisfied})"),
    }
    for level in Satisfaction.values:
        found[f"sat_{level}"] = _flag(f"{r}.satisfaction = '{level}'")
    return found


# The columns whose change moves a count (the update trigger fires only when one of them did).
COUNTED_COLUMNS = (
    "received_on",
    "estate_id",
    "department_id",
    "category_id",
    "kind",
    "valid",
    "first_replied_at",
    "on_time",
    "reopen_count",
    "satisfaction",
    "cause",
    "channel",
)


def _month_of(vendor: str, day: str) -> str:
    if vendor == "postgresql":
        return f"CAST(date_trunc('month', {day}) AS date)"
    return f"date({day}, 'start of month')"


def _date(vendor: str, day: date) -> str:
    return f"DATE '{day.isoformat()}'" if vendor == "postgresql" else f"'{day.isoformat()}'"


def _closed_month(vendor: str, r: str) -> str:
    """The month row ``r`` was closed in, for ``OpenTally``: ``STILL_OPEN`` when it is not
    closed (whatever ``closed_on`` says), ``CLOSED_UNDATED`` when closed without a date."""
    closed = f"COALESCE({_month_of(vendor, f'{r}.closed_on')}, {_date(vendor, CLOSED_UNDATED)})"
    return (
        f"CASE WHEN {r}.status = '{Status.CLOSED.value}' THEN {closed} ELSE {_date(vendor, STILL_OPEN)} END"
    )


@dataclass(frozen=True)
class _Table:
    name: str
    keys: tuple[str, ...]
    measures: tuple[str, ...]

    def key_values(self, vendor: str, r: str) -> list[str]:
        values = {
            "month": _month_of(vendor, f"{r}.received_on"),
            "day": f"{r}.received_on",
            "estate_id": f"{r}.estate_id",
            "department_id": f"{r}.department_id",
            "category_id": f"{r}.category_id",
            "kind": f"{r}.kind",
            "cause": f"{r}.cause",
            "channel": f"{r}.channel",
            "closed_month": _closed_month(vendor, r),
        }
        return [values[k] for k in self.keys]

    def upsert(self, vendor: str, r: str, sign: str, measures: tuple[str, ...] | None = None) -> str:
        """Add (sign "") or subtract (sign "-") row ``r``'s measures to its key's row."""
        conditions = _conditions(r)
        names = measures or self.measures
        columns = [*self.keys, *names]
        values = [*self.key_values(vendor, r), *(f"{sign}({conditions[m]})" for m in names)]
        updates = ", ".join(f"{m} = {self.name}.{m} + excluded.{m}" for m in names)
        return (
            f"INSERT INTO {self.name} ({', '.join(columns)}) VALUES ({', '.join(values)}) "
            f"ON CONFLICT ({', '.join(self.keys)}) DO UPDATE SET {updates}"
        )

    def visited_from_complaint(self, vendor: str, complaint_id: str, sign: str) -> str:
        """Add or subtract "valid and visited" for the complaint a visit belongs to, when its
        first visit arrives or its last one goes (the trigger's condition says which): the
        visit is already in or already out, so only the complaint's validity decides."""
        conditions = _conditions("c")
        columns = [*self.keys, "valid_visited"]
        values = [*self.key_values(vendor, "c"), f"{sign}({conditions['valid']})"]
        return (
            f"INSERT INTO {self.name} ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"FROM {COMPLAINTS} c WHERE c.id = {complaint_id} "
            f"ON CONFLICT ({', '.join(self.keys)}) DO UPDATE "
            f"SET valid_visited = {self.name}.valid_visited + excluded.valid_visited"
        )


TABLES = (
    _Table(MONTHS, ("month", "estate_id", "department_id", "category_id", "kind"), MONTH_MEASURES),
    _Table(DAYS, ("day", "estate_id", "department_id", "kind"), DAY_MEASURES),
    _Table(CAUSES, ("month", "department_id", "estate_id", "kind", "cause", "channel"), ("received",)),
)
# Moved by triggers of its own, which fire only when a record's key moves (a change of status
# that does not close, or of any other counted column, leaves it alone).
OPEN = _Table(OPENS, ("department_id", "month", "closed_month"), ("received",))
OPEN_COLUMNS = ("department_id", "received_on", "status", "closed_on")


def _moved(vendor: str, columns: tuple[str, ...]) -> str:
    """An update trigger's condition: one of ``columns`` changed."""
    op = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{c} {op} NEW.{c}" for c in columns)


def _open_moved(vendor: str) -> str:
    op = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(
        f"({old}) {op} ({new})"
        for old, new in zip(OPEN.key_values(vendor, "OLD"), OPEN.key_values(vendor, "NEW"), strict=True)
    )


def _visit_first(r: str) -> str:
    return f"(SELECT COUNT(*) FROM {VISITS} WHERE complaint_id = {r}.complaint_id) = 1"


def _visit_none(r: str) -> str:
    return f"NOT EXISTS (SELECT 1 FROM {VISITS} WHERE complaint_id = {r}.complaint_id)"


# --- The monthly report's repeat complainants and reply times (decision 0072) -------------------
# Complaints of kind "complaint" only, as the report reads them. ``RepeatTally`` counts a
# complainant's complaints per department-month; ``ReplyTime`` holds one row per replied
# complaint. Their own triggers fire only when a record's key there moves.
_COMPLAINT = f"'{Kind.COMPLAINT.value}'"
REPEAT_COLUMNS = ("kind", "department_id", "received_on", "complainant", "received_at")
REPLY_COLUMNS = ("kind", "department_id", "received_on", "reply_us")


def _repeat_add(vendor: str, r: str) -> str:
    month = _month_of(vendor, f"{r}.received_on")
    counted = f"WHERE {r}.kind = {_COMPLAINT} AND {r}.complainant IS NOT NULL"
    return (
        f"INSERT INTO {REPEATS} (department_id, month, complainant, received) "
        f"SELECT {r}.department_id, {month}, {r}.complainant, 1 {counted} "
        f"ON CONFLICT (department_id, month, complainant) DO UPDATE SET received = {REPEATS}.received + 1; "
        f"INSERT INTO {REPEAT_ROWS} (complaint_id, department_id, month, complainant, received_at) "
        f"SELECT {r}.id, {r}.department_id, {month}, {r}.complainant, {r}.received_at {counted}"
    )


def _repeat_remove(vendor: str, r: str) -> str:
    # "complainant = NULL" matches nothing: a record without a complainant was not counted.
    key = (
        f"department_id = {r}.department_id AND month = {_month_of(vendor, f'{r}.received_on')} "
        f"AND complainant = {r}.complainant"
    )
    return (
        f"UPDATE {REPEATS} SET received = received - 1 WHERE {key} AND {r}.kind = {_COMPLAINT}; "
        # Nothing is kept for a complainant with no complaint left there (an erased name).
        f"DELETE FROM {REPEATS} WHERE {key} AND received <= 0; "
        f"DELETE FROM {REPEAT_ROWS} WHERE complaint_id = {r}.id"
    )


def _reply_add(vendor: str, r: str) -> str:
    return (
        f"INSERT INTO {REPLIES} (complaint_id, department_id, month, reply_us) "
        f"SELECT {r}.id, {r}.department_id, {_month_of(vendor, f'{r}.received_on')}, {r}.reply_us "
        f"WHERE {r}.kind = {_COMPLAINT} AND {r}.reply_us IS NOT NULL"
    )


def _reply_remove(r: str) -> str:
    return f"DELETE FROM {REPLIES} WHERE complaint_id = {r}.id"


def _kept_by(
    vendor: str,
    name: str,
    add: Callable[[str], str],
    remove: Callable[[str], str],
    moved: str,
    of: tuple[str, ...] = (),
) -> list[str]:
    """The triggers keeping a table from each complaint row: ``remove`` takes the old row's
    part out (update, delete), ``add`` puts the new row's in (insert, update); the update's
    fire only when ``moved`` (its key there moved), and with ``of`` only when one of those
    columns was written."""
    columns = f" OF {', '.join(of)}" if of else ""
    if vendor == "postgresql":
        return [
            f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN {remove("OLD")}; END IF;
    IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN {add("NEW")}; END IF;
    RETURN NULL;
END $$""",
            f"CREATE TRIGGER {name}_insert_delete AFTER INSERT OR DELETE ON {COMPLAINTS} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
            f"CREATE TRIGGER {name}_update AFTER UPDATE{columns} ON {COMPLAINTS} "
            f"FOR EACH ROW WHEN ({moved}) EXECUTE FUNCTION {name}()",
        ]
    return [
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {COMPLAINTS} BEGIN {add('NEW')}; END",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {COMPLAINTS} BEGIN {remove('OLD')}; END",
        f"CREATE TRIGGER {name}_update AFTER UPDATE{columns} ON {COMPLAINTS} "
        f"WHEN {moved} BEGIN {remove('OLD')}; {add('NEW')}; END",
    ]


def _per_complaint_triggers(vendor: str) -> list[str]:
    """``OpenTally``'s, and the monthly report's rows' (decision 0072)."""
    return [
        *_kept_by(
            vendor,
            "tally_open",
            add=lambda r: OPEN.upsert(vendor, r, ""),
            remove=lambda r: OPEN.upsert(vendor, r, "-"),
            moved=_open_moved(vendor),
            of=OPEN_COLUMNS,
        ),
        *_kept_by(
            vendor,
            "tally_repeat",
            add=lambda r: _repeat_add(vendor, r),
            remove=lambda r: _repeat_remove(vendor, r),
            moved=_moved(vendor, REPEAT_COLUMNS),
        ),
        *_kept_by(
            vendor,
            "tally_reply",
            add=lambda r: _reply_add(vendor, r),
            remove=_reply_remove,
            moved=_moved(vendor, REPLY_COLUMNS),
        ),
    ]


def _sqlite_triggers() -> list[str]:
    v = "sqlite"
    month = TABLES[0]

    def each(r: str, sign: str) -> str:
        return "; ".join(t.upsert(v, r, sign) for t in TABLES) + ";"

    return [
        f"CREATE TRIGGER tally_complaint_insert AFTER INSERT ON {COMPLAINTS} BEGIN {each('NEW', '')} END",
        f"CREATE TRIGGER tally_complaint_delete AFTER DELETE ON {COMPLAINTS} BEGIN {each('OLD', '-')} END",
        f"CREATE TRIGGER tally_complaint_update AFTER UPDATE ON {COMPLAINTS} WHEN {_moved(v, COUNTED_COLUMNS)} "
        f"BEGIN {each('OLD', '-')} {each('NEW', '')} END",
        f"CREATE TRIGGER tally_visit_insert AFTER INSERT ON {VISITS} WHEN {_visit_first('NEW')} "
        f"BEGIN {month.visited_from_complaint(v, 'NEW.complaint_id', '')}; END",
        f"CREATE TRIGGER tally_visit_delete AFTER DELETE ON {VISITS} WHEN {_visit_none('OLD')} "
        f"BEGIN {month.visited_from_complaint(v, 'OLD.complaint_id', '-')}; END",
        *_per_complaint_triggers(v),
    ]


def _postgresql_triggers() -> list[str]:
    v = "postgresql"
    month = TABLES[0]
    old = "; ".join(t.upsert(v, "OLD", "-") for t in TABLES)
    new = "; ".join(t.upsert(v, "NEW", "") for t in TABLES)
    return [
        f"""CREATE FUNCTION tally_complaint() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN {old}; END IF;
    IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN {new}; END IF;
    RETURN NULL;
END $$""",
        f"""CREATE FUNCTION tally_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND {_visit_first("NEW")} THEN
        {month.visited_from_complaint(v, "NEW.complaint_id", "")};
    ELSIF TG_OP = 'DELETE' AND {_visit_none("OLD")} THEN
        {month.visited_from_complaint(v, "OLD.complaint_id", "-")};
    END IF;
    RETURN NULL;
END $$""",
        f"CREATE TRIGGER tally_complaint_insert_delete AFTER INSERT OR DELETE ON {COMPLAINTS} "
        "FOR EACH ROW EXECUTE FUNCTION tally_complaint()",
        f"CREATE TRIGGER tally_complaint_update AFTER UPDATE ON {COMPLAINTS} FOR EACH ROW "
        f"WHEN ({_moved(v, COUNTED_COLUMNS)}) EXECUTE FUNCTION tally_complaint()",
        f"CREATE TRIGGER tally_visit AFTER INSERT OR DELETE ON {VISITS} FOR EACH ROW EXECUTE FUNCTION tally_visit()",
        *_per_complaint_triggers(v),
    ]


def trigger_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return _postgresql_triggers()
    if vendor == "sqlite":
        return _sqlite_triggers()
    raise NotImplementedError(f"no tally triggers for {vendor}")


def drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS tally_complaint_insert_delete ON {COMPLAINTS}",
            f"DROP TRIGGER IF EXISTS tally_complaint_update ON {COMPLAINTS}",
            f"DROP TRIGGER IF EXISTS tally_visit ON {VISITS}",
            f"DROP TRIGGER IF EXISTS tally_open_insert_delete ON {COMPLAINTS}",
            f"DROP TRIGGER IF EXISTS tally_open_update ON {COMPLAINTS}",
            f"DROP TRIGGER IF EXISTS tally_repeat_insert_delete ON {COMPLAINTS}",
            f"DROP TRIGGER IF EXISTS tally_repeat_update ON {COMPLAINTS}",
            f"DROP TRIGGER IF EXISTS tally_reply_insert_delete ON {COMPLAINTS}",
            f"DROP TRIGGER IF EXISTS tally_reply_update ON {COMPLAINTS}",
            "DROP FUNCTION IF EXISTS tally_complaint()",
            "DROP FUNCTION IF EXISTS tally_visit()",
            "DROP FUNCTION IF EXISTS tally_open()",
            "DROP FUNCTION IF EXISTS tally_repeat()",
            "DROP FUNCTION IF EXISTS tally_reply()",
        ]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in sorted(expected(vendor))]


def _execute(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection: BaseDatabaseWrapper = default_connection) -> None:
    """(Re)create the triggers: called by the migrations that change what is counted."""
    _execute(connection, drop_sql(connection.vendor) + trigger_sql(connection.vendor))


def installed(connection: BaseDatabaseWrapper = default_connection) -> set[str]:
    """The names of the counts' triggers present in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'tally_%%' AND NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tally_%'")
        return {row[0] for row in cursor.fetchall()}


def expected(vendor: str) -> set[str]:
    """The names of the triggers ``trigger_sql`` creates."""
    return {
        statement.split()[2] for statement in trigger_sql(vendor) if statement.startswith("CREATE TRIGGER")
    }


def drop_before_migrate(using: str = "default", plan: list | None = None, **kwargs: object) -> None:
    """Before ``migrate`` runs migrations: take the triggers off. SQLite alters a table by
    copying it and renaming the copy, which fails while another table's trigger names it;
    ``count_after_migrate`` puts them back and counts again."""
    connection = connections[using]
    if plan and installed(connection):
        _execute(connection, drop_sql(connection.vendor))


def count_after_migrate(using: str = "default", plan: list | None = None, **kwargs: object) -> None:
    """After ``migrate`` (or ``flush``): the triggers back, and the counts counted again when
    anything ran without them (a migration may have changed complaints while they were off)."""
    connection = connections[using]
    if MONTHS not in connection.introspection.table_names():
        return  # before the counts' migration, or after it was unapplied
    if plan == [] and installed(connection) == expected(connection.vendor):
        return  # nothing migrated
    with transaction.atomic(using=using):
        install(connection)
        rebuild(connection)


def rebuild(connection: BaseDatabaseWrapper = default_connection) -> None:
    """Count everything again from the complaints, in one transaction (the caller's).

    For the migration that introduces the counts and for ``manage rebuild_tallies``; the
    triggers keep them right from then on.
    """
    vendor = connection.vendor
    kept = (*(t.name for t in (*TABLES, OPEN)), REPEATS, REPEAT_ROWS, REPLIES)
    statements = [f"DELETE FROM {t}" for t in kept]
    conditions = _conditions("c")
    for table in (*TABLES, OPEN):
        keys = table.key_values(vendor, "c")
        sums = [f"SUM({conditions[m]})" for m in table.measures]
        statements.append(
            f"INSERT INTO {table.name} ({', '.join((*table.keys, *table.measures))}) "
            f"SELECT {', '.join((*keys, *sums))} FROM {COMPLAINTS} c GROUP BY {', '.join(keys)}"
        )
    month = _month_of(vendor, "c.received_on")
    statements += [
        f"INSERT INTO {REPEATS} (department_id, month, complainant, received) "
        f"SELECT c.department_id, {month}, c.complainant, COUNT(*) FROM {COMPLAINTS} c "
        f"WHERE c.kind = {_COMPLAINT} AND c.complainant IS NOT NULL "
        f"GROUP BY c.department_id, {month}, c.complainant",
        f"INSERT INTO {REPEAT_ROWS} (complaint_id, department_id, month, complainant, received_at) "
        f"SELECT c.id, c.department_id, {month}, c.complainant, c.received_at FROM {COMPLAINTS} c "
        f"WHERE c.kind = {_COMPLAINT} AND c.complainant IS NOT NULL",
        f"INSERT INTO {REPLIES} (complaint_id, department_id, month, reply_us) "
        f"SELECT c.id, c.department_id, {month}, c.reply_us FROM {COMPLAINTS} c "
        f"WHERE c.kind = {_COMPLAINT} AND c.reply_us IS NOT NULL",
    ]
    _execute(connection, statements)


def redate(zone: ZoneInfo, connection: BaseDatabaseWrapper = default_connection) -> int:
    """Each complaint's company-local dates in ``zone`` (after the company's time zone changed):
    the date it was received and the date it was closed. The update triggers move its counts
    to the new day and month. Returns how many complaints moved."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            received = "CAST(received_at AT TIME ZONE %s AS date)"
            closed = "CAST(closed_at AT TIME ZONE %s AS date)"
            cursor.execute(
                f"UPDATE {COMPLAINTS} SET received_on = {received}, closed_on = {closed} "
                f"WHERE received_on IS DISTINCT FROM {received} OR closed_on IS DISTINCT FROM {closed}",
                [zone.key] * 4,
            )
            return cursor.rowcount
    moved, last = 0, 0
    while True:
        rows = list(
            Complaint.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "received_at", "received_on", "closed_at", "closed_on")[:REDATE_CHUNK]
        )
        if not rows:
            return moved
        last = rows[-1][0]
        changed = []
        for pk, received_at, received_on, closed_at, closed_on in rows:
            received_day = received_at.astimezone(zone).date()
            closed_day = closed_at.astimezone(zone).date() if closed_at else None
            if (received_day, closed_day) != (received_on, closed_on):
                changed.append((received_day, closed_day, pk))
        if changed:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {COMPLAINTS} SET received_on = %s, closed_on = %s WHERE id = %s", changed
                )
            moved += len(changed)
