"""Test settings: fast hashing, no throttling between tests, SQLite in memory unless DATABASE_URL is set."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

# Uploads are imported within the request, so a test sees the finished batch; tests of the queue
# override this with the dummy backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
UPLOAD_DIR = Path(tempfile.mkdtemp(prefix="jiuzhu-test-uploads-"))
# A key of its own for each test run; the audit tests give each test a fresh checkpoint log.
_AUDIT_DIR = Path(tempfile.mkdtemp(prefix="jiuzhu-test-audit-"))
AUDIT_KEY_FILE = _AUDIT_DIR / "audit.key"
AUDIT_CHECKPOINT_LOG = _AUDIT_DIR / "audit-checkpoints.log"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Rate-limit counters in memory; the tests of the limit clear them and set a small rate.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"},
}
JIUZHU_PUBLIC_RATE = "1000/m"
AXES_ENABLED = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
