"""Helpers shared by the registry services: diffs, history lines, scoped fetches."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, Model
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import Conflict, ValidationFailed
from jiuzhu.core.vocab import AuditObject
from jiuzhu.regions.models import Region
from jiuzhu.regions.scope import get_in_jurisdiction, in_jurisdiction

from ..models import Household, Membership, Person, RegistryChange


def plain(value: Any) -> Any:
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, date):
        return value.isoformat()
    return value


def diff(instance: Model, values: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for key, new in values.items():
        if key == "id_reversed":
            continue
        attr = f"{key}_id" if isinstance(new, Model) else key
        old = getattr(instance, attr)
        if plain(old) != plain(new):
            changes[key] = [plain(old), plain(new)]
    return changes


def history(
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


def person_changed(
    ctx: AuditContext,
    person: Person,
    *,
    kind: str,
    changes: dict[str, Any],
    entity: str = "person",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """A person's file changed: one history line (under their current household) and one audit line."""
    membership = current_membership(person)
    history(
        ctx,
        kind=kind,
        entity=entity,
        household=membership.household if membership else None,
        person=person,
        changes=changes,
        reason=reason,
    )
    audit_record(
        ctx=ctx,
        action="create" if kind == "create" else "update",
        object_type=AuditObject.PERSON,
        object_id=person.pk,
        region_code=person.residence_region_id,
        detail=detail,
    )


def household_changed(
    ctx: AuditContext,
    household: Household,
    *,
    kind: str,
    changes: dict[str, Any],
    entity: str = "household",
    person: Person | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """A household file changed: one history line and one audit line."""
    history(ctx, kind=kind, entity=entity, household=household, person=person, changes=changes, reason=reason)
    audit_record(
        ctx=ctx,
        action="create" if kind == "create" else "update",
        object_type=AuditObject.HOUSEHOLD,
        object_id=household.pk,
        region_code=household.region_id,
        detail=detail,
    )


def versioned_update(obj: Person | Household, version: int, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Optimistic locking for a row already locked (``locked_household``, ``locked_person``): refuse an
    edit made on a stale version, write the changed values with the next version, and return the changes
    (empty when nothing changed, and then nothing is written)."""
    if obj.version != version:
        raise Conflict()
    changes = diff(obj, values)
    if changes:
        type(obj).objects.filter(pk=obj.pk).update(
            **values, version=F("version") + 1, updated_at=timezone.now()
        )
        obj.refresh_from_db()
    return changes


def check_region(ctx: AuditContext, region: Region | None, field: str) -> None:
    if region is not None and not in_jurisdiction(ctx.user, region.code):
        raise ValidationFailed({field: "所选区划不在您的辖区内"})


def current_membership(person: Person) -> Membership | None:
    return Membership.objects.filter(person=person, end_date__isnull=True).select_related("household").first()


def locked_household(ctx: AuditContext, household_id: int) -> Household:
    """The household, locked for the write, if it lies in the caller's jurisdiction (else NotFound)."""
    return get_in_jurisdiction(
        Household.objects.select_for_update(), user=ctx.user, pk=household_id, region_field="region__code"
    )


def locked_person(ctx: AuditContext, person_id: int) -> Person:
    """The person, locked for the write, if they live in the caller's jurisdiction (else NotFound)."""
    return get_in_jurisdiction(
        Person.objects.select_for_update(), user=ctx.user, pk=person_id, region_field="residence_region__code"
    )
