"""Settings shared by every environment.

SQLite is the embedded default so the demo runs with nothing installed; set DATABASE_URL
(postgres://…) to run on PostgreSQL, the production database.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("JIUZHU_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("JIUZHU_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = False
ALLOWED_HOSTS = os.environ.get("JIUZHU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "jiuzhu.core",
    "jiuzhu.regions",
    "jiuzhu.accounts",
    "jiuzhu.audit",
    "jiuzhu.registry",
    "jiuzhu.policy",
    "jiuzhu.exchange",
    "jiuzhu.verification",
    "jiuzhu.benefits",
    "jiuzhu.workflow",
    "jiuzhu.intake",
    "jiuzhu.migration",
    "jiuzhu.monitoring",
    "jiuzhu.payments",
    "jiuzhu.synth",
    "jiuzhu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Oversized or unreadable bodies get a Chinese 4xx here, before the CSRF check or a view reads them.
    "jiuzhu.core.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records the jurisdiction gate's refusals after the view, outside its (rolled back) transaction.
    "jiuzhu.audit.middleware.AuditRefusalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that it sees the authenticated user and the final response.
    "axes.middleware.AxesMiddleware",
]

# Background work (imports uploaded through the web or the API) is queued in the database and run by
# `jiuzhu db_worker`; no broker to operate.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Uploaded feed files wait here for the worker, and stay after a failure so the import can be resumed.
UPLOAD_DIR = Path(os.environ.get("JIUZHU_UPLOAD_DIR", VAR_DIR / "uploads"))
# Signed papers and scans of the procedure (commitments, authorisations, signatures, photos): private
# files, served only through pages that check the caller's jurisdiction (no MEDIA_URL).
MEDIA_ROOT = Path(os.environ.get("JIUZHU_MEDIA_DIR", VAR_DIR / "media"))

ROOT_URLCONF = "jiuzhu.urls"
WSGI_APPLICATION = "jiuzhu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'jiuzhu.sqlite3'}",
        conn_max_age=int(os.environ.get("JIUZHU_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the server read while a batch writes; busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

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

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve vendored assets straight from the app folders, so the demo needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free meta tag; keep default semantics
X_FRAME_OPTIONS = "DENY"

# Every asset is vendored; nothing is loaded from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Form fields and JSON bodies: a village tablet never needs more; larger bodies get a clear 413 in Chinese
# (jiuzhu.core.middleware). Uploaded files are streamed to disk and are not bound by this.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

NINJA_PAGINATION_PER_PAGE = 20

# The public pages and endpoints (online application, status lookup) are rate-limited per client address
# (django-ratelimit). Counters live in a cache shared by the server's processes: files under VAR_DIR.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "ratelimit"),
    },
}
RATELIMIT_USE_CACHE = "ratelimit"
JIUZHU_PUBLIC_RATE = os.environ.get("JIUZHU_PUBLIC_RATE", "10/m")

# Set when a reverse proxy in front of the app sets X-Forwarded-For (used for the audit log's address).
JIUZHU_TRUST_PROXY = os.environ.get("JIUZHU_TRUST_PROXY", "") == "1"
# How many trusted reverse proxies append to X-Forwarded-For (docs/operations.md, "Client address").
JIUZHU_PROXY_HOPS = int(os.environ.get("JIUZHU_PROXY_HOPS", "1"))

# The audit chain's anchors (docs/operations.md, "Audit"). The HMAC key file lives outside the
# database; development and tests create it on first use (mode 600), production requires it to exist.
AUDIT_KEY_FILE = Path(os.environ.get("JIUZHU_AUDIT_KEY_FILE", VAR_DIR / "audit.key"))
AUDIT_KEY_CREATE = True
# The log of checkpoints of the chain's head, appended by `jiuzhu check-audit` and by the background
# worker every AUDIT_CHECKPOINT_INTERVAL seconds; keep it on other storage than the database.
AUDIT_CHECKPOINT_LOG = Path(os.environ.get("JIUZHU_AUDIT_CHECKPOINT_LOG", VAR_DIR / "audit-checkpoints.log"))
AUDIT_CHECKPOINT_INTERVAL = int(os.environ.get("JIUZHU_AUDIT_CHECKPOINT_INTERVAL", "300"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JIUZHU_LOG_LEVEL", "WARNING")},
    # Each checkpoint also goes to the service's log (journald, syslog): one more copy off the database.
    "loggers": {"jiuzhu.audit.checkpoint": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
