from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from estatedesk.core.actors import Actor, user_of
from estatedesk.core.models import ApiToken, WorkerHeartbeat
from estatedesk.core.prepared import Prepared

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def create_api_token(*, user: Actor, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the clear token, which is never stored and shown only now."""
    account = user_of(user)
    if account is None:
        # As Django itself answers when a foreign key is given something that is not an account.
        raise ValueError("Only a signed-in user has API tokens.")
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=account, name=name.strip()[:100] or "API", token_hash=ApiToken.hash(raw), hint=raw[:10]
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, user: Actor, token_id: int) -> bool:
    account = user_of(user)
    if account is None:
        return False
    updated = ApiToken.objects.filter(pk=token_id, user=account, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return bool(updated)


# Read on every API request, compiled once per process (``core.prepared``, decision 0070).
_TOKEN = Prepared(
    lambda *, token_hash: ApiToken.objects.active().select_related("user").filter(token_hash=token_hash)[:1],
    token_hash="\x01hash\x01",
)


def authenticate_token(raw: str) -> User | None:
    """The active user behind a clear token, or None. Marks the token used at most once a minute."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = _TOKEN.first(token_hash=ApiToken.hash(raw))
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# The large tables whose statistics steer the list queries.
STATISTICS_TABLES = ("complaints_complaint", "complaints_event", "org_unit", "org_customer")


def refresh_query_statistics(*, force: bool = False) -> bool:
    """Keep SQLite's query planner informed (PostgreSQL's autovacuum does this by itself).

    SQLite never gathers table statistics on its own; without them it may sort a whole
    estate's complaints for page 1 instead of walking the list's index (1.7 s against
    under 100 ms at 1,000,000 complaints, docs/benchmarks.md). Sampled statistics
    (``analysis_limit``) mislead it the same way, so this runs a full ANALYZE (about a
    second per million rows, under the write lock), but only when a large table has no
    statistics yet or has grown or shrunk by a tenth since. Returns whether it ran.
    """
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        if not force and not _statistics_stale(cursor):
            return False
        cursor.execute("ANALYZE")
    return True


def _statistics_stale(cursor: Any) -> bool:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    if cursor.fetchone() is None:
        return True
    for table in STATISTICS_TABLES:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND idx IS NOT NULL LIMIT 1", [table])
        row = cursor.fetchone()
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our own table names
        rows = cursor.fetchone()[0]
        if row is None:
            if rows:
                return True
            continue
        known = int(str(row[0]).split()[0])
        if abs(rows - known) > max(1000, known // 10):
            return True
    return False


def record_heartbeat(*, starting: bool = False, worker: str | None = None) -> None:
    """The worker is alive: stamp its host's row (``/health/`` reads the newest one).

    One row per host, so restarts do not pile rows up; ``starting`` also resets its start time.
    """
    now = timezone.now()
    name = (worker or socket.gethostname() or "worker")[:200]
    fields: dict[str, Any] = {"beat_at": now, **({"started_at": now} if starting else {})}
    if WorkerHeartbeat.objects.filter(worker=name).update(**fields):
        return
    try:
        with transaction.atomic():
            WorkerHeartbeat.objects.create(worker=name, started_at=now, beat_at=now)
    except IntegrityError:  # another thread of the same worker made the row first
        WorkerHeartbeat.objects.filter(worker=name).update(**fields)
