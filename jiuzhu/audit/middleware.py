"""Writes the refusals of the jurisdiction gate seen during a request once its response is ready."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from .services import AuditContext
from .signals import _pending, refusal_write


class AuditRefusalMiddleware:
    """Runs outside every transaction of the view (the project does not use ATOMIC_REQUESTS), so a
    refusal is recorded even when the write that met it rolled back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _pending.set([])
        try:
            return self.get_response(request)
        finally:
            refusals = _pending.get() or []
            _pending.reset(token)
            if refusals:
                ctx = AuditContext.from_request(request)
                for refusal in refusals:
                    refusal_write(refusal, ctx)
