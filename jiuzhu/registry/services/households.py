"""Household files: opening, editing, members joining and leaving, changing the head."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import Conflict, NotFound, ValidationFailed
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.text import clean_text
from jiuzhu.core.vocab import AuditObject
from jiuzhu.regions.models import Region

from ..choices import Relation
from ..models import Household, Membership, Person
from ..validation import check_date_window, clean_choice, clean_household, raise_if
from .common import (
    check_region,
    current_membership,
    history,
    household_changed,
    locked_household,
    locked_person,
    plain,
    versioned_update,
)


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
    errors: dict[str, str] = {}
    check_date_window(start_date, "start_date", "加入日期", errors)
    raise_if(errors)
    values = clean_household(data, creating=True)
    check_region(ctx, values["region"], "region")
    with transaction.atomic():
        head = locked_person(ctx, head_person_id)
        if current_membership(head) is not None:
            raise ValidationFailed({"head_person_id": "该人员已是另一户的成员，请先办理迁出"})
        household = Household.objects.create(
            number=_next_household_number(values["region"]), head=head, **values
        )
        Membership.objects.create(
            household=household, person=head, relation=Relation.HEAD, start_date=start_date or date.today()
        )
        household_changed(
            ctx,
            household,
            kind="create",
            changes={k: plain(v) for k, v in values.items()} | {"head": head.pk},
            person=head,
        )
    return household


def household_update(
    *, ctx: AuditContext, household_id: int, version: int, data: dict[str, Any]
) -> Household:
    require_perm(ctx.user, "registry.change_household")
    with transaction.atomic():
        household = locked_household(ctx, household_id)
        values = clean_household(data, creating=False)
        check_region(ctx, values.get("region"), "region")
        changes = versioned_update(household, version, values)
        if not changes:
            return household
        household_changed(ctx, household, kind="update", changes=changes, detail={"fields": sorted(changes)})
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
    reason = clean_text(reason, "reason", "说明", errors, max_length=200)
    on = on or date.today()
    check_date_window(on, "on", "加入日期", errors)
    raise_if(errors)
    with transaction.atomic():
        household = locked_household(ctx, household_id)
        person = locked_person(ctx, person_id)
        if on < person.birth_date:
            raise ValidationFailed(
                {"on": f"加入日期不能早于该人员的出生日期（{person.birth_date.isoformat()}）"}
            )
        if person.is_deceased:
            raise ValidationFailed({"person_id": "该人员已死亡，不能加入家庭"})
        current = current_membership(person)
        if current is not None:
            if current.household_id == household.pk:
                raise ValidationFailed({"person_id": "该人员已是本户成员"})
            if current.household.head_id == person.pk:
                raise ValidationFailed({"person_id": "该人员是原户户主，请先为原户变更户主"})
            if on < current.start_date:
                raise ValidationFailed({"on": "迁入日期不能早于其在原户的加入日期"})
            # The old household's file keeps the move, not where to: the new household may lie
            # outside the jurisdiction of those who read the old one.
            _close(ctx, current, on=on, reason=reason or "迁入其他家庭")
        membership = Membership.objects.create(
            household=household, person=person, relation=relation, co_resident=co_resident, start_date=on
        )
        moved = {}
        if person.residence_region_id != household.region_id:
            moved = {"residence_region": [person.residence_region_id, household.region_id]}
            Person.objects.filter(pk=person.pk).update(
                residence_region=household.region, version=F("version") + 1, updated_at=timezone.now()
            )
        household_changed(
            ctx,
            household,
            kind="join",
            changes={"relation": relation, "co_resident": co_resident, "start_date": on.isoformat(), **moved},
            entity="membership",
            person=person,
            reason=reason,
            detail={"join": person.pk},
        )
    return membership


def _close(ctx: AuditContext, membership: Membership, *, on: date, reason: str) -> None:
    Membership.objects.filter(pk=membership.pk).update(end_date=on, end_reason=reason)
    history(
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
    errors: dict[str, str] = {}
    reason = clean_text(reason, "reason", "离开原因", errors, max_length=200)
    if "reason" not in errors and not reason:
        errors["reason"] = "请填写离开原因（如死亡、分户、服刑、迁出）"
    on = on or date.today()
    check_date_window(on, "on", "离开日期", errors)
    raise_if(errors)
    with transaction.atomic():
        household = locked_household(ctx, household_id)
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
        _close(ctx, membership, on=on, reason=reason)
        audit_record(
            ctx=ctx,
            action="update",
            object_type=AuditObject.HOUSEHOLD,
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
        household = locked_household(ctx, household_id)
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
        Membership.objects.filter(household=household, relation=Relation.HEAD, end_date__isnull=True).update(
            relation=old_head_relation
        )
        Membership.objects.filter(pk=new.pk).update(relation=Relation.HEAD)
        Household.objects.filter(pk=household.pk).update(
            head_id=person_id, version=F("version") + 1, updated_at=timezone.now()
        )
        household.refresh_from_db()
        household_changed(
            ctx,
            household,
            kind="update",
            changes={"head": [old_head_id, person_id]},
            detail={"head": person_id},
        )
    return household
