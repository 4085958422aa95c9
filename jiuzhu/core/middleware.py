"""Limits on the request itself, answered before a view or another middleware reads the body.

An oversized or unreadable body is the sender's problem, so it gets a 4xx with a Chinese message that
says what to do: JSON (``{"detail": …}``, the API's error format) under ``/api/``, a page elsewhere.
Without this, Django's CSRF check or the view reads the body first and the failure surfaces as an
English "Bad Request" page, or as a server error inside the API.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from .errors import BadRequest, PayloadTooLarge, ServiceError

API_PREFIX = "/api/"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return (
        f"提交的内容过大（表单或 JSON 上限 {limit / 1024 / 1024:g} MB），请精简或分批提交；"
        "部门数据文件请作为文件上传"
    )


MALFORMED_UPLOAD = "上传的内容格式有误，无法读取，请重新选择文件后再提交"
TOO_MANY_FIELDS = "提交的字段或文件过多，请分批提交"
NUL_IN_URL = "网址或查询条件中含有空字符（NUL），请删除后重试"


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _has_nul(request: HttpRequest) -> bool:
    # No database column holds NUL (PostgreSQL refuses it outright), and no address or query needs it.
    return "\x00" in request.path or any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
    )


def _request_problem(request: HttpRequest) -> ServiceError | None:
    try:
        if _has_nul(request):
            return BadRequest(NUL_IN_URL)
    except TooManyFieldsSent:  # the query string holds more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
        return BadRequest(TOO_MANY_FIELDS)
    content_type = request.content_type or ""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    # File uploads (a multipart POST, the only body Django streams to disk) are not held in memory and
    # are not bound by the limit; every other body is read whole into memory, and is.
    streamed = request.method == "POST" and content_type == "multipart/form-data"
    if limit is not None and not streamed and _content_length(request) > limit:
        return PayloadTooLarge(too_large_message())
    if request.method == "POST" and content_type in FORM_TYPES:
        # Parse the form here, where a failure can still be answered, rather than inside the CSRF check.
        try:
            request.POST  # noqa: B018
        except RequestDataTooBig:
            return PayloadTooLarge(too_large_message())
        except (TooManyFieldsSent, TooManyFilesSent):
            return BadRequest(TOO_MANY_FIELDS)
        except MultiPartParserError:
            return BadRequest(MALFORMED_UPLOAD)
    return None


def error_response(request: HttpRequest, error: ServiceError) -> HttpResponse:
    """The error as the API's JSON under /api/, as a Chinese page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": error.message}, status=error.status, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "request_error.html", {"message": error.message}, status=error.status)


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = _request_problem(request)
        if problem is not None:
            return error_response(request, problem)
        return self.get_response(request)
