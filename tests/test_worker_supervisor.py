"""``estatedesk demo`` / ``up`` keep their background worker alive (SPEC A-1, A-4).

A worker that dies is started again after a pause that doubles with each quick death in a
row (1, 2, 4 … 60 s) and starts over once a worker has run for a while; stopping the
server stops the worker and the watching, even in the middle of a pause.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from estatedesk.cli import RESTART_RESET_AFTER, WorkerSupervisor, restart_delay

pytestmark = pytest.mark.req("A-1")


def sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])  # noqa: S603


def quitter(code: int = 3) -> Callable[[], subprocess.Popen[bytes]]:
    return lambda: subprocess.Popen([sys.executable, "-c", f"import sys; sys.exit({code})"])  # noqa: S603


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


class Said(list[str]):
    def __call__(self, line: str) -> None:
        self.append(line)


@pytest.fixture
def supervisors() -> Iterator[list[WorkerSupervisor]]:
    made: list[WorkerSupervisor] = []
    yield made
    for supervisor in made:
        supervisor.stop(timeout=5)


def test_restart_pause_doubles_from_one_second_up_to_a_minute():
    assert [restart_delay(n) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert restart_delay(10_000) == 60


def test_a_killed_worker_is_started_again_and_stopping_stops_the_new_one(supervisors):
    said = Said()
    supervisor = WorkerSupervisor(sleeper, say=said, delay=lambda n: 0.05)
    supervisors.append(supervisor)
    supervisor.start()
    first = supervisor.child
    assert first is not None and first.poll() is None

    first.kill()
    wait_until(lambda: supervisor.restarts == 1)
    second = supervisor.child
    assert second is not None and second.pid != first.pid and second.poll() is None
    assert "stopped unexpectedly" in said[0] and f"exit code {first.returncode}" in said[0]
    assert said[1] == f"The background worker is running again (process {second.pid})."

    supervisor.stop(timeout=5)
    assert second.poll() is not None, "the restarted worker outlived the server"
    assert supervisor.restarts == 1


def test_quick_deaths_in_a_row_lengthen_the_pause_and_a_long_run_resets_it(supervisors):
    # Each child "runs" for the time between two readings of this clock: 1 s, 1 s, then long.
    readings = iter([0, 1, 1, 2, 2, 2 + RESTART_RESET_AFTER, 500, 501, *range(1000, 1100)])
    asked: list[int] = []

    def delay(failures: int) -> float:
        asked.append(failures)
        return 0.01

    said = Said()
    supervisor = WorkerSupervisor(quitter(3), say=said, delay=delay, clock=lambda: next(readings))
    supervisors.append(supervisor)
    supervisor.start()
    wait_until(lambda: supervisor.restarts >= 4)
    supervisor.stop(timeout=5)
    assert asked[:4] == [1, 2, 1, 2]
    assert (
        said[0]
        == "The background worker stopped unexpectedly (exit code 3) after 1 s; starting it again in 0.01 s."
    )


def test_stopping_during_the_pause_starts_no_new_worker(supervisors):
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        started.append(quitter(1)())
        return started[-1]

    said = Said()
    supervisor = WorkerSupervisor(start, say=said, delay=lambda n: 60.0)
    supervisors.append(supervisor)
    supervisor.start()
    wait_until(lambda: len(said) == 1)
    assert said[0].endswith("starting it again in 60 s.")

    began = time.monotonic()
    supervisor.stop(timeout=5)
    assert time.monotonic() - began < 5
    time.sleep(0.2)
    assert len(started) == 1 and supervisor.restarts == 0


def test_a_worker_stopped_by_ctrl_c_with_the_server_is_not_reported_or_restarted(supervisors):
    said = Said()
    supervisor = WorkerSupervisor(sleeper, say=said, delay=lambda n: 1.0)
    supervisors.append(supervisor)
    supervisor.start()
    child = supervisor.child
    assert child is not None
    # The terminal's Ctrl-C reaches the child a moment before the server begins to stop.
    child.terminate()
    stopper = threading.Timer(0.1, supervisor.stop)
    stopper.start()
    stopper.join()
    time.sleep(1.5)
    assert said == [] and supervisor.restarts == 0


def test_a_worker_that_cannot_be_started_is_tried_again(supervisors):
    calls: list[int] = []

    def start() -> subprocess.Popen[bytes]:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("Resource temporarily unavailable")
        return quitter(2)() if len(calls) == 1 else sleeper()

    said = Said()
    supervisor = WorkerSupervisor(start, say=said, delay=lambda n: 0.01)
    supervisors.append(supervisor)
    supervisor.start()
    wait_until(lambda: supervisor.restarts == 1)
    assert len(calls) == 3
    assert said[1].startswith("The background worker could not be started (Resource temporarily unavailable)")
