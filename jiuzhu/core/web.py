"""Helpers for the server-rendered views."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse

from .errors import NotFound, PermissionDenied
from .permissions import require_perm

Response = HttpResponse | StreamingHttpResponse


def web_view(perm: str | None = None) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Login required, an optional permission, and service errors shown as Django's 403/404 pages."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            try:
                if perm:
                    require_perm(request.user, perm)
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from None
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(exc.message) from None

        return wrapper

    return decorate


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
