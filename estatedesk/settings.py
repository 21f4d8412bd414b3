"""One settings module, driven by environment variables (see docs/configuration.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from estatedesk import paths


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = paths.data_dir()
DATA_DIR.mkdir(parents=True, exist_ok=True)

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
    "estatedesk.reports",
    "estatedesk.improvement",
    "estatedesk.portal",
    "estatedesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "estatedesk.core.middleware.RequestLineMiddleware",
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
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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

# --- Authentication and sessions -------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
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

# Idle expiry: the cookie lives SESSION_IDLE_SECONDS past the last request.
# Absolute expiry: SessionExpiryMiddleware signs the user out SESSION_ABSOLUTE_SECONDS after sign-in.
SESSION_IDLE_SECONDS = int(env("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_ABSOLUTE_SECONDS = int(env("SESSION_ABSOLUTE_HOURS", "12")) * 3600
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the meta tag, not the cookie

# --- Security headers ------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain HTTP; a redirect would read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
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
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
LANGUAGE_COOKIE_NAME = "estatedesk_language"
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
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {"estatedesk": {"level": env("LOG_LEVEL", "INFO")}},
}

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
# Links in e-mail and SMS are site paths; this address goes in front: https://estatedesk.example.com
ESTATEDESK_SITE_URL = env("ESTATEDESK_SITE_URL").rstrip("/")
if PRODUCTION and not env("EMAIL_BACKEND"):
    # Production mails for real unless told otherwise; the EMAIL_* variables above configure SMTP.
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

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
# Behind a proxy every request comes from the proxy's address; the client's is the n-th
# entry from the right of X-Forwarded-For. 0 = use the connection's address.
CLIENT_IP_PROXY_COUNT = int(
    env("CLIENT_IP_PROXY_COUNT", "1" if PRODUCTION and env_bool("BEHIND_TLS_PROXY", True) else "0")
)
# Rate-limit counters: Redis when the queue is on Redis (shared by every host), else files in
# the data folder (shared by the worker processes of one host).
CACHES: dict[str, dict[str, Any]] = dict(
    globals().get("CACHES") or {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)
CACHES["ratelimit"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
    if env("REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "ratelimit"),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
)
