"""The minimal Django project the side-by-side bench writes for django-helpdesk at run time.

Nothing of django-helpdesk is copied here: this is a project of our own that lists it as an
installed app, the way its installation guide says a project does. Its SQLite connection
gets the same options as EstateDesk's (WAL, synchronous=NORMAL, IMMEDIATE transactions, a
64 MB page cache), so the database engine is tuned alike on both sides.
"""

from __future__ import annotations

import secrets
from pathlib import Path

SETTINGS = '''\
"""Written by EstateDesk's bench/vs_helpdesk.py for a throw-away django-helpdesk site."""
import os
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
SECRET_KEY = {secret!r}
DEBUG = False
ALLOWED_HOSTS = ["*"]
SITE_ID = 1
ROOT_URLCONF = "helpdesk_site.urls"
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_CODE = "en"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "/static/"
MEDIA_ROOT = HERE / "media"
LOGIN_URL = "helpdesk:login"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {{
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        }},
    }}
]
# No teams (it would need pinax-teams); the peer's default knowledge base stays on.
HELPDESK_TEAMS_MODE_ENABLED = False

url = os.environ.get("PEER_DATABASE_URL")
if url:
    parts = urlsplit(url)
    DATABASES = {{
        "default": {{
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parts.path.lstrip("/"),
            "USER": parts.username or "",
            "PASSWORD": parts.password or "",
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
        }}
    }}
else:
    DATABASES = {{
        "default": {{
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": HERE.parent / "helpdesk.sqlite3",
            "OPTIONS": {{
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000;"
                ),
            }},
        }}
    }}
'''

URLS = '''\
"""Written by EstateDesk's bench/vs_helpdesk.py: django-helpdesk at the site's root."""
from django.urls import include, path

urlpatterns = [path("", include("helpdesk.urls", namespace="helpdesk"))]
'''


def write_project(folder: Path) -> Path:
    """Write ``folder/helpdesk_site/{settings,urls}.py``; returns ``folder`` (the path to import from)."""
    package = folder / "helpdesk_site"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(SETTINGS.format(secret=secrets.token_urlsafe(40)))
    (package / "urls.py").write_text(URLS)
    return folder
