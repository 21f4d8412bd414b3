"""A bounded load on a running EstateDesk of several web servers: portal submissions and staff
page views, spread over the servers, from this machine only (127.0.0.1 / ::1 / localhost).

    .venv/bin/python bench/cluster_load.py --server http://127.0.0.1:8001 --server http://127.0.0.1:8002 \\
        --estate CHHY [--submits 1000] [--views 5000] [--threads 8] [--max-seconds 300]

Residents: each submission opens the estate's portal page (``/r/<code>/``), reads the form's
one-time submission key, CSRF token, privacy-notice version and a category, and sends a complaint
whose description carries a marker (``[load 000042]``) so the complaint can be found again.
Every ``--double-tap``-th submission is sent a second time with the same key, as a resident who
taps twice does: the portal must answer with the same receipt and make no second complaint.

Staff: the personas (``--persona``; the demo company's password unless ``--password``) sign in
once, on the first server, and every page view after that goes to any server with that
session cookie, so the servers must share sessions (they are in PostgreSQL). The views are the
home page (dashboard), the complaint list and a complaint's page, a third each.

Throttling: the portal's per-address submission limit (``PORTAL_RATE_SUBMIT_IP``, 5 in 10
minutes by default) refuses almost every submission of a load test sent from one address: run
the servers with raised ``PORTAL_RATE_*`` limits. A 429 is then counted as a failure like any
other status the load does not expect.

It stops after the given counts or ``--max-seconds``, whichever is first, and prints per kind
of request the count, the statuses, p50 and p95 and the throughput. ``tests/cluster`` runs
it against two gunicorn servers and two workers; the figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
DEMO_PASSWORD = "demo-pass-2026"  # estatedesk.org.demo.DEMO_PASSWORD, not imported: no Django here
DEFAULT_PERSONAS = ("handler_a", "duty", "cs_supervisor", "deputy_gm")
MARKER = "[load {:06d}]"

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
_PRIVACY = re.compile(r'name="privacy_version" value="(\d+)"')
_CATEGORY = re.compile(r'<select[^>]*name="category".*?</select>', re.S)
_OPTION = re.compile(r'<option value="(\d+)"')
_DETAIL = re.compile(r'href="(/complaints/\d+/)"')
_RECEIPT = re.compile(r"^/r/c/([^/]+)/done/$")


class LoadError(Exception):
    """A response the load did not expect: its kind, status and a short reason (no page text)."""

    def __init__(self, kind: str, status: int, reason: str) -> None:
        super().__init__(f"{kind}: {status} {reason}")
        self.kind, self.status, self.reason = kind, status, reason


def loopback_only(server: str) -> str:
    parts = urllib.parse.urlsplit(server)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK or not parts.port:
        raise ValueError(f"{server}: this load runs against http://127.0.0.1:<port> (or ::1, localhost) only")
    return server.rstrip("/")


class Browser:
    """One visitor: a cookie jar and a kept-alive connection per server."""

    def __init__(self, *, proxied: bool = False, timeout: float = 30.0) -> None:
        self.cookies: dict[str, str] = {}
        self.timeout = timeout
        self.proxied = proxied  # say X-Forwarded-Proto: https, as a TLS proxy in front would
        self._connections: dict[str, http.client.HTTPConnection] = {}

    def _connection(self, server: str) -> http.client.HTTPConnection:
        found = self._connections.get(server)
        if found is None:
            parts = urllib.parse.urlsplit(server)
            found = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=self.timeout)
            self._connections[server] = found
        return found

    def request(
        self, server: str, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        headers = {"Accept-Language": "zh-hans", "Host": urllib.parse.urlsplit(server).netloc}
        body = None
        if self.proxied:
            headers["X-Forwarded-Proto"] = "https"
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            origin = f"{'https' if self.proxied else 'http'}://{headers['Host']}"
            headers["Origin"] = origin
            headers["Referer"] = origin + path
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            connection = self._connection(server)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed meanwhile (gunicorn's sync workers
                # close after each response): open a new one, once.
                connection.close()
                self._connections.pop(server, None)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            self._connections.pop(server, None)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()


# --- The two kinds of visitor ----------------------------------------------------------------


def submit(browser: Browser, server: str, estate: str, number: int, *, again: bool = False) -> dict[str, Any]:
    """One resident's complaint through the portal; the receipt's token (and the second one's)."""
    path = f"/r/{estate}/"
    status, _, page = browser.request(server, "GET", path)
    if status != 200:
        raise LoadError("portal form", status, "the estate's page did not open")
    fields = {}
    for name, pattern in (
        ("csrfmiddlewaretoken", _CSRF),
        ("submission_key", _KEY),
        ("privacy_version", _PRIVACY),
    ):
        match = pattern.search(page)
        if match is None:
            raise LoadError("portal form", status, f"the form has no {name}")
        fields[name] = match.group(1)
    select = _CATEGORY.search(page)
    options = _OPTION.findall(select.group(0)) if select else []
    if not options:
        raise LoadError("portal form", status, "the form offers no category")
    form = {
        **fields,
        "privacy_ack": "on",
        "kind": "complaint",
        "category": options[number % len(options)],
        "description": f"{MARKER.format(number)} 地下车库入口漏水，地面很滑",
        "unit": "",  # optional; a unit the estate does not have would be refused
        "name": "压测住户",
        "phone": f"139{number:08d}",
    }
    tokens = []
    for _ in range(2 if again else 1):
        status, headers, _ = browser.request(server, "POST", path, form)
        match = _RECEIPT.match(urllib.parse.urlsplit(headers.get("location", "")).path)
        if status != 302 or match is None:
            raise LoadError("portal submit", status, "no receipt")
        tokens.append(match.group(1))
    return {"token": tokens[0], "tokens": tokens}


def sign_in(browser: Browser, server: str, username: str, password: str) -> bool:
    status, _, page = browser.request(server, "GET", "/accounts/login/")
    match = _CSRF.search(page)
    if status != 200 or match is None:
        raise LoadError("sign-in", status, "the sign-in page did not open")
    form = {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password, "next": "/"}
    status, _, _ = browser.request(server, "POST", "/accounts/login/", form)
    if status != 302:
        raise LoadError("sign-in", status, f"{username} could not sign in")
    return True


def view(browser: Browser, server: str, kind: str, details: list[str]) -> bool:
    path = {"dashboard": "/", "list": "/complaints/"}.get(kind) or (
        details[len(details) // 2] if details else "/"
    )
    status, _, page = browser.request(server, "GET", path)
    if status != 200:
        raise LoadError(kind, status, "the page did not open")
    if kind == "list":
        found = _DETAIL.findall(page)
        if found:
            details[:] = found[:20]
    return True


# --- The run ---------------------------------------------------------------------------------


@dataclass
class Results:
    started: float = field(default_factory=time.monotonic)
    finished: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    receipts: dict[int, list[str]] = field(default_factory=dict)  # submission number -> tokens
    done: int = 0
    planned: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, status: int, error: str = "") -> None:
        with self._lock:
            self.latencies.setdefault(kind, []).append(seconds)
            self.statuses.setdefault(kind, Counter())[status] += 1
            if error:
                self.errors.append(error)

    def summary(self) -> dict[str, Any]:
        wall = (self.finished or time.monotonic()) - self.started
        kinds = {}
        for kind, values in sorted(self.latencies.items()):
            ordered = sorted(values)
            kinds[kind] = {
                "count": len(values),
                "per_second": len(values) / wall if wall else 0.0,
                "p50_ms": 1000 * statistics.median(ordered),
                "p95_ms": 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
                "statuses": dict(sorted(self.statuses[kind].items())),
            }
        total = sum(k["count"] for k in kinds.values())
        return {
            "seconds": wall,
            "jobs_done": self.done,
            "jobs_planned": self.planned,
            "requests": total,
            "requests_per_second": total / wall if wall else 0.0,
            "kinds": kinds,
            "errors": len(self.errors),
        }


def format_summary(summary: dict[str, Any]) -> str:
    lines = [
        f"{summary['jobs_done']} of {summary['jobs_planned']} jobs in {summary['seconds']:.1f} s: "
        f"{summary['requests']} timed jobs, {summary['requests_per_second']:.1f}/s, {summary['errors']} errors",
        f"{'kind':<16}{'count':>7}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}  statuses",
    ]
    for kind, k in summary["kinds"].items():
        lines.append(
            f"{kind:<16}{k['count']:>7}{k['per_second']:>8.1f}{k['p50_ms']:>9.0f}{k['p95_ms']:>9.0f}  {k['statuses']}"
        )
    return "\n".join(lines)


def _timed(results: Results, kind: str, action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    start = time.monotonic()
    try:
        value = action(*args, **kwargs)
    except LoadError as error:
        results.record(kind, time.monotonic() - start, error.status, str(error))
        return None
    except (OSError, http.client.HTTPException) as error:
        results.record(kind, time.monotonic() - start, 0, f"{kind}: {type(error).__name__} {error}")
        return None
    results.record(kind, time.monotonic() - start, 200)
    return value


def run(
    servers: Sequence[str],
    *,
    estate: str,
    submits: int = 1000,
    views: int = 5000,
    threads: int = 8,
    max_seconds: float = 300.0,
    personas: Sequence[str] = DEFAULT_PERSONAS,
    password: str = DEMO_PASSWORD,
    double_tap: int = 20,
    proxied: bool = False,
    at_half: Callable[[], None] | None = None,
) -> Results:
    """Send the load; ``at_half`` is called once, by the thread that finishes the middle job.

    A job is one submission (the form, the POST, and a second POST every ``double_tap``-th)
    or one page view; the jobs are interleaved so both kinds run all along, and job i goes to
    server i mod len(servers). Timed per job: a submission's figure includes opening the form.
    """
    servers = [loopback_only(s) for s in servers]
    if not servers:
        raise ValueError("no server to load")
    jobs: list[tuple[str, int]] = []
    s = v = 0
    while s < submits or v < views:
        # Interleave in proportion, so that halfway is halfway of both kinds.
        if s < submits and (v >= views or s * views <= v * submits):
            jobs.append(("submit", s))
            s += 1
        else:
            jobs.append(("view", v))
            v += 1
    results = Results(planned=len(jobs))
    deadline = time.monotonic() + max_seconds
    next_job = iter(range(len(jobs)))
    take = threading.Lock()
    half = len(jobs) // 2
    kinds = ("dashboard", "list", "detail")

    def worker(index: int) -> None:
        resident = Browser(proxied=proxied)
        staff = Browser(proxied=proxied)
        persona = personas[index % len(personas)]
        details: list[str] = []
        if views and _timed(results, "sign-in", sign_in, staff, servers[0], persona, password) is None:
            staff = None  # type: ignore[assignment]  # this thread's views would all fail: they count as errors
        try:
            while time.monotonic() < deadline:
                with take:
                    position = next(next_job, None)
                if position is None:
                    return
                kind, number = jobs[position]
                server = servers[position % len(servers)]
                if kind == "submit":
                    again = bool(double_tap) and number % double_tap == 0
                    got = _timed(
                        results,
                        "portal submit",
                        submit,
                        resident,
                        server,
                        estate,
                        number,
                        again=again,
                    )
                    if got is not None:
                        with results._lock:
                            results.receipts[number] = got["tokens"]
                else:
                    page = kinds[number % len(kinds)]
                    if staff is None:
                        results.record(page, 0.0, 0, f"{page}: not signed in")
                    else:
                        _timed(results, page, view, staff, server, page, details)
                with results._lock:
                    results.done += 1
                    reached_half = results.done == half
                if reached_half and at_half is not None:
                    at_half()
        finally:
            resident.close()
            if staff is not None:
                staff.close()

    pool = [threading.Thread(target=worker, args=(i,), name=f"load-{i}") for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    results.finished = time.monotonic()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", action="append", required=True, help="http://127.0.0.1:PORT, repeatable")
    parser.add_argument("--estate", required=True, help="the estate's portal code, e.g. CHHY")
    parser.add_argument("--submits", type=int, default=1000)
    parser.add_argument("--views", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    parser.add_argument(
        "--persona", action="append", help=f"staff user name (default {', '.join(DEFAULT_PERSONAS)})"
    )
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument(
        "--double-tap", type=int, default=20, help="send every Nth submission twice (0: never)"
    )
    parser.add_argument(
        "--proxied", action="store_true", help="send X-Forwarded-Proto: https (production mode)"
    )
    args = parser.parse_args(argv)
    results = run(
        args.server,
        estate=args.estate,
        submits=args.submits,
        views=args.views,
        threads=args.threads,
        max_seconds=args.max_seconds,
        personas=args.persona or DEFAULT_PERSONAS,
        password=args.password,
        double_tap=args.double_tap,
        proxied=args.proxied,
    )
    print(format_summary(results.summary()))
    for error in results.errors[:20]:
        print("  error:", error)
    return 1 if results.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
