"""Rate limits of the public pages and endpoints (django-ratelimit), per client address: the same
address the audit log records (``AuditContext``: X-Forwarded-For only behind a trusted proxy)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ServiceError

TOO_MANY = "操作过于频繁，请稍后再试"


class TooManyRequests(ServiceError):
    status = 429

    def __init__(self, message: str = TOO_MANY) -> None:
        super().__init__(message)


def client_key(group: str, request: HttpRequest) -> str:
    return AuditContext.from_request(request).ip or "unknown"


def public_rate(group: str, request: HttpRequest) -> str:
    return str(settings.JIUZHU_PUBLIC_RATE)


def limited(request: Any) -> bool:
    """Whether the ``ratelimit`` decorator (``block=False``) found the request over its rate."""
    return bool(getattr(request, "limited", False))
