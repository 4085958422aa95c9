"""Rate limits of the public pages and endpoints (django-ratelimit), per client address: the same
address the audit log records (``AuditContext``: X-Forwarded-For only behind a trusted proxy)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError

TOO_MANY = "操作过于频繁，请稍后再试"


class TooManyRequests(ServiceError):
    status = 429

    def __init__(self, message: str = TOO_MANY) -> None:
        super().__init__(message)


# The public status lookup: after this many wrong answers for one application number, the number is
# locked for LOOKUP_LOCK_SECONDS (the answer stays the same as for any wrong input).
LOOKUP_MAX_MISSES = 5
LOOKUP_LOCK_SECONDS = 3600


def _miss_key(number: str) -> str:
    return "intake.status.miss:" + hashlib.sha256(number.encode()).hexdigest()


def lookup_locked(number: str) -> bool:
    cache = caches[settings.RATELIMIT_USE_CACHE]
    return int(cache.get(_miss_key(number), 0)) >= LOOKUP_MAX_MISSES


def lookup_missed(number: str) -> None:
    """Count one wrong answer for ``number``; the hour runs from the first miss."""
    cache = caches[settings.RATELIMIT_USE_CACHE]
    key = _miss_key(number)
    cache.add(key, 0, LOOKUP_LOCK_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, LOOKUP_LOCK_SECONDS)


def client_key(group: str, request: HttpRequest) -> str:
    return AuditContext.from_request(request).ip or "unknown"


def public_rate(group: str, request: HttpRequest) -> str:
    return str(settings.JIUZHU_PUBLIC_RATE)


def limited(request: Any) -> bool:
    """Whether the ``ratelimit`` decorator (``block=False``) found the request over its rate."""
    return bool(getattr(request, "limited", False))
