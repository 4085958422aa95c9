"""Registering and correcting persons."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.permissions import require_perm

from ..models import Person
from ..validation import ID_NOT_REGISTRABLE_HERE, clean_person, id_number_taken
from .common import check_region, locked_person, person_changed, plain, versioned_update


def person_create(*, ctx: AuditContext, data: dict[str, Any]) -> Person:
    require_perm(ctx.user, "registry.add_person")
    values = clean_person(data, user=ctx.user)
    check_region(ctx, values.get("residence_region"), "residence_region")
    with transaction.atomic():
        try:
            person = Person.objects.create(**values)
        except IntegrityError:
            # Registered by someone else meanwhile: the same answer as the check in clean_person.
            message = id_number_taken(values["id_number"], user=ctx.user) or ID_NOT_REGISTRABLE_HERE
            raise ValidationFailed({"id_number": message}) from None
        person_changed(
            ctx, person, kind="create", changes={k: plain(v) for k, v in values.items() if k != "id_reversed"}
        )
    return person


def person_update(*, ctx: AuditContext, person_id: int, version: int, data: dict[str, Any]) -> Person:
    """Update the given fields. ``version`` is the one the user saw; a stale one is a conflict."""
    require_perm(ctx.user, "registry.change_person")
    with transaction.atomic():
        person = locked_person(ctx, person_id)
        if "id_number" in data and not ctx.user.has_perm("registry.view_full_id_number"):
            raise ValidationFailed({"id_number": "您的角色无权修改身份证号码"})
        values = clean_person(data, user=ctx.user, instance=person)
        check_region(ctx, values.get("residence_region"), "residence_region")
        changes = versioned_update(person, version, values)
        if not changes:
            return person
        person_changed(ctx, person, kind="update", changes=changes, detail={"fields": sorted(changes)})
    return person
