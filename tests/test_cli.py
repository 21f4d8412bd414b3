"""The `estatedesk` command: one data folder for every subcommand, first-run setup, the demo."""

from __future__ import annotations

import importlib.util
import io
import os
import signal
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from estatedesk import cli, paths
from tests.clirun import clean_env, estatedesk_command, free_port, run_estatedesk

pytestmark = pytest.mark.req("A-1")

HAS_SEED_DEMO = importlib.util.find_spec("estatedesk.demo.management.commands.seed_demo") is not None
needs_seed_demo = pytest.mark.skipif(not HAS_SEED_DEMO, reason="seed_demo management command not written yet")
SHELL = ["manage", "shell", "--no-imports", "-c"]


# --- Which data folder ---------------------------------------------------------------


def test_data_dir_option_wins_over_environment_and_default(tmp_path):
    env = {paths.ENV_VAR: str(tmp_path / "from-env")}
    assert cli.resolve_data_dir(str(tmp_path / "from-option"), env) == tmp_path / "from-option"
    assert cli.resolve_data_dir(None, env) == tmp_path / "from-env"
    assert cli.resolve_data_dir(None, {}) == paths.DEFAULT_DIR.resolve()
    assert Path.home() / ".estatedesk" == paths.DEFAULT_DIR


def test_data_dir_may_follow_the_django_command_after_manage():
    assert cli._extract_data_dir(["check", "--data-dir", "/x", "--deploy"]) == ("/x", ["check", "--deploy"])
    assert cli._extract_data_dir(["--data-dir=/y", "migrate"]) == ("/y", ["migrate"])
    assert cli._extract_data_dir(["showmigrations"]) == (None, ["showmigrations"])


def test_every_subcommand_accepts_data_dir():
    parser = cli.build_parser()
    for command in ("demo", "up", "serve", "worker", "manage"):
        args = parser.parse_args([command, "--data-dir", "/somewhere"])
        assert args.data_dir == "/somewhere", command


@pytest.mark.slow
def test_manage_check_creates_private_keys_in_the_data_folder(tmp_path):
    folder = tmp_path / "data"
    result = run_estatedesk("manage", "check", "--data-dir", str(folder))
    assert result.returncode == 0, result.stderr
    for name in ("secret_key", "field_key"):
        key = folder / name
        assert key.read_text().strip()
        if os.name != "nt":
            assert stat.S_IMODE(key.stat().st_mode) == 0o600, name
    secret = (folder / "secret_key").read_text()
    # A second command in the same folder reuses the keys rather than replacing them.
    env = clean_env(**{paths.ENV_VAR: str(folder)})
    assert run_estatedesk("manage", "check", env=env).returncode == 0
    assert (folder / "secret_key").read_text() == secret


# --- estatedesk up: the first administrator --------------------------------------------


@pytest.mark.slow
def test_up_creates_the_first_administrator_from_the_environment(tmp_path):
    env = clean_env(ESTATEDESK_ADMIN_USERNAME="boss", ESTATEDESK_ADMIN_PASSWORD="Lantern-Orchard-92")
    result = run_estatedesk("up", "--no-serve", "--data-dir", str(tmp_path), env=env)
    assert result.returncode == 0, result.stderr
    assert "Administrator 'boss' created" in result.stdout

    # `estatedesk manage` acts on the same database that `up` prepared.
    probe = (
        "from django.contrib.auth.models import User; u = User.objects.get(username='boss'); "
        "print(u.is_superuser, u.is_staff, u.staff.role, u.check_password('Lantern-Orchard-92'))"
    )
    shown = run_estatedesk(*SHELL, probe, "--data-dir", str(tmp_path))
    assert shown.stdout.split() == ["True", "True", "admin", "True"], shown.stderr

    again = run_estatedesk("up", "--no-serve", "--data-dir", str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert "No administrator yet" not in again.stdout


@pytest.mark.slow
def test_up_without_a_terminal_or_variables_says_what_to_set(tmp_path):
    result = run_estatedesk("up", "--no-serve", "--data-dir", str(tmp_path))
    assert result.returncode == 1
    assert "ESTATEDESK_ADMIN_USERNAME" in result.stderr
    assert "ESTATEDESK_ADMIN_PASSWORD" in result.stderr


@pytest.mark.django_db
def test_createadmin_makes_a_superuser_with_the_admin_role(monkeypatch):
    monkeypatch.setenv("ESTATEDESK_ADMIN_USERNAME", "root_admin")
    monkeypatch.setenv("ESTATEDESK_ADMIN_PASSWORD", "Quiet-Harbour-Lamp-7")
    out = io.StringIO()
    call_command("createadmin", interactive=False, stdout=out)
    assert "root_admin" in out.getvalue()
    user = get_user_model().objects.get(username="root_admin")
    assert user.is_superuser and user.is_staff
    assert user.staff.role == "admin"


@pytest.mark.django_db
def test_createadmin_refuses_a_weak_password_and_keeps_nothing(monkeypatch):
    monkeypatch.setenv("ESTATEDESK_ADMIN_USERNAME", "root_admin")
    monkeypatch.setenv("ESTATEDESK_ADMIN_PASSWORD", "12345")
    with pytest.raises(CommandError):
        call_command("createadmin", interactive=False)
    assert not get_user_model().objects.filter(username="root_admin").exists()


@pytest.mark.django_db
def test_createadmin_without_input_or_variables_fails_clearly(monkeypatch):
    monkeypatch.delenv("ESTATEDESK_ADMIN_USERNAME", raising=False)
    monkeypatch.delenv("ESTATEDESK_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="ESTATEDESK_ADMIN_PASSWORD"):
        call_command("createadmin", interactive=False)


# --- estatedesk demo -------------------------------------------------------------------


@pytest.mark.slow
@needs_seed_demo
def test_demo_setup_runs_twice_without_duplicating(tmp_path):
    first = run_estatedesk("demo", "--no-serve", "--data-dir", str(tmp_path))
    assert first.returncode == 0, first.stderr
    count = "from django.contrib.auth.models import User; print(User.objects.count())"
    users = run_estatedesk(*SHELL, count, "--data-dir", str(tmp_path)).stdout.strip()
    assert int(users) > 0

    second = run_estatedesk("demo", "--no-serve", "--data-dir", str(tmp_path))
    assert second.returncode == 0, second.stderr
    assert run_estatedesk(*SHELL, count, "--data-dir", str(tmp_path)).stdout.strip() == users


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for_sign_in_page(url: str, process: subprocess.Popen, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        assert process.poll() is None, "estatedesk demo exited early"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return time.monotonic() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"{url} did not answer 200 within {timeout} s")


def _start_demo(tmp_path: Path, port: int, log_name: str) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / log_name
    with log.open("w") as out:
        process = subprocess.Popen(
            [*estatedesk_command(), "demo", "--port", str(port), "--data-dir", str(tmp_path / "data")],
            env=clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return process, log


def _stop(process: subprocess.Popen, how: int) -> list[int]:
    workers = _children(process.pid)
    process.send_signal(how)
    try:
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    return workers


@pytest.mark.slow
@needs_seed_demo
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads child processes from /proc")
@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the embedded demo runs on SQLite; SQLite pass covers it"
)
def test_demo_serves_sign_in_page_with_a_worker_and_stops_cleanly(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/accounts/login/"

    process, log = _start_demo(tmp_path, port, "first.log")
    try:
        first = _wait_for_sign_in_page(url, process, timeout=120)
        workers = _children(process.pid)
        assert len(workers) == 1 and _alive(workers[0]), "the Huey worker child is not running"
        assert "estatedesk.cli" in Path(f"/proc/{workers[0]}/cmdline").read_text().replace("\0", " ")

        # A worker that dies is started again, and the console says so.
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not [pid for pid in _children(process.pid) if pid != workers[0] and _alive(pid)]:
            assert time.monotonic() < deadline, "the killed worker was not started again"
            time.sleep(0.1)
        assert "stopped unexpectedly (exit code -9)" in log.read_text()
    finally:
        workers = _stop(process, signal.SIGINT)
    for pid in workers:
        assert not _alive(pid), "Ctrl-C left the worker running"
    output = log.read_text()
    assert f"http://127.0.0.1:{port}/" in output
    from estatedesk.org.demo import PERSONAS

    for username, _role, password in PERSONAS:
        assert username in output and password in output

    # Running again reuses the data and is quick; SIGTERM stops it as cleanly as Ctrl-C.
    process, log = _start_demo(tmp_path, port, "second.log")
    try:
        second = _wait_for_sign_in_page(url, process, timeout=60)
    finally:
        workers = _stop(process, signal.SIGTERM)
    for pid in workers:
        assert not _alive(pid), "SIGTERM left the worker running"
    print(f"\nestatedesk demo: sign-in page after {first:.1f} s (first run), {second:.1f} s (second run)")
    assert first < 90
    assert second < 15


# --- estatedesk serve refuses to start half-configured ----------------------------------


def test_serve_requires_secret_key_and_allowed_hosts(tmp_path):
    result = run_estatedesk("serve", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr and "ALLOWED_HOSTS" in result.stderr


def test_serve_on_windows_points_to_waitress(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "IS_WINDOWS", True)
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path))
    assert cli.main(["serve"]) == 2
    assert "waitress" in capsys.readouterr().err
