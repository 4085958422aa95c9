"""The REST API under /api/ (OpenAPI document at /api/openapi.json, Swagger UI at /api/docs).

Authentication: the browser session (with CSRF) or ``Authorization: Bearer <token>``. Every error is
JSON with a Chinese ``detail`` and, for validation, one message per field in ``errors`` (``ApiError``);
the OpenAPI document lists the error statuses of each operation with that schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.shortcuts import render
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf
from pydantic import Field

from jiuzhu.accounts.services import token_authenticate
from jiuzhu.core.errors import BadRequest, NotFound, ServiceError, ValidationFailed
from jiuzhu.core.text import unstorable


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser session. Who is asking is settled first: a request without a logged-in session is
    401 whatever its method (ninja checks CSRF first, which answers an anonymous write with an English
    403); CSRF is then checked for the logged-in session only."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfFailed()
        return request.COOKIES.get(self.param_name)


class CsrfFailed(ServiceError):
    status = 403

    def __init__(self) -> None:
        super().__init__("页面已过期（CSRF 校验失败），请刷新页面后重试；程序调用请使用接口令牌（Bearer）")


class ChineseJSONRenderer(JSONRenderer):
    # Readable Chinese in responses instead of \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


NOT_JSON = "请求体不是有效的 JSON（须为 UTF-8 编码），请检查格式后重试"
BAD_TEXT = "含有不允许的字符（空字符 NUL 或不成对的 Unicode 代理字符），请删除后重试"


def _bad_text(data: Any, path: str = "") -> Iterator[str]:
    """Paths of strings (values or keys) that no database column can hold: NUL, lone surrogates."""
    if isinstance(data, str):
        if unstorable(data):
            yield path or "body"
    elif isinstance(data, dict):
        for key, value in data.items():
            sub = f"{path}.{key}" if path else str(key)
            yield from _bad_text(key, sub)
            yield from _bad_text(value, sub)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _bad_text(value, f"{path}.{i}" if path else str(i))


class StrictJSONParser(Parser):
    """JSON bodies: a body that is not JSON is a 400 with the API's Chinese error, and text that no
    database column can hold (NUL, lone surrogates) a 422 naming the field, before any service sees it."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise BadRequest(NOT_JSON) from None
        bad = dict.fromkeys(_bad_text(data), BAD_TEXT)
        if bad:
            raise ValidationFailed(bad)
        return data


class ApiError(Schema):
    """Every error the API answers: a Chinese message, and one message per field for validation."""

    detail: str = Field(description="错误说明（中文），告诉调用者如何处理")
    errors: dict[str, str] | None = Field(
        default=None, description="逐项的错误说明，键为字段路径（如 declared.0.amount）"
    )


class SwaggerUI(DocsBase):
    """Swagger UI from the vendored swagger-ui-dist (static/vendor/swagger-ui), started by a static
    script: nothing from another origin and no inline script, so the content security policy holds."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(
            request, "api_docs.html", {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)}
        )


# What each error status means for the caller, as listed in the OpenAPI document.
ERROR_STATUSES = {
    400: "请求无法解析（不是有效的 JSON、上传内容损坏、网址或查询条件含空字符）",
    401: "未登录或接口令牌无效",
    403: "角色无权进行此操作，或会话的 CSRF 校验失败",
    404: "记录不存在或不在调用者的辖区内（两者不作区分）",
    409: "记录已被他人修改或当前状态不允许此操作，请刷新后重试",
    413: "请求体过大",
    422: "提交的信息有误，errors 中逐项说明",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _names_a_record(path: str, operation: dict[str, Any], components: dict[str, Any]) -> bool:
    """Whether the request names a record (in the path, or an id or ID number in the query or body),
    which may not exist or lie outside the caller's jurisdiction."""
    if "{" in path:
        return True
    names = [p["name"] for p in operation.get("parameters", [])]
    for content in operation.get("requestBody", {}).get("content", {}).values():
        schema = content.get("schema", {})
        if "$ref" in schema:
            schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
        names += list(schema.get("properties", {}))
    return any(n.endswith("_id") or n == "id_number" for n in names)


def _error_statuses(
    path: str, method: str, operation: dict[str, Any], components: dict[str, Any]
) -> list[int]:
    statuses = []
    has_body = "requestBody" in operation
    if has_body or operation.get("parameters"):
        statuses.append(400)  # a body that is not JSON, NUL in the address or query
    if operation.get("security"):
        statuses += [401, 403]
    if _names_a_record(path, operation, components):
        statuses.append(404)
    if method in WRITE_METHODS:
        statuses.append(409)
    if has_body:
        statuses.append(413)
    if has_body or operation.get("parameters"):
        statuses.append(422)
    return statuses


class JiuzhuAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema["components"]["schemas"]
        error_schema = ApiError.model_json_schema(ref_template=REF_TEMPLATE)
        components[ApiError.__name__] = error_schema
        ref = {"$ref": REF_TEMPLATE.format(model=ApiError.__name__)}
        for path, methods in schema["paths"].items():
            for method, operation in methods.items():
                responses = operation["responses"]
                for status in _error_statuses(path, method, operation, components):
                    responses.setdefault(
                        status,
                        {
                            "description": ERROR_STATUSES[status],
                            "content": {self.renderer.media_type: {"schema": ref}},
                        },
                    )
        return schema


api = JiuzhuAPI(
    renderer=ChineseJSONRenderer(),
    parser=StrictJSONParser(),
    title="救助 Jiuzhu API",
    version="1",
    description=(
        "社会救助综合管理信息平台接口。所有数据按调用者的辖区过滤。"
        "错误均为 JSON（ApiError），detail 为中文说明，校验错误在 errors 中逐项说明。"
    ),
    auth=[TokenAuth(), SessionAuth()],
    docs=SwaggerUI(),
    urls_namespace="api",
)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    body: dict[str, Any] = {"detail": exc.message}
    if exc.errors:
        body["errors"] = exc.errors
    return api.create_response(request, body, status=exc.status)


_PYDANTIC_MESSAGES = {
    "missing": "必填项",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为是/否",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "请求体不是有效的JSON",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "enum": "取值无效：请使用接口文档列出的取值之一",
}


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path")]
        key = ".".join(loc) or "body"
        errors[key] = _PYDANTIC_MESSAGES.get(err.get("type", ""), "取值无效")
    return api.create_response(
        request, {"detail": "提交的信息有误，请按提示修改", "errors": errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "请先登录或提供有效的接口令牌"}, status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps what the body parser raised ("Cannot parse request body"); answer with the cause.
    if isinstance(exc.__cause__, ServiceError):
        return _service_error(request, exc.__cause__)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _service_error(request, NotFound())


@api.exception_handler(RawPostDataException)
def _form_body(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    # A form or multipart body sent to an operation that takes JSON: RequestLimitsMiddleware has read
    # it as a form (answering any body limit there), so its raw bytes are gone. It is not JSON.
    return _service_error(request, BadRequest(NOT_JSON))


def _register() -> None:
    from jiuzhu.accounts.api import router as accounts_router
    from jiuzhu.exchange.api import router as exchange_router
    from jiuzhu.policy.api import router as policy_router
    from jiuzhu.regions.api import router as regions_router
    from jiuzhu.registry.api import router as registry_router
    from jiuzhu.verification.api import router as verification_router
    from jiuzhu.workflow.api import router as workflow_router

    api.add_router("/registry", registry_router)
    api.add_router("/regions", regions_router)
    api.add_router("/accounts", accounts_router)
    api.add_router("/verification", verification_router)
    api.add_router("/exchange", exchange_router)
    api.add_router("/policy", policy_router)
    api.add_router("/workflow", workflow_router)

    from jiuzhu.workflow.api_docs import router as workflow_docs_router

    api.add_router("/workflow/docs", workflow_docs_router)

    from jiuzhu.workflow.api_notices import router as notices_router

    api.add_router("/workflow/notices", notices_router)

    from jiuzhu.intake.api import router as intake_router

    api.add_router("/intake", intake_router)
    from jiuzhu.benefits.api import router as benefits_router
    from jiuzhu.workflow.api_case import router as workflow_steps_router

    api.add_router("/workflow", workflow_steps_router)
    api.add_router("/benefits", benefits_router)
    from jiuzhu.workflow.api_life import router as workflow_life_router

    api.add_router("/workflow", workflow_life_router)

    from jiuzhu.workflow.api_temporary import router as temporary_router

    api.add_router("/workflow/temporary", temporary_router)
    from jiuzhu.benefits.api_integrity import router as integrity_router
    from jiuzhu.workflow.api_integrity import router as concealment_router

    api.add_router("/benefits", integrity_router)
    api.add_router("/workflow", concealment_router)
    from jiuzhu.migration.api import router as migration_router

    api.add_router("/migration", migration_router)
    from jiuzhu.monitoring.api_runs import router as monitoring_runs_router

    api.add_router("/monitoring", monitoring_runs_router)
    from jiuzhu.payments.api_oversight import router as oversight_router

    api.add_router("/oversight", oversight_router)
    from jiuzhu.payments.api_bank import router as bank_router

    api.add_router("/payments/bank", bank_router)
    from jiuzhu.payments.api import router as payroll_router

    api.add_router("/payroll", payroll_router)
    from jiuzhu.monitoring.api import router as monitoring_router

    api.add_router("/monitoring", monitoring_router)


_register()
