"""A web process starts small (issue 18, decisions 0057 and 0063): the libraries that draw PDFs,
charts, workbooks, pictures and QR codes are imported by the code that uses them, when it runs, so
a process that serves lists and forms never holds them. The API (its routers and their pydantic
schemas) is imported by the first request under /api/ or the first reverse() of one of its names,
and Huey's queue backends that are not configured (redis, psycopg) are not imported at all. A
module-level import of one of them, anywhere on the start-up path, or a ``{% url 'api:…' %}`` in a
page, fails here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clirun import clean_env

HEAVY = (
    "weasyprint",  # PDFs
    "matplotlib",  # charts inside PDFs
    "numpy",
    "fontTools",
    "xlsxwriter",  # workbooks
    "openpyxl",  # reading workbooks (imports)
    "PIL",  # checking uploaded photos
    "segno",  # QR codes
    "nh3",  # cleaning rich text when it is saved
    "holidays",  # seeding the calendar
    "faker",  # demo data
    "redis",  # Huey's RedisHuey, not configured here (no REDIS_URL)
    "psycopg",  # Huey's PostgresHuey; Django's backend on PostgreSQL (not here: SQLite)
    "estatedesk.api",  # the API: its routers and their schemas, ≈ 28 MiB
    "estatedesk.complaints.api.complaints",
    "estatedesk.surveys.api.surveys",
)

SCRIPT = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
from estatedesk.wsgi import application
from django.test import Client
client = Client(HTTP_HOST="localhost")
pages = {path: client.get(path).status_code for path in ("/", "/accounts/login/")}
# A staff page: the menu of every signed-in page links to the API's documentation. Its tables
# made from the models (no migrations: their data steps seed the calendar with `holidays`).
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
call_command("migrate", run_syncdb=True, verbosity=0)
client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.com", "x" * 16))
staff = client.get("/complaints/")
pages["/complaints/"] = staff.status_code
pages["api docs linked"] = b'href="/api/docs"' in staff.content
# Every log line is redacted, which reads the private-link paths from the URLconf.
import logging
logging.getLogger("estatedesk").warning("a log line, redacted")
print(json.dumps({"pages": pages, "heavy": sorted(m for m in %r if m in sys.modules)}))
"""


@pytest.mark.req("A-1")
def test_a_freshly_started_process_has_not_imported_the_heavy_libraries(tmp_path: Path):
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT % (HEAVY,)],
        cwd=root,
        env=clean_env(
            DJANGO_SETTINGS_MODULE="estatedesk.settings",
            ESTATEDESK_DATA_DIR=str(tmp_path),
            PYTHONPATH=str(root),
        ),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # The requests really ran, and the staff page links to the API's documentation.
    assert found["pages"] == {"/": 302, "/accounts/login/": 200, "/complaints/": 200, "api docs linked": True}
    assert found["heavy"] == [], f"imported at start: {found['heavy']}; import them where they are used"


@pytest.mark.req("A-2")
def test_the_api_is_there_when_first_asked_for(client, world):
    """Loaded on use: its names reverse, its paths resolve, and the address the menu links to
    (computed without loading it) is the one reverse() gives."""
    from django.urls import resolve, reverse

    from estatedesk.core.lazy_urls import address_in
    from estatedesk.core.templatetags.api_links import api_docs_url

    assert address_in("api") == reverse("api:api-root") == "/api/"
    assert api_docs_url() == reverse("api:openapi-view")
    assert resolve("/api/docs").url_name == "openapi-view"
    response = client.get("/api/complaints", HTTP_ACCEPT="application/json")
    assert response.status_code == 401  # the API answered (not signed in), in its own format
    assert "detail" in response.json()


@pytest.mark.req("A-1")
def test_the_queue_libraries_huey_was_not_given_still_import_for_everyone_else():
    """Huey was imported without redis and psycopg (no REDIS_URL here); the names were put back,
    so Django's Redis cache or PostgreSQL backend still gets the real libraries."""
    import importlib
    import os

    import huey.storage

    if not os.environ.get("REDIS_URL"):
        assert huey.storage.Redis is None
    for name in ("redis", "psycopg"):
        assert importlib.import_module(name).__name__ == name


@pytest.mark.req("D-3")
def test_the_api_has_no_private_link_routes_for_the_redaction_to_miss():
    """``core.redact`` reads the private-link paths without loading the API (decision 0063), so
    it would miss a ``<token>`` route there: there must be none."""
    from django.urls import get_resolver, reverse

    from estatedesk.core import redact

    reverse("api:api-root")  # loaded now
    (api,) = [e for e in get_resolver().url_patterns if getattr(e, "namespace", None) == "api"]
    assert api.loaded
    assert list(redact._prefixes(api.url_patterns, "api/")) == []  # noqa: SLF001 - the walker itself
