from __future__ import annotations

from typing import Any

from .errors import PermissionDenied


def require_perm(user: Any, perm: str) -> None:
    if user is None or not user.has_perm(perm):
        raise PermissionDenied()
