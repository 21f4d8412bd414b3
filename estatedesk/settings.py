"""One settings module, driven by environment variables (see docs/configuration.md)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from estatedesk import paths, queue_backends


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = paths.data_dir()
# Private to the service's user (0700), like every file made in it (0600): the database, the
# queue, uploads and keys hold personal data (docs/deployment.md, "Files in the data folder").
paths.private_dir(DATA_DIR)

# "demo" (laptop, plain HTTP on localhost) or "production" (behind TLS).
MODE = env("ESTATEDESK_MODE", "demo")
PRODUCTION = MODE == "production"
DEBUG = env_bool("DEBUG", False)

if env("SECRET_KEY"):
    SECRET_KEY = env("SECRET_KEY")
elif env("SECRET_KEY_FILE"):
    SECRET_KEY = Path(env("SECRET_KEY_FILE")).read_text(encoding="utf-8").strip()
else:
    SECRET_KEY = paths.read_or_create_secret(DATA_DIR, "secret_key", paths.new_secret_key)

if env("FIELD_ENCRYPTION_KEY"):
    FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY")
elif env("FIELD_ENCRYPTION_KEY_FILE"):
    FIELD_ENCRYPTION_KEY = Path(env("FIELD_ENCRYPTION_KEY_FILE")).read_text(encoding="utf-8").strip()
else:
    FIELD_ENCRYPTION_KEY = paths.read_or_create_secret(DATA_DIR, "field_key", paths.new_field_key)

# Proxies (addresses or networks, IPv4 or IPv6) whose X-Forwarded-For is believed: the client's
# address for lock-out, access logs and rate limits (core/clientaddr.py). Empty: nobody's.
TRUSTED_PROXIES = [p.strip() for p in env("TRUSTED_PROXIES").split(",") if p.strip()]
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # a typo stops the start, not the first request
# The OpenAPI document and /api/docs: for signed-in staff and token holders, unless published.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)

ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "ninja",
    "huey.contrib.djhuey",
    "estatedesk.core",
    "estatedesk.org",
    "estatedesk.workcal",
    "estatedesk.records",
    "estatedesk.notifications",
    "estatedesk.complaints",
    "estatedesk.surveys",
    "estatedesk.communication",
    "estatedesk.rectification",
    "estatedesk.reports",
    "estatedesk.improvement",
    "estatedesk.portal",
    "estatedesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "estatedesk.core.middleware.RequestLineMiddleware",
    "estatedesk.core.middleware.ServerTimingMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "estatedesk.core.middleware.SessionExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "estatedesk.core.middleware.PolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "estatedesk.urls"
WSGI_APPLICATION = "estatedesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "estatedesk.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database: SQLite in the data folder by default, PostgreSQL via DATABASE_URL ---------
DATABASES: dict[str, dict[str, Any]]
if env("DATABASE_URL"):
    DATABASES = {
        "default": dict(dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60, conn_health_checks=True))
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "estatedesk.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # An 8 MB page cache per connection (not 64 MB): a report's scan then adds at
                # most 8 MB to a process whatever the table's size, and the pages it reads stay
                # in the OS's cache, shared by every worker (decision 0057).
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-8000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if not env("DATABASE_URL"):
    # SQLite gives its -wal and -shm files the database file's mode: create it 0600 first.
    paths.private_sqlite(DATA_DIR / "estatedesk.sqlite3")

# --- Background work -------------------------------------------------------------------
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if env("REDIS_URL"):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "estatedesk",
        "url": env("REDIS_URL"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "estatedesk",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
    paths.private_sqlite(DATA_DIR / "huey.sqlite3")
# Huey imports redis and psycopg for queues we do not use (≈ 21 MiB a process): not these.
queue_backends.import_huey(str(HUEY["huey_class"]))

# /health/ fails (503) when the worker's last heartbeat, or the oldest message still waiting
# in the outbox, is older than this many seconds (docs/deployment.md, "Monitoring: /health/").
HEALTH_WORKER_MAX_AGE = int(env("HEALTH_WORKER_MAX_AGE", "300"))
HEALTH_OUTBOX_MAX_AGE = int(env("HEALTH_OUTBOX_MAX_AGE", "900"))

# --- Authentication and sessions -------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "estatedesk.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend reading the staff row with the user (one statement per page, decision 0060);
    # Django's own stays listed so that sessions signed in through it before stay valid.
    "estatedesk.core.backends.StaffModelBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Lock-out counts per user name AND client address (behind a proxy: TRUSTED_PROXIES below), so
# a stranger's wrong passwords lock the stranger out, not the user everywhere.
AXES_CLIENT_IP_CALLABLE = "estatedesk.core.clientaddr.client_ip"
# Only a user name that fits axes' column is recorded (a 5,000-character one is just wrong).
AXES_USERNAME_CALLABLE = "estatedesk.core.signin.attempted_username"

# Idle expiry: the cookie lives SESSION_IDLE_SECONDS past the last request.
# Absolute expiry: SessionExpiryMiddleware signs the user out SESSION_ABSOLUTE_SECONDS after sign-in.
SESSION_IDLE_SECONDS = int(env("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_ABSOLUTE_SECONDS = int(env("SESSION_ABSOLUTE_HOURS", "12")) * 3600
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the meta tag, not the cookie
CSRF_FAILURE_VIEW = (
    "estatedesk.core.error_pages.csrf_failure"  # in the layout and language, not Django's English
)
# Messages ("Saved.") are kept in the session on the server, never in a cookie: Django's default
# puts them in one, signed but readable by whoever holds it (SPEC D-3).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Security headers ------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # "__Host-": the browser keeps these cookies only when Secure, for the whole site (Path=/) and
    # for this host alone (no Domain), so a sibling subdomain cannot plant or overwrite them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain HTTP; a redirect would read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^health/live/$"]
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- Languages and time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["estatedesk.formats"]  # YEAR_MONTH_FORMAT: 2026年6月 / 2026-06
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
LANGUAGE_COOKIE_NAME = "__Host-estatedesk_language" if PRODUCTION else "estatedesk_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and uploaded files ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it, even when serving from finders
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = not PRODUCTION or env_bool("WHITENOISE_USE_FINDERS", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded files (roster imports in MEDIA_ROOT) for the service's user only; complaint photos
# (and notice files) are written by core/uploads.py, 0600 as well. Collected static files follow these too.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- E-mail and SMS --------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # port 465; Django refuses TLS and SSL together
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))  # a stuck SMTP server must not hold a worker forever
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "estatedesk@localhost")
SMS_PROVIDER = env("SMS_PROVIDER", "console")

# --- Logging ---------------------------------------------------------------------------
# Every handler redacts: no full phone number, typed search or private link reaches a log
# (core/redact.py; the web server's access log is cleaned by core/accesslog.py). "django" and
# "django.server" are named so that Django's own handlers, which do not redact, are replaced.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "estatedesk.core.redact.RedactingFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {
        "estatedesk": {"level": env("LOG_LEVEL", "INFO")},
        "django": {"level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# A statement slower than this many milliseconds is logged (SQL without its values, duration,
# path) by core.middleware.ServerTimingMiddleware; unset or empty: off.
SLOW_QUERY_MS: float | None = (
    float(env("ESTATEDESK_SLOW_QUERY_MS")) if env("ESTATEDESK_SLOW_QUERY_MS") else None
)

SILENCED_SYSTEM_CHECKS: list[str] = []
ADMIN_URL = env("ADMIN_URL", "sysadmin/")

# --- Notifications ---------------------------------------------------------------------
# The adapter of each channel (docs/notifications.md): "console" writes messages to the log,
# "email" sends through EMAIL_BACKEND, anything else is the dotted path of a Provider class.
NOTIFICATION_PROVIDERS = {
    "email": env("ESTATEDESK_EMAIL_PROVIDER", "email"),
    "sms": env("ESTATEDESK_SMS_PROVIDER", SMS_PROVIDER),
    "wechat": env("ESTATEDESK_WECHAT_PROVIDER", "console"),
}
# Production refuses to start while a channel only writes to the log (notifications/checks.py),
# unless this says that is intended (a trial with real data but no SMS gateway yet).
ALLOW_CONSOLE_PROVIDERS = env_bool("ESTATEDESK_ALLOW_CONSOLE_PROVIDERS", False)
# Links in e-mail and SMS are site paths; this address goes in front: https://estatedesk.example.com
ESTATEDESK_SITE_URL = env("ESTATEDESK_SITE_URL").rstrip("/")
if PRODUCTION and not env("EMAIL_BACKEND"):
    # Production mails for real unless told otherwise; the EMAIL_* variables above configure SMTP.
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

# --- Records: disposal archives and backups (SPEC D-1, D-2; docs/records.md) --------------
# Each disposal run writes one zip here; administrators download it from the run's page.
# Keep it on storage that is itself backed up (the archive is the only copy of what went).
RECORDS_ARCHIVE_DIR = (
    Path(env("RECORDS_ARCHIVE_DIR")).expanduser() if env("RECORDS_ARCHIVE_DIR") else DATA_DIR / "archive"
)
# `estatedesk backup` writes here unless given a file; the scheduled backup too.
BACKUP_DIR = Path(env("BACKUP_DIR")).expanduser() if env("BACKUP_DIR") else DATA_DIR / "backups"
# The worker's scheduled backup: "" (off), "daily" or "weekly" (Sundays), at BACKUP_HOUR
# company time; the newest BACKUP_KEEP scheduled copies are kept.
BACKUP_EVERY = env("BACKUP_EVERY", "")
BACKUP_HOUR = int(env("BACKUP_HOUR", "2"))
BACKUP_KEEP = int(env("BACKUP_KEEP", "7"))

# --- Uploads and portal ------------------------------------------------------------------
# Photos and documents of complaints live outside MEDIA_ROOT on purpose: they are never
# served as static files, only through views that check who is asking (SPEC D-3).
UPLOAD_ROOT = Path(env("UPLOAD_DIR")).expanduser() if env("UPLOAD_DIR") else DATA_DIR / "uploads"
UPLOAD_MAX_BYTES = int(float(env("UPLOAD_MAX_MB", "10")) * 1024 * 1024)
# Decompression-bomb guard: a small file can declare a huge picture.
UPLOAD_MAX_PIXELS = int(float(env("UPLOAD_MAX_MEGAPIXELS", "40")) * 1_000_000)
PORTAL_MAX_PHOTOS = int(env("PORTAL_MAX_PHOTOS", "6"))
# Rate limits as "count/period" with s, m or h: submissions per client address and per
# estate, and status-page look-ups per client address.
PORTAL_RATE_SUBMIT_IP = env("PORTAL_RATE_SUBMIT_IP", "5/10m")
PORTAL_RATE_SUBMIT_ESTATE = env("PORTAL_RATE_SUBMIT_ESTATE", "60/1h")
PORTAL_RATE_LOOKUP_IP = env("PORTAL_RATE_LOOKUP_IP", "60/1m")
# On the status page: chases (催办) of one complaint, counted on its timeline, and posts
# (information, chases, ratings) per client address.
PORTAL_RATE_CHASE = env("PORTAL_RATE_CHASE", "1/4h")
PORTAL_RATE_WRITE_IP = env("PORTAL_RATE_WRITE_IP", "20/10m")
# Rate-limit counters: Redis when the queue is on Redis (shared by every host), else one
# SQLite file in the data folder (shared by the worker processes of one host; decision 0062).
CACHES: dict[str, dict[str, Any]] = dict(
    globals().get("CACHES") or {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)
CACHES["ratelimit"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
    if env("REDIS_URL")
    else {
        # The file is made 0600, in folders made 0700.
        "BACKEND": "estatedesk.core.countercache.CounterCache",
        "LOCATION": str(DATA_DIR / "cache" / "ratelimit"),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
)
