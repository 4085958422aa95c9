"""The REST API under /api/ (OpenAPI docs at /api/docs).

Authentication: the browser session (with CSRF) or ``Authorization: Bearer <token>``. Errors are
JSON with a Chinese ``detail`` and, for validation, one message per field in ``errors``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, django_auth

from jiuzhu.accounts.services import token_authenticate
from jiuzhu.core.errors import ServiceError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ChineseJSONRenderer(JSONRenderer):
    # Readable Chinese in responses instead of \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    title="救助 Jiuzhu API",
    version="1",
    description="社会救助综合管理信息平台接口。所有数据按调用者的辖区过滤。",
    auth=[TokenAuth(), django_auth],
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
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _register() -> None:
    from jiuzhu.accounts.api import router as accounts_router
    from jiuzhu.exchange.api import router as exchange_router
    from jiuzhu.regions.api import router as regions_router
    from jiuzhu.registry.api import router as registry_router
    from jiuzhu.verification.api import router as verification_router

    api.add_router("/registry", registry_router)
    api.add_router("/regions", regions_router)
    api.add_router("/accounts", accounts_router)
    api.add_router("/verification", verification_router)
    api.add_router("/exchange", exchange_router)


_register()
