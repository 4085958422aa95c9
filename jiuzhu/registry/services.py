"""Every write to the registry. Each function is one transaction that also records the change in
the household file's history and appends an audit line."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Model
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import Conflict, NotFound, ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.scope import in_jurisdiction
from jiuzhu.regions.models import Region

from .choices import Category, Relation
from .models import Household, Membership, Person, PersonCategory, RegistryChange
from .validation import clean_choice, clean_household, clean_person


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _diff(instance: Model, values: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for key, new in values.items():
        if key == "id_reversed":
            continue
        attr = f"{key}_id" if isinstance(new, Model) else key
        old = getattr(instance, attr)
        if _plain(old) != _plain(new):
            changes[key] = [_plain(old), _plain(new)]
    return changes


def _history(
    ctx: AuditContext,
    *,
    kind: str,
    entity: str,
    household: Household | None,
    person: Person | None,
    changes: dict[str, Any],
    reason: str = "",
) -> None:
    RegistryChange.objects.create(
        household=household,
        person=person,
        kind=kind,
        entity=entity,
        changes=changes,
        reason=reason,
        actor=ctx.user,
        actor_name=ctx.user.get_username() if ctx.user else "system",
        at=timezone.now(),
    )


def _check_region(ctx: AuditContext, region: Region | None, field: str) -> None:
    if region is not None and not in_jurisdiction(ctx.user, region.code):
        raise ValidationFailed({field: "所选区划不在您的辖区内"})


def _current_membership(person: Person) -> Membership | None:
    return Membership.objects.filter(person=person, end_date__isnull=True).select_related("household").first()


def _get_scoped(
    model: type[Model], pk: Any, ctx: AuditContext, region_attr: str, *, lock: bool = False
) -> Any:
    qs = model.objects.all()  # type: ignore[attr-defined]
    if lock:
        qs = qs.select_for_update()
    obj = qs.filter(pk=pk).first()
    if obj is None or not in_jurisdiction(ctx.user, getattr(obj, region_attr)):
        raise NotFound()
    return obj


# --- persons ------------------------------------------------------------------------------------


def person_create(*, ctx: AuditContext, data: dict[str, Any]) -> Person:
    require_perm(ctx.user, "registry.add_person")
    values = clean_person(data)
    _check_region(ctx, values.get("residence_region"), "residence_region")
    with transaction.atomic():
        try:
            person = Person.objects.create(**values)
        except IntegrityError:
            raise ValidationFailed({"id_number": "该身份证号码已登记，请直接查找该人员"}) from None
        _history(
            ctx,
            kind="create",
            entity="person",
            household=None,
            person=person,
            changes={k: _plain(v) for k, v in values.items() if k != "id_reversed"},
        )
        audit_record(
            ctx=ctx,
            action="create",
            object_type="person",
            object_id=person.pk,
            region_code=person.residence_region_id,
        )
    return person


def person_update(*, ctx: AuditContext, person_id: int, version: int, data: dict[str, Any]) -> Person:
    """Update the given fields. ``version`` is the one the user saw; a stale one is a conflict."""
    require_perm(ctx.user, "registry.change_person")
    with transaction.atomic():
        person = _get_scoped(Person, person_id, ctx, "residence_region_id", lock=True)
        if "id_number" in data and not ctx.user.has_perm("registry.view_full_id_number"):
            raise ValidationFailed({"id_number": "您的角色无权修改身份证号码"})
        values = clean_person(data, instance=person)
        _check_region(ctx, values.get("residence_region"), "residence_region")
        changes = _diff(person, values)
        if person.version != version:
            raise Conflict()
        if not changes:
            return person
        updated = Person.objects.filter(pk=person.pk, version=version).update(
            **values, version=F("version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise Conflict()
        person.refresh_from_db()
        membership = _current_membership(person)
        _history(
            ctx,
            kind="update",
            entity="person",
            household=membership.household if membership else None,
            person=person,
            changes=changes,
        )
        audit_record(
            ctx=ctx,
            action="update",
            object_type="person",
            object_id=person.pk,
            region_code=person.residence_region_id,
            detail={"fields": sorted(changes)},
        )
    return person


# --- households ---------------------------------------------------------------------------------


def _next_household_number(region: Region) -> str:
    prefix = f"{region.code}-"
    last = Household.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def household_create(
    *, ctx: AuditContext, data: dict[str, Any], head_person_id: int, start_date: date | None = None
) -> Household:
    """Open a household file with its head as the first member."""
    require_perm(ctx.user, "registry.add_household")
    values = clean_household(data, creating=True)
    _check_region(ctx, values["region"], "region")
    with transaction.atomic():
        head = _get_scoped(Person, head_person_id, ctx, "residence_region_id", lock=True)
        if _current_membership(head) is not None:
            raise ValidationFailed({"head_person_id": "该人员已是另一户的成员，请先办理迁出"})
        household = Household.objects.create(
            number=_next_household_number(values["region"]), head=head, **values
        )
        Membership.objects.create(
            household=household, person=head, relation=Relation.HEAD, start_date=start_date or date.today()
        )
        _history(
            ctx,
            kind="create",
            entity="household",
            household=household,
            person=head,
            changes={k: _plain(v) for k, v in values.items()} | {"head": head.pk},
        )
        audit_record(
            ctx=ctx,
            action="create",
            object_type="household",
            object_id=household.pk,
            region_code=household.region_id,
        )
    return household


def household_update(
    *, ctx: AuditContext, household_id: int, version: int, data: dict[str, Any]
) -> Household:
    require_perm(ctx.user, "registry.change_household")
    with transaction.atomic():
        household = _get_scoped(Household, household_id, ctx, "region_id", lock=True)
        values = clean_household(data, creating=False)
        _check_region(ctx, values.get("region"), "region")
        if household.version != version:
            raise Conflict()
        changes = _diff(household, values)
        if not changes:
            return household
        updated = Household.objects.filter(pk=household.pk, version=version).update(
            **values, version=F("version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise Conflict()
        household.refresh_from_db()
        _history(ctx, kind="update", entity="household", household=household, person=None, changes=changes)
        audit_record(
            ctx=ctx,
            action="update",
            object_type="household",
            object_id=household.pk,
            region_code=household.region_id,
            detail={"fields": sorted(changes)},
        )
    return household


def member_join(
    *,
    ctx: AuditContext,
    household_id: int,
    person_id: int,
    relation: str,
    co_resident: bool = True,
    on: date | None = None,
    reason: str = "",
) -> Membership:
    """Add a person to a household. If they belong to another household now, that membership is
    closed on the same day: a move keeps the old membership as history."""
    require_perm(ctx.user, "registry.change_membership")
    errors: dict[str, str] = {}
    relation = clean_choice("relation", relation, errors)
    if relation == Relation.HEAD:
        errors["relation"] = "户主须通过“变更户主”办理"
    if errors:
        raise ValidationFailed(errors)
    on = on or date.today()
    with transaction.atomic():
        household = _get_scoped(Household, household_id, ctx, "region_id", lock=True)
        person = _get_scoped(Person, person_id, ctx, "residence_region_id", lock=True)
        if person.is_deceased:
            raise ValidationFailed({"person_id": "该人员已死亡，不能加入家庭"})
        current = _current_membership(person)
        if current is not None:
            if current.household_id == household.pk:
                raise ValidationFailed({"person_id": "该人员已是本户成员"})
            if current.household.head_id == person.pk:
                raise ValidationFailed({"person_id": "该人员是原户户主，请先为原户变更户主"})
            if on < current.start_date:
                raise ValidationFailed({"on": "迁入日期不能早于其在原户的加入日期"})
            _close(ctx, current, on=on, reason=reason or f"迁入 {household.number}")
        membership = Membership.objects.create(
            household=household, person=person, relation=relation, co_resident=co_resident, start_date=on
        )
        moved = {}
        if person.residence_region_id != household.region_id:
            moved = {"residence_region": [person.residence_region_id, household.region_id]}
            Person.objects.filter(pk=person.pk).update(
                residence_region=household.region, version=F("version") + 1, updated_at=timezone.now()
            )
        _history(
            ctx,
            kind="join",
            entity="membership",
            household=household,
            person=person,
            changes={"relation": relation, "co_resident": co_resident, "start_date": on.isoformat(), **moved},
            reason=reason,
        )
        audit_record(
            ctx=ctx,
            action="update",
            object_type="household",
            object_id=household.pk,
            region_code=household.region_id,
            detail={"join": person.pk},
        )
    return membership


def _close(ctx: AuditContext, membership: Membership, *, on: date, reason: str) -> None:
    Membership.objects.filter(pk=membership.pk).update(end_date=on, end_reason=reason[:200])
    _history(
        ctx,
        kind="leave",
        entity="membership",
        household=membership.household,
        person=membership.person,
        changes={"end_date": on.isoformat()},
        reason=reason,
    )


def member_leave(
    *, ctx: AuditContext, household_id: int, person_id: int, reason: str, on: date | None = None
) -> None:
    require_perm(ctx.user, "registry.change_membership")
    if not reason.strip():
        raise ValidationFailed({"reason": "请填写离开原因（如死亡、分户、服刑、迁出）"})
    on = on or date.today()
    with transaction.atomic():
        household = _get_scoped(Household, household_id, ctx, "region_id", lock=True)
        membership = (
            Membership.objects.filter(household=household, person_id=person_id, end_date__isnull=True)
            .select_related("person", "household")
            .first()
        )
        if membership is None:
            raise NotFound("该人员不是本户的现有成员")
        if household.head_id == membership.person_id:
            raise ValidationFailed({"person_id": "户主不能直接离开，请先变更户主"})
        if on < membership.start_date:
            raise ValidationFailed({"on": "离开日期不能早于加入日期"})
        _close(ctx, membership, on=on, reason=reason.strip())
        audit_record(
            ctx=ctx,
            action="update",
            object_type="household",
            object_id=household.pk,
            region_code=household.region_id,
            detail={"leave": person_id},
        )


def household_change_head(
    *, ctx: AuditContext, household_id: int, version: int, person_id: int, old_head_relation: str
) -> Household:
    """Make a current member the head; the old head stays a member with the given relation."""
    require_perm(ctx.user, "registry.change_household")
    errors: dict[str, str] = {}
    old_head_relation = clean_choice("relation", old_head_relation, errors)
    if errors:
        raise ValidationFailed({"old_head_relation": errors["relation"]})
    with transaction.atomic():
        household = _get_scoped(Household, household_id, ctx, "region_id", lock=True)
        if household.version != version:
            raise Conflict()
        new = Membership.objects.filter(
            household=household, person_id=person_id, end_date__isnull=True
        ).first()
        if new is None:
            raise ValidationFailed({"person_id": "新户主必须是本户现有成员"})
        if household.head_id == person_id:
            return household
        old_head_id = household.head_id
        Membership.objects.filter(household=household, person_id=old_head_id, end_date__isnull=True).update(
            relation=old_head_relation
        )
        Membership.objects.filter(pk=new.pk).update(relation=Relation.HEAD)
        Household.objects.filter(pk=household.pk).update(
            head_id=person_id, version=F("version") + 1, updated_at=timezone.now()
        )
        household.refresh_from_db()
        _history(
            ctx,
            kind="update",
            entity="household",
            household=household,
            person=None,
            changes={"head": [old_head_id, person_id]},
        )
        audit_record(
            ctx=ctx,
            action="update",
            object_type="household",
            object_id=household.pk,
            region_code=household.region_id,
            detail={"head": person_id},
        )
    return household


# --- categories ---------------------------------------------------------------------------------


def category_tag(
    *, ctx: AuditContext, person_id: int, category: str, start_date: date | None = None, note: str = ""
) -> PersonCategory:
    require_perm(ctx.user, "registry.add_personcategory")
    if category not in Category.values:
        raise ValidationFailed({"category": f"未知的类别：{category}"})
    start = start_date or date.today()
    with transaction.atomic():
        person = _get_scoped(Person, person_id, ctx, "residence_region_id", lock=True)
        if PersonCategory.objects.filter(person=person, category=category, end_date__isnull=True).exists():
            raise ValidationFailed({"category": "该人员已有此类别"})
        tag = PersonCategory.objects.create(
            person=person, category=category, start_date=start, note=note[:200]
        )
        membership = _current_membership(person)
        _history(
            ctx,
            kind="tag",
            entity="category",
            household=membership.household if membership else None,
            person=person,
            changes={"category": category, "start_date": start.isoformat()},
            reason=note,
        )
        audit_record(
            ctx=ctx,
            action="update",
            object_type="person",
            object_id=person.pk,
            region_code=person.residence_region_id,
            detail={"tag": category},
        )
    return tag


def category_untag(
    *, ctx: AuditContext, person_id: int, category: str, end_date: date | None = None, reason: str
) -> None:
    require_perm(ctx.user, "registry.change_personcategory")
    if not reason.strip():
        raise ValidationFailed({"reason": "请填写取消原因"})
    end = end_date or date.today()
    with transaction.atomic():
        person = _get_scoped(Person, person_id, ctx, "residence_region_id", lock=True)
        tag = PersonCategory.objects.filter(person=person, category=category, end_date__isnull=True).first()
        if tag is None:
            raise NotFound("该人员当前没有此类别")
        if end < tag.start_date:
            raise ValidationFailed({"end_date": "终止日期不能早于起始日期"})
        PersonCategory.objects.filter(pk=tag.pk).update(end_date=end)
        membership = _current_membership(person)
        _history(
            ctx,
            kind="untag",
            entity="category",
            household=membership.household if membership else None,
            person=person,
            changes={"category": category, "end_date": end.isoformat()},
            reason=reason,
        )
        audit_record(
            ctx=ctx,
            action="update",
            object_type="person",
            object_id=person.pk,
            region_code=person.residence_region_id,
            detail={"untag": category},
        )
