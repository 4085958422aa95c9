"""Category tags (低保, 特困, 困境儿童 …) held by persons over a period."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import NotFound, ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.text import clean_text, shown

from ..choices import Category
from ..models import PersonCategory
from ..validation import check_date_window, raise_if
from .common import locked_person, person_changed


def category_tag(
    *, ctx: AuditContext, person_id: int, category: str, start_date: date | None = None, note: str = ""
) -> PersonCategory:
    require_perm(ctx.user, "registry.add_personcategory")
    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = f"未知的类别：{shown(category)}"
    note = clean_text(note, "note", "备注", errors, max_length=200)
    start = start_date or date.today()
    check_date_window(start, "start_date", "起始日期", errors)
    raise_if(errors)
    with transaction.atomic():
        person = locked_person(ctx, person_id)
        if PersonCategory.objects.filter(person=person, category=category, end_date__isnull=True).exists():
            raise ValidationFailed({"category": "该人员已有此类别"})
        tag = PersonCategory.objects.create(person=person, category=category, start_date=start, note=note)
        person_changed(
            ctx,
            person,
            kind="tag",
            changes={"category": category, "start_date": start.isoformat()},
            entity="category",
            reason=note,
            detail={"tag": category},
        )
    return tag


def category_untag(
    *, ctx: AuditContext, person_id: int, category: str, end_date: date | None = None, reason: str
) -> None:
    require_perm(ctx.user, "registry.change_personcategory")
    errors: dict[str, str] = {}
    reason = clean_text(reason, "reason", "取消原因", errors, max_length=200)
    if "reason" not in errors and not reason:
        errors["reason"] = "请填写取消原因"
    end = end_date or date.today()
    check_date_window(end, "end_date", "终止日期", errors)
    raise_if(errors)
    with transaction.atomic():
        person = locked_person(ctx, person_id)
        tag = PersonCategory.objects.filter(person=person, category=category, end_date__isnull=True).first()
        if tag is None:
            raise NotFound("该人员当前没有此类别")
        if end < tag.start_date:
            raise ValidationFailed({"end_date": "终止日期不能早于起始日期"})
        PersonCategory.objects.filter(pk=tag.pk).update(end_date=end)
        person_changed(
            ctx,
            person,
            kind="untag",
            changes={"category": category, "end_date": end.isoformat()},
            entity="category",
            reason=reason,
            detail={"untag": category},
        )
