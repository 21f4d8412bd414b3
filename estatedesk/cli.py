"""The ``estatedesk`` command: run the demo, run for real, serve in production, run workers,
back up and restore.

Every subcommand resolves the data folder the same way (``--data-dir``, else
``ESTATEDESK_DATA_DIR``, else ``~/.estatedesk``) and puts the answer into the environment
*before* Django settings are imported, because settings read the folder at import time
(the secret key, the field-encryption key and the SQLite files live there).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from estatedesk import paths

SETTINGS_MODULE = "estatedesk.settings"
IS_WINDOWS = sys.platform == "win32"


def resolve_data_dir(cli_value: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """``--data-dir`` wins, then ``ESTATEDESK_DATA_DIR``, then ``~/.estatedesk``."""
    environ = os.environ if environ is None else environ
    chosen = cli_value or environ.get(paths.ENV_VAR) or str(paths.DEFAULT_DIR)
    return Path(chosen).expanduser().resolve()


def use_data_dir(cli_value: str | None) -> Path:
    folder = resolve_data_dir(cli_value)
    os.environ[paths.ENV_VAR] = str(folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    return folder


def _setup_django() -> None:
    # lazy: Django is set up only once the data folder is chosen
    import django

    django.setup()


def _say(message: str = "") -> None:
    print(message, flush=True)


# --- Steps shared by demo and up -----------------------------------------------------


def _migrate() -> None:
    # lazy: Django is set up only once the data folder is chosen
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    # lazy: Django is set up only once the data folder is chosen
    from estatedesk.core.services import refresh_query_statistics

    refresh_query_statistics()


def _command_exists(name: str) -> bool:
    # lazy: Django is set up only once the data folder is chosen
    from django.core.management import get_commands

    return name in get_commands()


def _seed_demo() -> None:
    # lazy: Django is set up only once the data folder is chosen
    from django.core.management import call_command

    if not _command_exists("seed_demo"):
        _say("Note: the demo company cannot be loaded yet (no seed_demo command in this build).")
        return
    call_command("seed_demo")


def _demo_sign_ins() -> list[tuple[str, str, str]]:
    try:
        # lazy: Django is set up only once the data folder is chosen
        from estatedesk.org.demo import PERSONAS
    except ImportError:
        return []
    return [(str(u), str(r), str(p)) for u, r, p in PERSONAS]


def _has_superuser() -> bool:
    # lazy: Django is set up only once the data folder is chosen
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_superuser=True).exists()


def _production_checks_pass(command: str) -> bool:
    """Django's system checks with the deployment ones; errors are printed and stop the command.

    Web servers run no checks themselves: without this a production set-up that would log
    messages instead of sending them (notifications.E001) would start silently.
    """
    # lazy: Django is set up only once the data folder is chosen
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("check", deploy=True)
    except CommandError as exc:
        print(f"estatedesk {command}: {exc}", file=sys.stderr)
        return False
    return True


# --- Running the web server and the worker together -------------------------------------


def _start_worker_child(folder: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "estatedesk.cli", "worker", "--data-dir", str(folder), "--quiet"]
    return subprocess.Popen(command, env=os.environ.copy())  # noqa: S603 - our own interpreter and module


def _stop_child(child: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


# A dead worker is started again after a pause that doubles with each quick death in a row
# (1, 2, 4 … 60 s), so a worker that cannot start (a broken queue file, a database that is
# down) does not spin; one that ran for a while before dying starts over from the first pause.
RESTART_FIRST_DELAY = 1.0
RESTART_MAX_DELAY = 60.0
RESTART_RESET_AFTER = 300.0
# Ctrl-C in a terminal reaches the worker too: it exits while the server is stopping, which
# is no reason to say anything. This long is given to the stop to arrive first.
STOP_GRACE = 0.5


def restart_delay(
    failures: int, *, first: float = RESTART_FIRST_DELAY, cap: float = RESTART_MAX_DELAY
) -> float:
    """The pause before restarting a worker that died ``failures`` times in a row (1 and up)."""
    return min(cap, first * 2 ** min(max(failures, 1) - 1, 32))


class WorkerSupervisor:
    """Runs the worker child, and starts it again whenever it dies until ``stop()``.

    ``start`` makes a child; ``delay(failures)`` is the pause before a restart; ``clock``
    measures how long a child ran (a run of ``reset_after`` seconds or more resets the count).
    """

    def __init__(
        self,
        start: Callable[[], subprocess.Popen[bytes]],
        *,
        say: Callable[[str], None] = _say,
        delay: Callable[[int], float] = restart_delay,
        reset_after: float = RESTART_RESET_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._start = start
        self._say = say
        self._delay = delay
        self._reset_after = reset_after
        self._clock = clock
        self._lock = threading.Lock()  # a child is never started once stop() has begun
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.child: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def start(self) -> None:
        """Start the first child here (an error shows at once) and watch it from a thread."""
        self._launch()
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)
        self._thread.start()

    def _launch(self) -> subprocess.Popen[bytes] | None:
        """A new child, or None once stopping. Raises OSError when it cannot be started."""
        with self._lock:
            if self._stopping.is_set():
                return None
            self.child = None
            self.child = self._start()
            return self.child

    def _watch(self) -> None:
        failures = 0
        error = ""
        while True:
            started = self._clock()
            code = self.child.wait() if self.child is not None else None
            ran = self._clock() - started
            failures = 1 if ran >= self._reset_after else failures + 1
            pause = self._delay(failures)
            grace = min(STOP_GRACE, pause)
            if self._stopping.wait(grace):
                return
            if code is None:
                what = f"The background worker could not be started ({error})"
            else:
                what = f"The background worker stopped unexpectedly (exit code {code}) after {ran:.0f} s"
            self._say(f"{what}; starting it again in {pause:g} s.")
            if self._stopping.wait(pause - grace):
                return
            try:
                child = self._launch()
            except OSError as exc:
                error = str(exc)
                continue
            if child is None:
                return
            self.restarts += 1
            self._say(f"The background worker is running again (process {child.pid}).")

    def stop(self, timeout: float = 15.0) -> None:
        """Stop watching, then stop the child (SIGTERM, then SIGKILL after ``timeout``)."""
        with self._lock:
            self._stopping.set()
            child = self.child
        if child is not None:
            _stop_child(child, timeout)
        if self._thread is not None:
            self._thread.join(timeout=5)


def _serve_embedded(folder: Path, host: str, port: int, sign_ins: Sequence[tuple[str, str, str]]) -> int:
    """Waitress in this process, the Huey consumer in a child; stop both on Ctrl-C or SIGTERM."""
    # lazy: Django is set up only once the data folder is chosen
    from waitress import create_server

    # lazy: Django is set up only once the data folder is chosen
    from estatedesk.wsgi import application

    try:
        server = create_server(application, host=host, port=port, threads=8, ident="EstateDesk")
    except OSError as exc:
        print(
            f"Cannot listen on {host}:{port} ({exc.strerror}). Is EstateDesk already running? "
            f"Choose another port with --port.",
            file=sys.stderr,
        )
        return 1

    def on_terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # Install both explicitly: a shell starts background jobs with SIGINT ignored.
    signal.signal(signal.SIGTERM, on_terminate)
    signal.signal(signal.SIGINT, on_terminate)

    supervisor = WorkerSupervisor(lambda: _start_worker_child(folder))
    supervisor.start()

    shown_host = f"[{host}]" if ":" in host else host
    _say()
    _say(f"EstateDesk is running at http://{shown_host}:{port}/")
    _say(f"Data folder: {folder}")
    if sign_ins:
        _say("Sign in as (one per role):")
        width = max(len(u) for u, _, _ in sign_ins)
        for username, role, password in sign_ins:
            _say(f"  {username.ljust(width)}  {password}  ({role})")
    _say("Press Ctrl-C to stop the web server and the background worker.")
    _say()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        _say("Stopping the background worker…")
        supervisor.stop()
        _say("EstateDesk stopped.")
    return 0


# --- Subcommands ----------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    # The demo is plain HTTP on this machine; production settings (secure cookies) would break it.
    os.environ["ESTATEDESK_MODE"] = "demo"
    _setup_django()
    _say("Preparing the database…")
    _migrate()
    _say("Loading the demo company (first run only)…")
    _seed_demo()
    if args.no_serve:
        return 0
    return _serve_embedded(args.folder, args.host, args.port, _demo_sign_ins())


def cmd_up(args: argparse.Namespace) -> int:
    # lazy: Django is set up only once the data folder is chosen
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import CommandError

    _setup_django()
    if settings.PRODUCTION and not _production_checks_pass("up"):
        return 2
    _migrate()
    if settings.PRODUCTION:
        # Production settings serve hashed files from STATIC_ROOT (see docs/deployment.md, Windows).
        call_command("collectstatic", interactive=False, verbosity=0)
    if not _has_superuser():
        _say("No administrator yet: creating the first one.")
        try:
            call_command("createadmin", interactive=sys.stdin.isatty())
        except CommandError as exc:
            print(f"estatedesk up: {exc}", file=sys.stderr)
            return 1
    if args.no_serve:
        return 0
    return _serve_embedded(args.folder, args.host, args.port, [])


def gunicorn_argv(*, workers: str, bind: str) -> list[str]:
    """gunicorn as ``estatedesk serve`` runs it: its access log on standard output, redacted
    by our logger class (no phone number from a search, no private link; core/accesslog.py)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "estatedesk.wsgi:application",
        "--workers",
        workers,
        "--bind",
        bind,
        "--access-logfile",
        "-",
        "--logger-class",
        "estatedesk.core.accesslog.RedactingLogger",
    ]


def cmd_serve(args: argparse.Namespace) -> int:
    if IS_WINDOWS:
        print(
            "estatedesk serve uses gunicorn, which does not run on Windows.\n"
            "Use the embedded server instead: `estatedesk up`, or\n"
            "  waitress-serve --listen=0.0.0.0:8000 estatedesk.wsgi:application",
            file=sys.stderr,
        )
        return 2
    missing = [
        name
        for name, present in (
            (
                "SECRET_KEY (or SECRET_KEY_FILE)",
                bool(os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE")),
            ),
            ("ALLOWED_HOSTS", bool(os.environ.get("ALLOWED_HOSTS"))),
        )
        if not present
    ]
    if missing:
        print(
            "estatedesk serve runs in production mode and needs these environment variables: "
            + ", ".join(missing)
            + ". See docs/configuration.md.",
            file=sys.stderr,
        )
        return 2
    os.environ["ESTATEDESK_MODE"] = "production"
    # lazy: Django is set up only once the data folder is chosen
    from django.core.management import call_command

    _setup_django()
    if not _production_checks_pass("serve"):
        return 2
    call_command("collectstatic", interactive=False, verbosity=0)
    workers = os.environ.get("WEB_CONCURRENCY") or str(2 * (os.cpu_count() or 1) + 1)
    bind = os.environ.get("BIND", "0.0.0.0:8000")  # noqa: S104 - a server behind a proxy listens on all interfaces
    argv = gunicorn_argv(workers=workers, bind=bind)
    sys.stdout.flush()
    sys.stderr.flush()
    # Replace this process so the process manager's signals reach gunicorn's master directly.
    os.execv(sys.executable, argv)  # noqa: S606
    return 0  # not reached


def cmd_worker(args: argparse.Namespace) -> int:
    # lazy: Django is set up only once the data folder is chosen
    import logging

    # lazy: Django is set up only once the data folder is chosen
    from django.core.management import call_command

    _setup_django()
    # run_huey gives the "huey" logger its own handler; without this the root handler repeats every line.
    logging.getLogger("huey").propagate = False
    options: dict[str, Any] = {}
    if args.workers:
        options["workers"] = args.workers
    if args.no_periodic:
        options["periodic"] = False
    if args.quiet:
        options["verbose"] = False  # huey's --quiet: warnings and errors only
    call_command("run_huey", **options)
    return 0


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    value = float(n)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f} {unit}"


def _key_places() -> list[tuple[str, str]]:
    """Where this folder's two keys come from, as an administrator would find them."""
    # lazy: Django is set up only once the data folder is chosen
    from django.conf import settings

    places = []
    for name, variable, purpose in (
        (
            "field_key",
            "FIELD_ENCRYPTION_KEY",
            "encrypts customers' phone numbers: without it the phone numbers in the backup cannot be read",
        ),
        ("secret_key", "SECRET_KEY", "signs sessions: without it everyone has to sign in again"),
    ):
        if os.environ.get(variable):
            where = f"the {variable} environment variable"
        elif os.environ.get(f"{variable}_FILE"):
            where = os.environ[f"{variable}_FILE"]
        else:
            where = str(Path(settings.DATA_DIR) / name)
        places.append((where, purpose))
    return places


def cmd_backup(args: argparse.Namespace) -> int:
    # lazy: Django is set up only once the data folder is chosen
    from django.conf import settings

    _setup_django()
    # lazy: Django is set up only once the data folder is chosen
    from estatedesk.core import backup

    target = Path(args.file) if args.file else Path(settings.BACKUP_DIR) / backup.default_name()
    try:
        result = backup.write_backup(target)
    except (backup.BackupError, OSError) as exc:
        print(f"estatedesk backup: {exc}", file=sys.stderr)
        return 1
    manifest = result.manifest
    files = len(manifest["members"]) - 1
    rows = sum(manifest["row_counts"].values())
    _say(f"Backup written: {result.path}")
    _say(f"Size: {_size(result.size)} ({result.size} bytes); permissions 0600.")
    _say(
        f"Holds the {manifest['database']['vendor']} database ({len(manifest['row_counts'])} tables, "
        f"{rows} rows) and {files} uploaded and archived files, each with its SHA-256 in manifest.json."
    )
    _say()
    _say("WARNING: the keys are NOT in this backup. Keep a copy of them apart from it")
    _say("(not next to the backup file, not on the same disk):")
    for where, purpose in _key_places():
        _say(f"  {where}  - {purpose}")
    _say("A restore needs the same field key, or every phone number in it reads as blank.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    _setup_django()
    # lazy: Django is set up only once the data folder is chosen
    from estatedesk.core import backup, restore

    source = Path(args.file).expanduser()
    _say(f"Checking {source}…")
    try:
        outcome = restore.restore(source, force=args.force)
    except restore.RestoreRefused as exc:
        print("estatedesk restore: refused; nothing was changed.", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        if any("already holds" in p for p in exc.problems):
            print(
                f"Restore into an empty folder (--data-dir), or add --force to replace what {args.folder} holds.",
                file=sys.stderr,
            )
        return 1
    except (backup.BackupError, OSError) as exc:
        print(f"estatedesk restore: {exc}", file=sys.stderr)
        return 1
    manifest = outcome.manifest
    for item in outcome.replaced:
        _say(f"Replaced {item}.")
    _say(
        f"Restored the {manifest['database']['vendor']} database and {outcome.files} files "
        f"from the backup of {manifest['created_at']} (EstateDesk {manifest.get('estatedesk_version')})."
    )
    if outcome.migrated:
        _say(f"The backup was from an older version: applied {len(outcome.migrated)} migrations.")
    _say()
    _say("Rows per table (backup / restored):")
    shown = [row for row in outcome.counts if row.expected or row.actual or not row.equal]
    width = max((len(row.table) for row in shown), default=10)
    for row in shown:
        mark = "" if row.equal else "   <- differs"
        _say(
            f"  {row.table.ljust(width)}  {row.expected if row.expected is not None else '-':>9}  "
            f"{row.actual if row.actual is not None else '-':>9}{mark}"
        )
    differ = [row for row in outcome.counts if not row.equal]
    if differ:
        _say(f"{len(differ)} of {len(outcome.counts)} tables differ from the backup's manifest.")
    else:
        _say(f"All {len(outcome.counts)} tables hold as many rows as the backup's manifest says.")
    _say()
    if outcome.key_matches:
        _say(
            "The field key of this folder is the one the backup was made with: phone numbers read as before."
        )
    else:
        _say("PUT THE KEYS BACK before starting EstateDesk: the field key of this folder is NOT the one")
        _say("the backup was made with. Copy the keys you kept apart from the backup over these:")
        for where, purpose in _key_places():
            _say(f"  {where}  - {purpose}")
        _say(
            "Without the same field key every phone number reads as blank and no search by phone finds anyone."
        )
    _say(f"Then start EstateDesk on {args.folder}.")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    # lazy: Django is set up only once the data folder is chosen
    from django.core.management import execute_from_command_line

    execute_from_command_line(["estatedesk manage", *args.rest])
    return 0


# --- Argument parsing -----------------------------------------------------------------


def _extract_data_dir(rest: list[str]) -> tuple[str | None, list[str]]:
    """Let ``--data-dir`` appear anywhere after ``estatedesk manage``; Django never sees it."""
    value: str | None = None
    kept: list[str] = []
    items = iter(rest)
    for item in items:
        if item == "--data-dir":
            value = next(items, None)
        elif item.startswith("--data-dir="):
            value = item.split("=", 1)[1]
        else:
            kept.append(item)
    return value, kept


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="FOLDER",
        help=f"where the database, keys and uploads live (default: ${paths.ENV_VAR}, else ~/.estatedesk)",
    )

    parser = argparse.ArgumentParser(
        prog="estatedesk",
        description="EstateDesk: customer communication and satisfaction for property-management companies.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def embedded(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        p.add_argument("--no-serve", action="store_true", help=argparse.SUPPRESS)
        return p

    embedded("demo", "Load the demo company and run the web server and the worker.").set_defaults(
        func=cmd_demo
    )
    embedded(
        "up", "Run EstateDesk for real use (creates the first administrator on first run)."
    ).set_defaults(func=cmd_up)
    sub.add_parser(
        "serve",
        parents=[common],
        help="Production web server (gunicorn); reads SECRET_KEY, ALLOWED_HOSTS, BIND, WEB_CONCURRENCY.",
    ).set_defaults(func=cmd_serve)
    worker = sub.add_parser("worker", parents=[common], help="Run the background worker (Huey consumer).")
    worker.add_argument("--workers", "-w", type=int, help="worker threads (default from settings)")
    worker.add_argument(
        "--no-periodic",
        action="store_true",
        help="do not schedule periodic jobs here (run the scheduler on one worker only)",
    )
    worker.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    worker.set_defaults(func=cmd_worker)
    backup = sub.add_parser(
        "backup",
        parents=[common],
        help="Write one backup file: the database, uploaded files and archives, a manifest (not the keys).",
    )
    backup.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="where to write it (default: BACKUP_DIR/estatedesk-DATE-TIME.zip)",
    )
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser(
        "restore",
        parents=[common],
        help="Put a backup back into an empty data folder (stop EstateDesk on that folder first).",
    )
    restore.add_argument("file", metavar="FILE", help="the backup file")
    restore.add_argument(
        "--force", action="store_true", help="replace the database and files the folder already holds"
    )
    restore.set_defaults(func=cmd_restore)
    manage = sub.add_parser(
        "manage",
        parents=[common],
        help="Run a Django management command, e.g. `estatedesk manage createsuperuser`.",
    )
    manage.add_argument("rest", nargs=argparse.REMAINDER, help="the command and its arguments")
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # Role names are Chinese; a console in a legacy code page must not crash the command.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    if args.command == "manage":
        value, args.rest = _extract_data_dir(args.rest)
        args.data_dir = value or args.data_dir
        if not args.rest:
            args.rest = ["help"]
    args.folder = use_data_dir(args.data_dir)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:  # Ctrl-C before the server was up (during migrate or seeding)
        print("Interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
