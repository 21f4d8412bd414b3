"""Settings for the test suite: the product's settings, with a throw-away data folder."""

import os
import tempfile

os.environ.setdefault("ESTATEDESK_DATA_DIR", tempfile.mkdtemp(prefix="estatedesk-test-"))
os.environ.setdefault("HUEY_IMMEDIATE", "1")

from estatedesk.settings import *  # noqa: E402,F403

# Argon2 is deliberately slow; tests sign in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
