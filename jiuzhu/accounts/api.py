from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from .selectors import responsibility_list

router = Router(tags=["用户与角色"])


class MeOut(Schema):
    username: str
    name: str
    role: str
    role_label: str
    region: str | None
    region_name: str
    permissions: list[str]


@router.get("/me", response=MeOut, summary="当前用户、角色、辖区与权限")
def me(request: HttpRequest) -> MeOut:
    u = request.user
    return MeOut(
        username=u.get_username(),
        name=u.get_full_name(),  # type: ignore[union-attr]
        role=u.role,  # type: ignore[union-attr]
        role_label=u.role_label,  # type: ignore[union-attr]
        region=u.region_id,  # type: ignore[union-attr]
        region_name=u.region.name if u.region else "",  # type: ignore[union-attr]
        permissions=sorted(u.get_all_permissions()),
    )


class ResponsibilityOut(Schema):
    code: str
    label: str
    levels: str
    duties: str
    permissions: list[str]
    user_count: int


@router.get(
    "/responsibilities", response=list[ResponsibilityOut], summary="责任清单（由当前角色权限配置生成）"
)
def responsibilities(request: HttpRequest) -> list[ResponsibilityOut]:
    return [ResponsibilityOut(**vars(r)) for r in responsibility_list()]
