"""The line protocol between ``bench/vs_helpdesk.py`` and its two serving processes.

Each serving process reads one JSON command a line on stdin and answers one JSON line on the
standard output it had at start; anything else it prints goes to stderr, so a stray print of
Django or of the peer cannot break the protocol. Imports only the standard library and, when a
request is timed, Django: both interpreters (ours and the peer's throw-away virtualenv) run it.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any


def serve(handlers: dict[str, Callable[..., Any]]) -> None:
    answer = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # prints from here on go to stderr
    sys.stdout = sys.stderr
    for line in sys.stdin:
        command = json.loads(line)
        try:
            result = {"ok": handlers[command["op"]](**command.get("args", {}))}
        except Exception:  # noqa: BLE001 - reported to the driver, which stops the run
            result = {"error": traceback.format_exc()}
        answer.write(json.dumps(result) + "\n")
        if command["op"] == "quit":
            break


def timed(request: Callable[[], Any], expect: tuple[int, ...] = (200,)) -> dict[str, Any]:
    """One whole request through Django's test client: milliseconds and SQL statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = request()
        ms = (time.perf_counter() - started) * 1000
    if response.status_code not in expect:
        raise AssertionError(f"status {response.status_code}: {response.content[:400]!r}")
    return {"ms": ms, "queries": len(captured)}


def rate(submit: Callable[[int], Any], n: int) -> dict[str, Any]:
    """``n`` submissions one after another: per second, and the SQL statements of the last."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    for i in range(n - 1):
        submit(i)
    with CaptureQueriesContext(connection) as captured:
        submit(n - 1)
    seconds = time.perf_counter() - started
    return {"per_s": n / seconds, "queries": len(captured)}


def peak_memory_mib() -> float:
    """This process's own peak resident memory (VmHWM), not ru_maxrss inherited through fork."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def current_memory_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")
