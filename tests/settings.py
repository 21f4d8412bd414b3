"""Settings for the test suite: the product's settings, with a throw-away data folder.

With pytest-xdist each worker gets a folder of its own under it (the queue's SQLite file,
the portal's rate-limit counters, uploads, keys): the workers inherit the folder the
controller made, and sharing it let one worker's tests clear or fill the other's counters.
The test databases are each worker's own already (SQLite in memory; PostgreSQL ``_gw0``, ``_gw1``).
"""

import os
import tempfile

_folder = os.environ.setdefault("ESTATEDESK_DATA_DIR", tempfile.mkdtemp(prefix="estatedesk-test-"))
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and os.path.basename(_folder) != _worker:
    _folder = os.path.join(_folder, _worker)
    os.makedirs(_folder, exist_ok=True)
    os.environ["ESTATEDESK_DATA_DIR"] = _folder
os.environ.setdefault("HUEY_IMMEDIATE", "1")

from estatedesk.settings import *  # noqa: E402,F403

# Argon2 is deliberately slow; tests sign in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303

# On Redis the test workers share one database: each keeps its rate-limit counters under its
# own prefix, so that one worker emptying its counters (tests/conftest.py) leaves the other's.
CACHES["ratelimit"]["KEY_PREFIX"] = f"test-{_worker or 'main'}"  # noqa: F405
