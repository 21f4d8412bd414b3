"""Several web servers and workers on one PostgreSQL and one Redis (issue 18, docs/deployment.md):
two gunicorn servers and two Huey workers on this machine's loopback, a bounded load on both
servers, one worker killed (SIGKILL) halfway through a mass mailing.

It checks what a company running more than one machine relies on: every portal submission
became exactly one complaint (a double tap gives the same receipt), every outbox message went
out and none twice (but the one case delivery.py documents: a worker killed after the gateway
took a message and before the row said so), no request failed, and the nightly jobs, given to
both workers at once, did their work once. The figures are printed; docs/benchmarks.md has a run's.

Runs in .ci/run's PostgreSQL pass only (a PostgreSQL DATABASE_URL and a REDIS_URL); it makes its
own database (``<name>_cluster_<xdist worker>``) and uses the Redis database after REDIS_URL's
(before it for 15), so the other xdist worker's tests are not disturbed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pytest

from bench import cluster_load
from estatedesk.cli import gunicorn_argv
from tests.cluster import probe, sink

ROOT = Path(__file__).resolve().parents[2]
# The sizes of the load. The figure is 1,000 submissions and 5,000 page views: on a
# 2-core machine that is 6,000 jobs at about 10 a second, ten minutes, more than CI can give
# one test; the test sends a tenth of it (about a minute of load) and bench/cluster_load.py,
# whose defaults are the issue's, sends the whole by hand (docs/benchmarks.md).
SUBMITS = 100
VIEWS = 500
THREADS = 6
LOAD_SECONDS = 600.0  # a guard against a hang, not a time limit (no figure here is asserted)
NIGHTLY_COPIES = 4  # each nightly job queued this many times at once, over both workers
ZONE = ZoneInfo("Asia/Shanghai")

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="gunicorn does not run on Windows"),
    pytest.mark.skipif(
        not (DATABASE_URL.startswith(("postgres://", "postgresql://")) and REDIS_URL),
        reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): .ci/run's PostgreSQL pass",
    ),
    pytest.mark.slow,
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cluster_database_url(worker_id: str) -> tuple[str, str]:
    parts = urlsplit(DATABASE_URL)
    name = f"{parts.path.lstrip('/')}_cluster_{worker_id}"
    return name, urlunsplit(parts._replace(path=f"/{name}"))


def cluster_redis_url() -> str:
    parts = urlsplit(REDIS_URL)
    number = int(parts.path.lstrip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{number + 1 if number < 15 else number - 1}"))


def _admin_sql(*statements: str) -> None:
    import psycopg

    parts = urlsplit(DATABASE_URL)
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        for statement in statements:
            connection.execute(statement)


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


class Cluster:
    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.servers: list[str] = []

    def python(self, *args: str, timeout: float = 180) -> str:
        done = subprocess.run(
            [sys.executable, *args],
            env=self.env,
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        return done.stdout

    def probe(self, *args: str) -> dict[str, Any]:
        out = self.python("-m", "tests.cluster.probe", *args, timeout=60)
        return dict(json.loads(out.strip().splitlines()[-1]))

    def queue_length(self) -> int:
        import redis

        # RedisHuey's queue of the huey named "estatedesk" (settings.HUEY).
        return int(redis.Redis.from_url(self.env["REDIS_URL"]).llen("huey.redis.estatedesk"))

    def unsent(self) -> int:
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"]) as connection:
            row = connection.execute(
                "SELECT count(*) FROM notifications_message WHERE channel <> 'in_app' AND status <> 'sent'"
            ).fetchone()
        return int(row[0]) if row else 0

    def start(self, name: str, argv: list[str]) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            argv, env=self.env, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def kill(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(10)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)

    def wait_until_up(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        for server in self.servers:
            while True:
                for name, process in self.processes.items():
                    assert process.poll() is None, f"{name} stopped:\n{self.log(name)[-3000:]}"
                try:
                    with urllib.request.urlopen(f"{server}/health/live/", timeout=5) as response:  # noqa: S310
                        if response.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                assert time.monotonic() < deadline, f"{server} did not start"
                time.sleep(0.25)


@pytest.fixture
def cluster(tmp_path: Path, worker_id: str) -> Iterator[Cluster]:
    name, database_url = cluster_database_url(worker_id)
    redis_url = cluster_redis_url()
    data = tmp_path / "data"  # one data folder: the shared storage of docs/deployment.md
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "ESTATEDESK_", "PORTAL_RATE_", "HUEY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="estatedesk.settings",
        PYTHONPATH=str(ROOT),
        ESTATEDESK_DATA_DIR=str(data),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY="cluster-test-secret-key-shared-by-every-process-0123456789",
        TIME_ZONE="Asia/Shanghai",
        # Every outbox message is handed to the file sink (one line per hand-over).
        ESTATEDESK_EMAIL_PROVIDER="tests.cluster.sink.FileSink",
        ESTATEDESK_SMS_PROVIDER="tests.cluster.sink.FileSink",
        ESTATEDESK_WECHAT_PROVIDER="tests.cluster.sink.FileSink",
        # All the load comes from 127.0.0.1: the portal's per-address limits would refuse all
        # but 5 submissions (bench/cluster_load.py), and the test expects no refusal at all.
        PORTAL_RATE_SUBMIT_IP="100000/1h",
        PORTAL_RATE_SUBMIT_ESTATE="100000/1h",
        PORTAL_RATE_LOOKUP_IP="100000/1h",
        # Two gunicorn masters on one host would share gunicorn's control socket in $HOME.
        GUNICORN_CMD_ARGS="--no-control-socket",
    )
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    _flush_redis(redis_url)
    made = Cluster(tmp_path, env)
    try:
        yield made
    finally:
        made.stop_all()
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _flush_redis(redis_url)


def _deliveries(folder: Path) -> list[tuple[int, int, int]]:
    """(message id, attempt, process id) of each hand-over to the sink."""
    path = folder / "data" / sink.SINK_FILE
    lines = path.read_text().splitlines() if path.exists() else []
    return [(int(m), int(a), int(pid)) for m, a, _channel, pid in (line.split("\t") for line in lines)]


def _executed(log: str) -> Counter[str]:
    return Counter(job for job in probe.NIGHTLY for line in log.splitlines() if f"Executing {job}:" in line)


@pytest.mark.req("W-1")
@pytest.mark.req("K-1")
@pytest.mark.req("A-1")
@pytest.mark.req("A-4")
@pytest.mark.req("K-12")
@pytest.mark.req("D-2")
def test_two_servers_and_two_workers_lose_and_double_nothing(cluster: Cluster) -> None:
    began = time.monotonic()
    cluster.python("-m", "estatedesk.cli", "manage", "migrate", "--verbosity", "0")
    cluster.python("-m", "estatedesk.cli", "manage", "seed_demo", "--history", "skip")
    prepared = time.monotonic()

    for n in (1, 2):
        port = free_port()
        cluster.servers.append(f"http://127.0.0.1:{port}")
        cluster.start(f"web-{n}", gunicorn_argv(workers="2", bind=f"127.0.0.1:{port}"))
    # The scheduler runs on one worker (docs/deployment.md); the other is the one killed.
    cluster.start("worker-1", [sys.executable, "-m", "estatedesk.cli", "worker"])
    cluster.start("worker-2", [sys.executable, "-m", "estatedesk.cli", "worker", "--no-periodic"])
    cluster.wait_until_up()
    started = time.monotonic()

    # The nightly jobs, each given to both workers at the same moment (several copies queued at
    # once, taken by the four consumer threads of the two workers).
    cluster.probe("nightly", str(NIGHTLY_COPIES))

    halfway: dict[str, Any] = {}

    def at_half() -> None:
        # Halfway: a notice to the whole estate by SMS (a mass mailing in chunks), and while
        # both workers send it, one of them is killed.
        def publish_and_kill() -> None:
            halfway.update(cluster.probe("publish"))
            time.sleep(0.5)
            halfway["killed_pid"] = cluster.processes["worker-2"].pid
            cluster.kill("worker-2")
            halfway["killed_at"] = time.monotonic() - started
            halfway["killed_epoch"] = time.time()

        thread = threading.Thread(target=publish_and_kill)
        halfway["thread"] = thread
        thread.start()

    results = cluster_load.run(
        cluster.servers,
        estate=probe.ESTATE,
        submits=SUBMITS,
        views=VIEWS,
        threads=THREADS,
        max_seconds=LOAD_SECONDS,
        at_half=at_half,
    )
    assert "thread" in halfway, "the load never reached its middle"
    halfway["thread"].join(120)
    assert "killed_pid" in halfway, "the worker was not killed halfway"
    loaded = time.monotonic()

    # Drain with the remaining worker: what the dead one held in hand is taken up again (rows it
    # had claimed once their lease has run out; rows whose task died with it by the retry pass).
    deadline = time.monotonic() + 120
    while cluster.queue_length():
        assert time.monotonic() < deadline, "the queue did not drain"
        time.sleep(0.5)
    leases = cluster.probe("run-out-leases", str(halfway["killed_epoch"]))
    while cluster.queue_length() or cluster.unsent():
        assert time.monotonic() < deadline, f"the outbox did not drain: {cluster.unsent()} unsent"
        if not cluster.queue_length():
            cluster.probe("retries")
        time.sleep(0.5)
    drained = time.monotonic()
    state = cluster.probe("state")

    summary = results.summary()
    deliveries = _deliveries(cluster.folder)
    per_message = Counter(message for message, _attempt, _pid in deliveries)
    twice = sorted(m for m, n in per_message.items() if n > 1)
    by_worker = {n: _executed(cluster.log(n)) for n in ("worker-1", "worker-2")}
    print()
    print(cluster_load.format_summary(summary))
    print(
        f"setup {prepared - began:.0f} s (migrate, demo company), servers and workers up in "
        f"{started - prepared:.0f} s, load {loaded - started:.0f} s, drain {drained - loaded:.0f} s; "
        f"worker-2 killed at {halfway['killed_at']:.0f} s into the load, during notice {halfway['notice']} "
        f"({halfway['sms']} SMS); it had handed {sum(1 for *_, pid in deliveries if pid == halfway['killed_pid'])} "
        f"to the gateway; {len(leases['sending'])} rows were left in its hands; {len(twice)} sent twice; "
        f"nightly jobs run by worker-1 {dict(by_worker['worker-1'])}, by worker-2 {dict(by_worker['worker-2'])}"
    )

    # No request failed: every page answered 200 and every submission got its receipt.
    assert results.errors == [], results.errors[:10]
    assert results.done == results.planned, "the load did not finish within its bound"

    # Every submission is exactly one complaint, and a double tap gave the same receipt.
    assert len(results.receipts) == SUBMITS
    assert all(len(set(tokens)) == 1 for tokens in results.receipts.values())
    assert sum(len(tokens) == 2 for tokens in results.receipts.values()) == SUBMITS // 20
    assert state["complaints"] == SUBMITS
    width = len(cluster_load.MARKER.format(0))
    assert sorted(d[:width] for d in state["descriptions"]) == [
        cluster_load.MARKER.format(n) for n in range(SUBMITS)
    ]
    assert len(set(state["numbers"])) == SUBMITS
    assert set(state["tokens"]) == {tokens[0] for tokens in results.receipts.values()}

    # Every outbox message went out, and the gateway got each once, except a message the killed
    # worker had handed over but not yet marked sent (delivery.py: at least once, never lost).
    outbox = dict(state["outbox_ids"])
    assert halfway["sms"] > 0 and len(outbox) >= halfway["sms"]
    assert set(outbox.values()) == {"sent"}
    assert set(per_message) == set(outbox)
    for message in twice:
        first_pid = min((attempt, pid) for m, attempt, pid in deliveries if m == message)[1]
        assert message in leases["sending"] and first_pid == halfway["killed_pid"], message
        assert per_message[message] == 2
    assert len(twice) <= 2  # the killed worker's two consumer threads

    # The nightly jobs did their work once: one "drafted" event per report, one scheduled disposal
    # run this month (none before 03:00 on the 1st, company time), although both workers ran them.
    assert state["drafted_events"] and set(state["drafted_events"]) == {1}
    local = datetime.now(UTC).astimezone(ZONE)
    assert state["scheduled_disposal_runs"] == (0 if local.day == 1 and local.hour < 3 else 1)
    # Both workers took some (the scheduler on worker-1 may have queued one more on the hour).
    assert all(sum(by_worker[n].values()) > 0 for n in by_worker), by_worker
    assert sum(sum(c.values()) for c in by_worker.values()) >= NIGHTLY_COPIES * len(probe.NIGHTLY)
