#!/usr/bin/env python3
"""Set up EstateDesk in ./.venv and run it: the README's two commands.

    python3 quickstart.py demo [estatedesk demo options]   # e.g. --port 8001 --data-dir ./data
    python3 quickstart.py test [pytest options]            # the whole test suite, on 2 workers
    python3 quickstart.py install                          # only create/refresh .venv

Standard library only; works on Linux, macOS and Windows with Python 3.11+. The project is
(re)installed into .venv only when pyproject.toml changed since the last install.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".estatedesk-install-stamp"
WINDOWS = os.name == "nt"
BIN = VENV / ("Scripts" if WINDOWS else "bin")
PYTHON = BIN / ("python.exe" if WINDOWS else "python")
ESTATEDESK = BIN / ("estatedesk.exe" if WINDOWS else "estatedesk")
PYTEST_NO_TESTS = 5


def say(message: str) -> None:
    print(f"quickstart: {message}", flush=True)


def run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT)  # noqa: S603 - fixed commands on our own venv
    if result.returncode != 0:
        say(f"this step failed (exit code {result.returncode}): {' '.join(command)}")
        sys.exit(result.returncode)


def wanted_stamp() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def pip_is_old() -> bool:
    result = subprocess.run(  # noqa: S603
        [str(PYTHON), "-c", "import pip; print(pip.__version__.split('.')[0])"],
        capture_output=True,
        text=True,
    )
    try:
        return int(result.stdout.strip()) < 23
    except ValueError:
        return True


def ensure_installed() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must explain itself on an old Python
        say(f"EstateDesk needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
        sys.exit(1)
    if not PYTHON.exists():
        say(f"creating the virtual environment in {VENV}")
        run([sys.executable, "-m", "venv", str(VENV)])
    stamp = wanted_stamp()
    if ESTATEDESK.exists() and STAMP.exists() and STAMP.read_text(encoding="ascii").strip() == stamp:
        return
    say("installing EstateDesk and its test tools into .venv (first run, or pyproject.toml changed)")
    if pip_is_old():
        run([str(PYTHON), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    run([str(PYTHON), "-m", "pip", "install", "-q", "-e", ".[test]"])
    STAMP.write_text(stamp + "\n", encoding="ascii")


def workers(pytest_args: list[str]) -> list[str]:
    """Two test processes, each with its own database, unless the options choose otherwise
    (``-n 0`` for one process, ``--pdb`` to debug). docs/testing.md has the timings."""
    chosen = ("-n", "--numprocesses", "--dist", "--pdb", "--trace", "-pno:xdist")
    joined = [a + b if a == "-p" else a for a, b in zip(pytest_args, [*pytest_args[1:], ""], strict=False)]
    if any(arg.startswith(chosen) for arg in joined):
        return []
    return ["-n", "2"]


def launch(command: list[str]) -> int:
    if WINDOWS:
        # os.exec* on Windows starts a new process and returns to the shell at once; wait instead.
        try:
            return subprocess.run(command, cwd=ROOT).returncode  # noqa: S603
        except KeyboardInterrupt:
            return 130
    sys.stdout.flush()
    os.execv(command[0], command)  # noqa: S606 - hand the terminal (and Ctrl-C) to estatedesk
    return 0  # not reached


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "install"}:
        print(__doc__.strip())
        return 2
    action, rest = argv[0], argv[1:]
    ensure_installed()
    if action == "install":
        say("ready: .venv is up to date")
        return 0
    if action == "demo":
        return launch([str(ESTATEDESK), "demo", *rest])
    try:
        code = subprocess.run([str(PYTHON), "-m", "pytest", *workers(rest), *rest], cwd=ROOT).returncode  # noqa: S603
    except KeyboardInterrupt:
        return 130
    if code == PYTEST_NO_TESTS:
        say("pytest collected no tests; that counts as a failure here")
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
