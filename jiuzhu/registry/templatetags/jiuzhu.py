from __future__ import annotations

from typing import Any

from django.template import Library

from jiuzhu.registry import idnumber

register = Library()


@register.simple_tag(takes_context=True)
def id_number(context: dict[str, Any], value: str) -> str:
    """The full ID number for roles that need it; masked (110***********123X) for the others."""
    user = context["request"].user
    return value if user.has_perm("registry.view_full_id_number") else idnumber.mask(value)


@register.filter
def change_value(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)


@register.filter
def is_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2


@register.filter
def field_label(name: str) -> str:
    from jiuzhu.registry.models import Household, Membership, Person, PersonCategory

    for model in (Person, Household, Membership, PersonCategory):
        try:
            return str(getattr(model._meta.get_field(name), "verbose_name", name))
        except Exception:
            continue
    return name
