"""Writes the refusals of the jurisdiction gate seen during a request once its response is ready."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from .signals import refusals_deferred


class AuditRefusalMiddleware:
    """Runs outside every transaction of the view (the project does not use ATOMIC_REQUESTS), so a
    refusal is recorded even when the write that met it rolled back. A refusal that cannot be written
    is logged (``jiuzhu.audit.refusals``) and the response stands."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with refusals_deferred(request):
            return self.get_response(request)
