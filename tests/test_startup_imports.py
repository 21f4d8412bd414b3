"""A web process starts small (issue 18, decision 0057): the libraries that draw PDFs, charts,
workbooks, pictures and QR codes are imported by the code that uses them, when it runs, so a
process that serves lists and forms never holds them. A module-level import of one of them,
anywhere on the start-up path, fails here."""

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
    assert found["pages"] == {"/": 302, "/accounts/login/": 200}  # the requests really ran
    assert found["heavy"] == [], f"imported at start: {found['heavy']}; import them where they are used"
