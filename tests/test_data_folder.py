"""The data folder is private to the user running EstateDesk: folders 0700, files 0600 (SPEC D-3).

The database, the queue, the rate-limit counters and the uploads hold residents' names, phone
numbers and photos; on a shared server no other account may read them. Collected static files
are the one exception (public assets; docs/deployment.md, "Files in the data folder").
"""

from __future__ import annotations

import json
import os
import stat
import sys

import pytest

from estatedesk import paths
from tests.clirun import clean_env, run_estatedesk

pytestmark = [
    pytest.mark.req("D-3"),
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions"),
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the SQLite files are the point"),
]

# Run by `estatedesk manage shell` in a fresh data folder: a resident sends a complaint with a
# photo through the portal (database, rate-limit counters, upload), a roster file is stored,
# the queue is used; then, while the database and queue are open (their -wal and -shm files
# exist only then), every path in the folder is listed with its mode.
SCRIPT = r"""
import io, json, os, re
from pathlib import Path
from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from huey.contrib.djhuey import HUEY
from PIL import Image
from estatedesk.complaints.models import Category, Complaint
from estatedesk.org.models import Department, Estate

estate = Estate.objects.create(name="翠湖花园", code="cuihu")
Department.objects.create(name="翠湖花园管理处", kind="management_office", estate=estate)
client = Client(HTTP_HOST="localhost", REMOTE_ADDR="203.0.113.7")
page = client.get("/r/cuihu/").content.decode()
data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
data.update({name: value or "on" for name, value in re.findall(r'<input type="checkbox" name="([^"]+)"(?: value="([^"]*)")?', page)})
photo = io.BytesIO()
Image.new("RGB", (16, 12), (90, 90, 200)).save(photo, "JPEG")
photo.seek(0)
photo.name = "leak.jpg"
data.update(kind="complaint", category=Category.objects.get(code="repairs").pk, description="地下车库漏水",
            unit="", name="王小明", phone="13812341234", photos=photo)
sent = client.post("/r/cuihu/", data)
assert sent.status_code == 302, sent.content.decode()[:3000]
assert Complaint.objects.get().attachments.count() == 1
default_storage.save("imports/roster.csv", ContentFile("楼栋,房号\n3,1201\n".encode()))
caches["ratelimit"].set("touched", 1)
HUEY.put("touched", 1)
connection.ensure_connection()
folder = Path(settings.DATA_DIR)
listing = {str(p.relative_to(folder)): os.stat(p).st_mode for p in [folder, *folder.rglob("*")]}
print("LISTING " + json.dumps(listing))
"""


def _exposed(listing: dict[str, int]) -> dict[str, str]:
    return {
        path: oct(stat.S_IMODE(mode))
        for path, mode in listing.items()
        if stat.S_IMODE(mode) & 0o077 and path.split(os.sep)[0] != "static"
    }


@pytest.mark.slow
def test_every_file_made_in_the_data_folder_is_private_to_its_owner(tmp_path):
    folder = tmp_path / "data"
    env = clean_env(ESTATEDESK_DATA_DIR=str(folder))
    migrated = run_estatedesk("manage", "migrate", "--verbosity", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    used = run_estatedesk("manage", "shell", "--no-imports", "-c", SCRIPT, env=env)
    assert used.returncode == 0, used.stdout + used.stderr
    line = next(x for x in used.stdout.splitlines() if x.startswith("LISTING "))
    listing = json.loads(line.removeprefix("LISTING "))

    names = set(listing)
    # What was made is all there (so the check below is not about an empty folder)...
    for expected in (
        "estatedesk.sqlite3",
        "estatedesk.sqlite3-wal",
        "huey.sqlite3",
        "secret_key",
        "field_key",
    ):
        assert expected in names, sorted(names)
    assert "cache/ratelimit/counters.sqlite3" in names, sorted(names)
    assert any(n.startswith("uploads/complaints/") and n.endswith(".jpg") for n in names), sorted(names)
    assert any(n.startswith("media/imports/") and n.endswith(".csv") for n in names), sorted(names)
    # ...and no one but the owner may read any of it.
    assert stat.S_IMODE(listing["."]) == 0o700
    assert _exposed(listing) == {}
    # After the processes ended too (the files that stay).
    after = {
        str(p.relative_to(folder)) if p != folder else ".": p.stat().st_mode
        for p in [folder, *folder.rglob("*")]
    }
    assert _exposed(after) == {}


def test_an_existing_folder_and_database_left_readable_by_others_are_tightened(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    database = folder / "estatedesk.sqlite3"
    database.write_bytes(b"")
    os.chmod(database, 0o644)
    (folder / "estatedesk.sqlite3-wal").write_bytes(b"")
    os.chmod(folder / "estatedesk.sqlite3-wal", 0o644)
    paths.private_dir(folder)
    paths.private_sqlite(database)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "estatedesk.sqlite3-wal").stat().st_mode) == 0o600
    fresh = folder / "huey.sqlite3"
    paths.private_sqlite(fresh)
    assert fresh.exists() and stat.S_IMODE(fresh.stat().st_mode) == 0o600
