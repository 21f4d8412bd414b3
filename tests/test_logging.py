"""No full phone number and no private token in any log (SPEC D-3, W-1).

Searches carry phone numbers in their query strings, residents' status links carry their
token in the path, and outbox messages carry the link: each test reads what a log actually
received, from Django's handlers, from a real gunicorn's access log, from the console provider.
"""

from __future__ import annotations

import io
import logging
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.checks import Tags, run_checks
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from estatedesk import cli
from estatedesk.core.accesslog import redact_atoms
from estatedesk.core.redact import RedactingFilter, redact
from estatedesk.notifications.checks import no_console_providers_in_production
from estatedesk.notifications.models import Channel, Message
from estatedesk.notifications.providers import ConsoleProvider
from tests.clirun import clean_env, free_port, run_estatedesk

PHONE = "13912345678"
# Text captured from a URL that is no secret: ids and document numbers (staff and the API, behind
# sign-in), an estate's code (printed on its QR poster), a file format, a flowchart's name.
# step: a rectification item step; record_type: a record type's key ("complaints"), never personal.
PUBLIC_STR_PARAMETERS = {"id", "number", "code", "fmt", "name", "step", "record_type"}


# --- The redaction itself -----------------------------------------------------------------------


@pytest.mark.req("D-3")
@pytest.mark.parametrize(
    "spelling",
    [
        "13912345678",
        "+8613912345678",
        "+86 139-1234-5678",
        "008613912345678",
        "139 1234 5678",
        "%2B8613912345678",
    ],
)
def test_a_mobile_number_keeps_only_its_last_four_digits(spelling):
    line = f"caller {spelling} asked"
    assert redact(line) == "caller *******5678 asked"


@pytest.mark.req("D-3")
def test_query_values_are_masked_and_the_rest_of_the_line_kept():
    line = '127.0.0.1 - - "GET /complaints/?q=%E7%8E%8B%E5%B0%8F%E6%98%8E&estate=3&page=2 HTTP/1.1" 200 5120'
    assert redact(line) == '127.0.0.1 - - "GET /complaints/?q=*&estate=3&page=2 HTTP/1.1" 200 5120'
    # Document numbers, dates and durations are not phone numbers.
    untouched = "TS-2026-000123 replied 2026-03-01 12:00:00 in 1761234567890 µs"
    assert redact(untouched) == untouched


@pytest.mark.req("W-1")
def test_the_token_of_a_status_link_is_masked_wherever_it_appears():
    token = secrets.token_urlsafe(24)
    for path in (
        reverse("portal:status", args=[token]),
        reverse("portal:receipt", args=[token]),
        reverse("portal:photo", args=[token, 7]),
    ):
        cleaned = redact(f'"GET {path} HTTP/1.1" 200 "https://estatedesk.example.com{path}"')
        assert token not in cleaned and "/r/c/***/" in cleaned


@pytest.mark.req("W-1")
def test_every_url_that_captures_a_secret_is_masked():
    """A new private link must capture its secret as <token>; anything else captured as text is public."""

    def walk(patterns, prefix=""):
        for entry in patterns:
            name = (
                f"{prefix}{entry.namespace}:"
                if isinstance(entry, URLResolver) and entry.namespace
                else prefix
            )
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, name)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{name}{entry.name}", entry.pattern.converters

    checked = 0
    for name, converters in walk(get_resolver().url_patterns):
        text_parameters = {
            key for key, converter in converters.items() if type(converter).__name__ == "StringConverter"
        }
        unknown = {p for p in text_parameters - PUBLIC_STR_PARAMETERS - {"token"} if not p.endswith("_id")}
        assert not unknown, (name, unknown)
        if "token" in converters:
            secret = secrets.token_urlsafe(24)
            kwargs = {key: (secret if key == "token" else 1) for key in converters}
            assert secret not in redact(reverse(name, kwargs=kwargs)), name
            checked += 1
    assert checked >= 3  # status, receipt, photo


@pytest.mark.req("D-3")
def test_api_tokens_and_credentials_are_masked():
    line = "Authorization: Bearer edk_abcDEF123456 sent with edk_abcDEF123456"
    assert "abcDEF123456" not in redact(line)


# --- Django's loggers -----------------------------------------------------------------------------


@contextmanager
def handler_output(logger_name: str) -> Iterator[io.StringIO]:
    """What every stream handler a record of this logger reaches writes (its own, its parents')."""
    handlers: list[logging.StreamHandler] = []
    logger: logging.Logger | None = logging.getLogger(logger_name)
    while logger is not None:
        handlers += [h for h in logger.handlers if type(h) is logging.StreamHandler]
        logger = logger.parent if logger.propagate else None
    assert handlers, f"no stream handler for {logger_name}"
    buffer = io.StringIO()
    saved = [h.setStream(buffer) for h in handlers]
    try:
        yield buffer
    finally:
        for handler, stream in zip(handlers, saved, strict=True):
            handler.setStream(stream)


@pytest.mark.req("D-3")
def test_every_configured_handler_redacts():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact" in handler.get("filters", []), name
    for logger in (logging.getLogger(), logging.getLogger("django.server")):
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler:
                assert any(isinstance(f, RedactingFilter) for f in handler.filters)


@pytest.mark.req("D-3")
@pytest.mark.req("W-1")
def test_django_request_log_of_refused_requests_has_no_token_and_no_phone(client, db):
    token = secrets.token_urlsafe(24)
    with handler_output("django.request") as log:
        assert client.get(reverse("portal:status", args=[token])).status_code == 404
        client.get(f"/complaints/{PHONE}/")  # a number typed into the address bar
        logging.getLogger("django.request").warning("Bad request: %s?q=%s", "/api/complaints", PHONE)
    written = log.getvalue()
    assert "Not Found" in written and "/r/c/***/" in written  # the lines are there, cleaned
    assert token not in written and PHONE not in written


@pytest.mark.req("D-3")
def test_runserver_access_lines_are_redacted():
    token = secrets.token_urlsafe(24)
    with handler_output("django.server") as log:
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"GET /complaints/new/lookup/?q={PHONE} HTTP/1.1", "200", "512"
        )
        logging.getLogger("django.server").info('"%s" %s %s', f"GET /r/c/{token}/ HTTP/1.1", "200", "512")
    written = log.getvalue()
    assert "/complaints/new/lookup/?q=*" in written and "/r/c/***/" in written
    assert PHONE not in written and token not in written


@pytest.mark.req("D-3")
def test_a_traceback_is_redacted_too():
    record = logging.LogRecord("estatedesk", logging.ERROR, __file__, 1, "failed on %s", ("/r/c/x",), None)
    try:
        raise ValueError(f"no customer {PHONE}")
    except ValueError:
        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    assert PHONE not in logging.Formatter().format(record)


# --- gunicorn's access log, as `estatedesk serve` runs it -------------------------------------------


@pytest.mark.req("D-3")
def test_serve_runs_gunicorn_with_the_redacting_logger():
    argv = cli.gunicorn_argv(workers="1", bind="127.0.0.1:8000")
    assert argv[argv.index("--logger-class") + 1] == "estatedesk.core.accesslog.RedactingLogger"
    atoms = redact_atoms(
        {"q": f"q={PHONE}", "U": "/r/c/abcdefgh/", "{authorization}i": "Bearer edk_x", "b": "12"}
    )
    assert atoms == {"q": "q=*", "U": "/r/c/***/", "{authorization}i": "***", "b": "12"}


def _get(url: str, **headers: str) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
@pytest.mark.req("D-3")
@pytest.mark.req("W-1")
@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn does not run on Windows")
def test_gunicorn_access_log_has_no_phone_number_and_no_token(tmp_path):
    env = clean_env(ESTATEDESK_DATA_DIR=str(tmp_path / "data"))
    migrated = run_estatedesk("manage", "migrate", "--verbosity", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    token = secrets.token_urlsafe(24)
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            cli.gunicorn_argv(workers="1", bind=f"127.0.0.1:{port}"),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, log.read_text()
            try:
                if _get(f"{base}/health/live/") == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.25)
        _get(f"{base}/complaints/?q={PHONE}")
        _get(f"{base}/complaints/new/lookup/?q=%2B86{PHONE}")
        _get(f"{base}/api/complaints?q={PHONE}")
        _get(f"{base}/r/c/{token}/")
        _get(f"{base}/health/live/", Referer=f"{base}/r/c/{token}/?q={PHONE}")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
    written = log.read_text()
    # The requests were logged, cleaned: the path stays, the number and the token do not.
    assert '"GET /complaints/?q=* HTTP/1.1"' in written, written
    assert '"GET /api/complaints?q=* HTTP/1.1"' in written, written
    assert '"GET /r/c/***/ HTTP/1.1" 404' in written, written
    assert "Not Found: /r/c/***/" in written, written  # Django's own line, in the same output
    assert PHONE not in written and token not in written, written


# --- Messages written to the log -------------------------------------------------------------------


@pytest.mark.req("W-1")
@pytest.mark.req("D-3")
def test_the_console_provider_logs_no_private_link_and_no_full_number(caplog):
    token = secrets.token_urlsafe(24)
    message = Message(
        key="x",
        channel=Channel.SMS,
        address=PHONE,
        subject="TS-2026-000123",
        body=f"您的投诉已答复，如有疑问请致电{PHONE}。",
        link=reverse("portal:status", args=[token]),
    )
    with caplog.at_level(logging.INFO, logger="estatedesk.notifications"):
        ConsoleProvider().send(message)
    assert "TS-2026-000123" in caplog.text and "/r/c/***/" in caplog.text
    assert token not in caplog.text and PHONE not in caplog.text


def _errors() -> list[str]:
    return [m.id for m in no_console_providers_in_production() if m.is_serious()]


@pytest.mark.req("A-4")
def test_production_refuses_to_log_messages_instead_of_sending_them(settings):
    settings.PRODUCTION = True
    settings.ALLOW_CONSOLE_PROVIDERS = False
    settings.NOTIFICATION_PROVIDERS = {"email": "email", "sms": "console", "wechat": "console"}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert _errors() == ["notifications.E001"]
    assert "notifications.E001" in [m.id for m in run_checks(tags=[Tags.security])]
    settings.NOTIFICATION_PROVIDERS = {"email": "email", "sms": "mycompany.sms.Gateway", "wechat": "console"}
    assert _errors() == []  # WeChat is optional: the notices do not offer it (providers.delivers)
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert _errors() == ["notifications.E001"]  # mail printed, not sent
    settings.ALLOW_CONSOLE_PROVIDERS = True  # said to be meant
    assert _errors() == []
    settings.ALLOW_CONSOLE_PROVIDERS = False
    settings.PRODUCTION = False  # a laptop
    assert _errors() == []


@pytest.mark.slow
@pytest.mark.req("A-4")
@pytest.mark.skipif(sys.platform == "win32", reason="estatedesk serve does not run on Windows")
def test_serve_stops_before_starting_when_sms_would_only_be_logged(tmp_path):
    env = clean_env(
        ESTATEDESK_DATA_DIR=str(tmp_path),
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="estatedesk.example.com",
        BIND=f"127.0.0.1:{free_port()}",
    )
    result = run_estatedesk("serve", env=env, timeout=120)
    assert result.returncode == 2
    assert "notifications.E001" in result.stderr and "ESTATEDESK_ALLOW_CONSOLE_PROVIDERS" in result.stderr
    assert not (tmp_path / "static" / "staticfiles.json").exists()  # stopped before collectstatic
