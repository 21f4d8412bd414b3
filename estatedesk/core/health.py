"""What ``/health/`` reports: the database, the worker's heartbeat, and the checks apps add.

``core`` runs its own two checks; an app adds its own from ``AppConfig.ready`` with
``register`` (notifications adds the age of the oldest undelivered message), because core
imports no app. Each check answers a status — ``ok``, ``fail``, or a state that is not a
failure, such as ``immediate`` for the worker when tasks run inline — and a few figures:
times, ages and counts, never a name, an address or a message's text, since the page is
public. Each check is one or two indexed queries, so a monitor may probe it every few seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from estatedesk.core.models import WorkerHeartbeat

OK = "ok"
FAIL = "fail"
IMMEDIATE = "immediate"  # tasks run inline (tests, HUEY_IMMEDIATE): there is no worker to watch


@dataclass(frozen=True)
class Check:
    status: str
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status == FAIL


# check(now) -> its answer; it may raise DatabaseError, which reads as a failure.
CheckFn = Callable[[datetime], Check]

_REGISTRY: dict[str, CheckFn] = {}


def register(name: str, check: CheckFn) -> None:
    """Called from an app's ``ready()``; registering a name twice replaces it."""
    _REGISTRY[name] = check


def registered() -> frozenset[str]:
    return frozenset(_REGISTRY)


def age_seconds(then: datetime | None, now: datetime) -> int | None:
    return None if then is None else max(0, int((now - then).total_seconds()))


def stamp(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="seconds")


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return Check(FAIL)
    return Check(OK)


def check_worker(now: datetime) -> Check:
    limit = int(settings.HEALTH_WORKER_MAX_AGE)
    beat = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    age = age_seconds(beat, now)
    figures = {"last_heartbeat": stamp(beat), "age_seconds": age, "max_age_seconds": limit}
    if HUEY.immediate:
        return Check(IMMEDIATE, figures)
    return Check(FAIL if age is None or age > limit else OK, figures)


@dataclass(frozen=True)
class Report:
    checks: dict[str, Check]

    @property
    def ok(self) -> bool:
        return not any(check.failed for check in self.checks.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "status": OK if self.ok else FAIL,
            "checks": {name: {"status": c.status, **c.figures} for name, c in self.checks.items()},
        }


def report(now: datetime | None = None) -> Report:
    """Every check's answer; without a database the others are not tried."""
    now = now or timezone.now()
    database = check_database()
    if database.failed:
        return Report({"database": database})
    checks = {"database": database}
    for name, check in {"worker": check_worker, **_REGISTRY}.items():
        try:
            checks[name] = check(now)
        except DatabaseError:
            checks[name] = Check(FAIL)
    return Report(checks)
