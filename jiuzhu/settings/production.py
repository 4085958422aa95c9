"""Production: PostgreSQL, HTTPS only, secure cookies, strict CSP, HSTS.

Required environment: JIUZHU_SECRET_KEY, DATABASE_URL, JIUZHU_ALLOWED_HOSTS, JIUZHU_AUDIT_KEY_FILE.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
if os.environ.get("JIUZHU_SECRET_KEY", "").startswith("dev-only") or not os.environ.get("JIUZHU_SECRET_KEY"):
    raise ImproperlyConfigured("生产环境必须设置 JIUZHU_SECRET_KEY")
# The audit chain's HMAC key: an explicit path, a file that exists (`jiuzhu audit-key --create`).
if not os.environ.get("JIUZHU_AUDIT_KEY_FILE"):
    raise ImproperlyConfigured(
        "生产环境必须设置 JIUZHU_AUDIT_KEY_FILE（审计链密钥文件的路径，放在数据库之外）"
    )
AUDIT_KEY_CREATE = False

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
