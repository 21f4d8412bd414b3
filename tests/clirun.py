"""Helpers to run the real `estatedesk` command in a subprocess, isolated from the test settings."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

# Variables that settings read: a subprocess must not inherit the test run's values.
_SETTINGS_VARIABLES = (
    "DJANGO_SETTINGS_MODULE",
    "ESTATEDESK_DATA_DIR",
    "ESTATEDESK_MODE",
    "ESTATEDESK_ADMIN_USERNAME",
    "ESTATEDESK_ADMIN_PASSWORD",
    "DATABASE_URL",
    "REDIS_URL",
    "HUEY_IMMEDIATE",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "FIELD_ENCRYPTION_KEY",
    "FIELD_ENCRYPTION_KEY_FILE",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DEBUG",
    "WEB_CONCURRENCY",
    "BIND",
    "TRUSTED_PROXIES",
    "ESTATEDESK_ALLOW_CONSOLE_PROVIDERS",
)


def clean_env(**extra: str) -> dict[str, str]:
    # DJANGO_* too: e.g. browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rejects.
    env = {
        k: v for k, v in os.environ.items() if k not in _SETTINGS_VARIABLES and not k.startswith("DJANGO_")
    }
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def estatedesk_command() -> list[str]:
    """The installed console script when there is one (it is what users run), else the module."""
    script = Path(sys.executable).parent / ("estatedesk.exe" if os.name == "nt" else "estatedesk")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "estatedesk.cli"]


def run_estatedesk(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    stdin: int | None = subprocess.DEVNULL,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*estatedesk_command(), *args],
        env=clean_env() if env is None else env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
