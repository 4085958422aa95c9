"""The responsibility list (责任清单), read from the live groups and permissions."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission

from .roles import ROLES, Role


@dataclass
class Responsibility:
    code: str
    label: str
    levels: str
    duties: str
    permissions: list[str]
    user_count: int


_ACTIONS = {"view": "查看", "add": "新增", "change": "修改", "delete": "删除"}


def permission_label(perm: Permission) -> str:
    """Built-in permission names are English ("Can view …"); say them in Chinese."""
    model = perm.content_type.model_class()
    noun = str(model._meta.verbose_name) if model else perm.content_type.model
    action, _, rest = perm.codename.partition("_")
    if action in _ACTIONS and model is not None and rest == model._meta.model_name:
        return f"{_ACTIONS[action]}{noun}"
    return str(perm.name)


def responsibility_list() -> list[Responsibility]:
    groups = {
        g.name: g
        for g in Group.objects.filter(name__in=Role.values).prefetch_related(
            "permissions__content_type", "user_set"
        )
    }
    out = []
    for role, spec in ROLES.items():
        group = groups.get(role.value)
        perms = sorted(permission_label(p) for p in group.permissions.all()) if group else []
        out.append(
            Responsibility(
                code=role.value,
                label=role.label,
                levels="、".join(lv.label for lv in spec.levels),
                duties=spec.duties,
                permissions=perms,
                user_count=len(group.user_set.all()) if group else 0,
            )
        )
    return out
