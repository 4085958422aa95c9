from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from jiuzhu.audit.admin import AuditedAdminMixin
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.regions.admin import JurisdictionAdmin

from .models import ApiToken, User
from .services import check_role_level, user_assign_role


class UserRoleForm(UserChangeForm):
    """The admin's user form, plus the rule that a role's region must be at the role's level."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role"):
            try:
                check_role_level(data["role"], data.get("region"))
            except ValidationFailed as exc:
                raise ValidationError(list(exc.errors.values())) from None
        return data


def _perm_codes(perms: Any) -> list[str]:
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in perms.select_related("content_type"))


@admin.register(User)
class UserAdmin(AuditedAdminMixin, JurisdictionAdmin, BaseUserAdmin):
    form = UserRoleForm
    list_display = ("username", "first_name", "role", "region", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("角色与辖区", {"fields": ("role", "region", "department")}),
    )
    raw_id_fields = ("region",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Only a superuser may grant superuser status or raw permissions; others assign roles.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("is_superuser", "user_permissions", "groups", "last_login", "date_joined")

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.role:
            user_assign_role(user=obj, role=obj.role)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # A superuser's form carries the groups as they were; saved after the user, they would undo the
        # role's group set by save_model. The role decides.
        super().save_related(request, form, formsets, change)
        if form.instance.role:
            user_assign_role(user=form.instance, role=form.instance.role)

    def audit_snapshot(self, obj: User) -> dict[str, Any]:
        """The user's standing after the change: what an auditor asks of an account."""
        if obj.pk is None:
            return {}
        return {
            "role": obj.role,
            "region": obj.region_id,
            "is_active": obj.is_active,
            "is_staff": obj.is_staff,
            "is_superuser": obj.is_superuser,
            "groups": sorted(obj.groups.values_list("name", flat=True)),
            "user_permissions": _perm_codes(obj.user_permissions.all()),
        }


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin, BaseGroupAdmin):
    """Django's group admin, audited: a group is a role, and its permissions are everyone's rights."""

    def audit_snapshot(self, obj: Group) -> dict[str, Any]:
        return {"permissions": _perm_codes(obj.permissions.all())} if obj.pk is not None else {}


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdminMixin, JurisdictionAdmin):
    region_lookup = "user__region__code"
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")

    def region_code_of(self, obj: Any) -> str | None:
        return obj.user.region_id

    def audit_region(self, obj: Any) -> str:
        return obj.user.region_id or ""

    def audit_snapshot(self, obj: Any) -> dict[str, Any]:
        return {"user": obj.user.username, "revoked_at": obj.revoked_at}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued from the profile page, where they are shown once
