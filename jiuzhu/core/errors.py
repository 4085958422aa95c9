"""Errors raised by services and selectors; the web views and the API turn them into responses.

Messages are in Chinese and written for the person at the counter.
"""

from __future__ import annotations


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, *, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class BadRequest(ServiceError):
    """The request itself cannot be read (a body that is not JSON, a broken upload)."""

    status = 400

    def __init__(self, message: str = "请求无法解析，请检查提交的内容后重试") -> None:
        super().__init__(message)


class PayloadTooLarge(ServiceError):
    status = 413

    def __init__(self, message: str) -> None:
        super().__init__(message)


class ValidationFailed(ServiceError):
    status = 422

    def __init__(self, errors: dict[str, str], message: str = "提交的信息有误，请按提示修改") -> None:
        super().__init__(message, errors=errors)


class NotFound(ServiceError):
    """Also used for objects outside the caller's jurisdiction, so their existence is not revealed."""

    status = 404

    def __init__(self, message: str = "未找到该记录，或不在您的辖区内") -> None:
        super().__init__(message)


class PermissionDenied(ServiceError):
    status = 403

    def __init__(self, message: str = "您的角色无权进行此操作") -> None:
        super().__init__(message)


class Conflict(ServiceError):
    status = 409

    def __init__(self, message: str = "该记录已被他人修改，请刷新后重试") -> None:
        super().__init__(message)
