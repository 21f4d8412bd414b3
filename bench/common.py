"""What every bench prints beside its figures: the measuring process's own peak memory and the
machine's load average.

Peak memory is Linux's ``VmHWM`` of this process, read from ``/proc/self/status``: the high-water
mark of the resident set since this process started. Not ``ru_maxrss``: a process started with
fork and exec (every bench's measuring child) inherits its parent's high-water mark there, so a
child measured after a 1,000,000-row fill reported the filler's memory, not its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM) in MiB; on a system without /proc, ru_maxrss."""
    kib = _status_kib("VmHWM")
    if kib is not None:
        return kib / 1024
    import resource  # not on Windows; /proc is not on macOS, where ru_maxrss is in bytes

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if os.uname().sysname == "Darwin" else peak / 1024


def rss_mib() -> float:
    """This process's resident memory now (VmRSS) in MiB, 0 where /proc is missing."""
    kib = _status_kib("VmRSS")
    return (kib or 0) / 1024


def load_average_text() -> str:
    """``load average 1.02 0.87 0.55 (2 cores)``: figures taken on a busy machine are not comparable."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


@dataclass(frozen=True)
class Timed:
    """``repeated_get``'s figures: wall milliseconds (median, slowest), this process's CPU
    milliseconds (median), and the SQL statements of one request."""

    median_ms: float
    max_ms: float
    cpu_ms: float
    queries: int


def repeated_get(client: Any, url: str, repeat: int) -> Timed:
    """One warm-up GET of ``url``, then ``repeat`` timed ones through Django's test client, each
    required to answer 200. Django must be set up (each bench's ``setup``) before it is called."""
    import statistics
    import time

    from django.db import connection  # imported here: common.py is read before Django is set up
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm
    times, cpu, queries = [], [], 0
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        queries = len(captured)
    return Timed(statistics.median(times), max(times), statistics.median(cpu), queries)
