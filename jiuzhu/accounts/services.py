"""Writes to users, roles and tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import NotFound, ValidationFailed
from jiuzhu.core.text import clean_text
from jiuzhu.core.vocab import AuditObject
from jiuzhu.regions.codes import Level
from jiuzhu.regions.models import Region
from jiuzhu.regions.scope import in_jurisdiction

from .models import ApiToken, User
from .roles import ROLES, Role


def roles_sync(*, reset: bool = False) -> list[str]:
    """Make sure every role has its group. Permissions are seeded only for a new group (or with
    ``reset``), so edits made in the admin survive upgrades. Returns problems found."""
    problems = []
    for role, spec in ROLES.items():
        group, created = Group.objects.get_or_create(name=role.value)
        if not (created or reset):
            continue
        perms = []
        for code in spec.permissions:
            app, codename = code.split(".")
            perm = Permission.objects.filter(content_type__app_label=app, codename=codename).first()
            if perm is None:
                problems.append(f"{role.value}: 权限不存在 {code}")
            else:
                perms.append(perm)
        group.permissions.set(perms)
    return problems


def check_role_level(role: str, region: Region | None) -> None:
    if role not in Role.values:
        raise ValidationFailed({"role": f"未知角色：{role}"})
    if region is None:
        raise ValidationFailed({"region": "请为用户指定辖区"})
    spec = ROLES[Role(role)]
    if Level(region.level) not in spec.levels:
        allowed = "、".join(lv.label for lv in spec.levels)
        raise ValidationFailed(
            {"region": f"{Role(role).label}的辖区应为{allowed}级，所选为{region.level_label}级"}
        )


def user_create(
    *,
    ctx: AuditContext,
    username: str,
    password: str | None,
    role: str,
    region_code: str,
    full_name: str = "",
    department: str = "",
) -> User:
    region = Region.objects.filter(code=region_code).first()
    check_role_level(role, region)
    assert region is not None
    if ctx.user is not None and not in_jurisdiction(ctx.user, region.code):
        raise ValidationFailed({"region": "只能在自己的辖区内创建用户"})
    if User.objects.filter(username=username).exists():
        raise ValidationFailed({"username": "该用户名已存在"})
    with transaction.atomic():
        user = User(username=username, first_name=full_name, role=role, region=region, department=department)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        user_assign_role(user=user, role=role)
        audit_record(
            ctx=ctx, action="create", object_type=AuditObject.USER, object_id=user.pk, region_code=region.code
        )
    return user


def user_assign_role(*, user: User, role: str) -> None:
    """The role field and the group membership always agree, and so does access to the admin site:
    an administrator needs it (users and regions of their subtree are managed there), no other role
    has it; a superuser keeps it whatever their role."""
    role_groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*role_groups)
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    staff = role == Role.ADMIN or user.is_superuser
    changed = [f for f, new in (("role", role), ("is_staff", staff)) if getattr(user, f) != new]
    if changed:
        user.role, user.is_staff = role, staff
        user.save(update_fields=changed)


TOKEN_NAME_MAX = 100


def token_create(*, ctx: AuditContext, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key is shown once and never stored. The name (what the
    token is for) is required and refused, not cut, when too long or holding control characters."""
    errors: dict[str, str] = {}
    name = clean_text(name, "name", "令牌用途", errors, max_length=TOKEN_NAME_MAX, required=True)
    if errors:
        raise ValidationFailed(errors)
    key = ApiToken.new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[3:11]
        )
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.API_TOKEN,
            object_id=token.pk,
            region_code=user.region_id or "",
        )
    return token, key


def token_authenticate(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def token_revoke(*, ctx: AuditContext, token_id: int, user: Any) -> None:
    """Revoke one of the user's own active tokens. Another user's token, an unknown id and an already
    revoked token are all "not found": nothing changes and no audit line is written."""
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not revoked:
            raise NotFound("未找到该令牌，或它不属于您")
        audit_record(
            ctx=ctx,
            action="update",
            object_type=AuditObject.API_TOKEN,
            object_id=token_id,
            detail={"revoked": True},
        )
