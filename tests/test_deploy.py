"""Production mode: Django's deployment checks pass with nothing silenced, and gunicorn serves it."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.clirun import clean_env, estatedesk_command, free_port, run_estatedesk

pytestmark = pytest.mark.req("A-1")


def production_env(data_dir, **extra: str) -> dict[str, str]:
    extra.setdefault("TRUSTED_PROXIES", "127.0.0.1")  # the TLS proxy, on this host
    # No SMS gateway in the tests: say that messages written to the log are meant.
    extra.setdefault("ESTATEDESK_ALLOW_CONSOLE_PROVIDERS", "1")
    return clean_env(
        ESTATEDESK_MODE="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="estatedesk.example.com",
        DJANGO_SETTINGS_MODULE="estatedesk.settings",
        ESTATEDESK_DATA_DIR=str(data_dir),
        **extra,
    )


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_passes_check_deploy_with_nothing_silenced(tmp_path):
    result = check_deploy(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(0 silenced)" in result.stdout + result.stderr


def test_production_mode_passes_check_deploy_with_keys_from_files(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(secrets.token_urlsafe(60))
    env = production_env(tmp_path / "data", SECRET_KEY_FILE=str(secret_file))
    del env["SECRET_KEY"]
    result = check_deploy(env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_catches_debug_left_on_in_production(tmp_path):
    result = check_deploy(production_env(tmp_path, DEBUG="1"))
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_check_deploy_warns_when_no_proxy_is_trusted_behind_a_tls_proxy(tmp_path):
    # Every client would have the proxy's address: one wrong-password lock-out for everyone.
    result = check_deploy(production_env(tmp_path, TRUSTED_PROXIES=""))
    assert result.returncode != 0
    assert "estatedesk.W001" in result.stdout + result.stderr
    assert (
        check_deploy(production_env(tmp_path, TRUSTED_PROXIES="", BEHIND_TLS_PROXY="false")).returncode == 0
    )


# Production settings, imported in a process of their own; the pages need no database.
COOKIES = """
import json
import django
django.setup()
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import override_settings

# The hashed static files of production need collectstatic; the pages only link them.
plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=plain):
    client = Client(HTTP_HOST="estatedesk.example.com")
    csrf = client.get("/accounts/login/", secure=True).cookies
    language = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, secure=True)
    page = client.get("/accounts/login/", secure=True).content.decode()


def signed_in(request):
    request.session["estatedesk_seen"] = 1
    return HttpResponse()


# The session middleware as a sign-in leaves it; a database-free engine, same cookie settings.
with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"):
    request = RequestFactory().get("/", secure=True, HTTP_HOST="estatedesk.example.com")
    session = SessionMiddleware(signed_in)(request).cookies

print(json.dumps({
    "cookies": [c.output(header="") for c in (*csrf.values(), *language.cookies.values(), *session.values())],
    "english_page": '<html lang="en">' in page,
}))
"""


def test_production_cookies_are_host_only_secure_and_site_wide(tmp_path):
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", COOKIES],
        env=production_env(tmp_path),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    cookies = {c.strip().split("=", 1)[0]: c for c in answer["cookies"]}
    assert set(cookies) == {"__Host-csrftoken", "__Host-estatedesk_language", "__Host-sessionid"}
    for text in cookies.values():
        # What a "__Host-" cookie must be, or the browser drops it.
        assert "Secure" in text and "Path=/;" in text + ";" and "Domain" not in text, text
    assert "HttpOnly" in cookies["__Host-sessionid"]
    # And the renamed language cookie is the one read: the next page is in English.
    assert answer["english_page"]


def test_nothing_is_silenced():
    assert settings.SILENCED_SYSTEM_CHECKS == []


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), ""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn does not run on Windows")
@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="uses its own SQLite data folder; SQLite pass covers it"
)
def test_serve_runs_gunicorn_behind_a_tls_proxy(tmp_path):
    port = free_port()
    env = production_env(tmp_path, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    migrated = run_estatedesk("manage", "migrate", "--verbosity", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr

    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*estatedesk_command(), "serve"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    proxied = {"Host": "estatedesk.example.com", "X-Forwarded-Proto": "https"}
    try:
        # collectstatic compresses every static file before gunicorn starts: about a minute on a
        # quiet 2-core machine, and well over 90 s on a busy one, so the wait is generous.
        deadline = time.monotonic() + 240
        while True:
            assert process.poll() is None, log.read_text()
            try:
                status, _, _ = _get(f"{base}/health/live/", Host="estatedesk.example.com")
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.25)

        # No worker runs in this test: the monitor's probe says so, over plain HTTP too.
        status, _, _ = _get(f"{base}/health/", Host="estatedesk.example.com")
        assert status == 503

        # Plain HTTP is sent to HTTPS (the health probes above are the exceptions).
        status, headers, _ = _get(f"{base}/accounts/login/", Host="estatedesk.example.com")
        assert status == 301 and headers["Location"].startswith("https://estatedesk.example.com/")

        status, headers, page = _get(f"{base}/accounts/login/", **proxied)
        assert status == 200
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        assert "Secure" in headers["Set-Cookie"]
        assert headers["Set-Cookie"].startswith("__Host-csrftoken=")

        # collectstatic ran: hashed static files are served by whitenoise.
        static = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
        assert static, "the sign-in page links no static files"
        for path in static:
            assert _get(f"{base}{path}", **proxied)[0] == 200, path

        status, _, _ = _get(
            f"{base}/accounts/login/", Host="evil.example.net", **{"X-Forwarded-Proto": "https"}
        )
        assert status == 400
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()


# --- The PostgreSQL + Redis pass really uses them --------------------------------------


@pytest.mark.django_db
@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="DATABASE_URL not set (SQLite pass)")
def test_database_url_selects_postgresql():
    assert connection.vendor == "postgresql"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set")
def test_redis_url_puts_the_queue_on_redis():
    from huey import RedisHuey

    assert settings.HUEY["huey_class"] == "huey.RedisHuey"
    queue = RedisHuey(f"estatedesk-probe-{secrets.token_hex(4)}", url=settings.HUEY["url"])
    try:
        queue.storage.enqueue(b"ping")
        assert queue.storage.queue_size() == 1
        assert queue.storage.dequeue() == b"ping"
    finally:
        queue.storage.flush_all()


# --- The configuration table is complete ------------------------------------------------


def test_every_environment_variable_is_documented():
    root = Path(__file__).resolve().parent.parent
    read = set()
    for source in ("estatedesk/settings.py", "estatedesk/cli.py", "estatedesk/paths.py"):
        text = (root / source).read_text(encoding="utf-8")
        read |= set(re.findall(r'\benv(?:_bool)?\(\s*"([A-Z][A-Z0-9_]+)"', text))
        read |= set(re.findall(r'environ(?:\.get)?[\[(]\s*"([A-Z][A-Z0-9_]+)"', text))
        read |= set(re.findall(r'^ENV_VAR = "([A-Z][A-Z0-9_]+)"', text, re.M))
    assert "DATABASE_URL" in read and "ESTATEDESK_DATA_DIR" in read
    table = (root / "docs" / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", table, re.M))
    assert read - documented == set(), "add these to docs/configuration.md"
