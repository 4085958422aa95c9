"""Writes to the policy table."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import Conflict, ValidationFailed
from jiuzhu.core.vocab import AuditObject
from jiuzhu.regions.models import Region

from .models import PolicyVersion
from .selectors import policy_version_users


def policy_period_conflict(
    *, region: Region, effective_from: date, effective_to: date | None, exclude_pk: int | None = None
) -> str | None:
    """Why this period cannot be added for the region, or None. An open-ended earlier version does not
    conflict: it is closed the day before the new one starts."""
    others = PolicyVersion.objects.filter(region=region)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    others = others.exclude(effective_to__isnull=True, effective_from__lt=effective_from)
    overlap = others.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=effective_from))
    if effective_to is not None:
        overlap = overlap.filter(effective_from__lte=effective_to)
    first = overlap.order_by("effective_from").first()
    if first is None:
        return None
    return f"与该区划 {first.effective_from:%Y-%m-%d} 起的政策版本（{first.document_no}）生效期重叠"


def _check_fields(version: PolicyVersion) -> None:
    """The fields' own limits (a reference period of 1 to 36 months, …), whoever writes the version."""
    try:
        version.clean_fields(exclude=["region", "created_by"])
    except ValidationError as exc:
        raise ValidationFailed({f: "；".join(msgs) for f, msgs in exc.message_dict.items()}) from None


def policy_version_create(
    *, ctx: AuditContext, region: Region, effective_from: date, **values: Any
) -> PolicyVersion:
    """Add a version; at most one version of a region is in force on any day."""
    with transaction.atomic():
        list(PolicyVersion.objects.select_for_update().filter(region=region))
        conflict = policy_period_conflict(
            region=region, effective_from=effective_from, effective_to=values.get("effective_to")
        )
        if conflict:
            raise ValidationFailed({"effective_from": conflict})
        PolicyVersion.objects.filter(
            region=region, effective_to__isnull=True, effective_from__lt=effective_from
        ).update(effective_to=effective_from - timedelta(days=1))
        version = PolicyVersion(region=region, effective_from=effective_from, created_by=ctx.user, **values)
        _check_fields(version)
        version.save(force_insert=True)
        audit_record(
            ctx=ctx,
            action="create",
            object_type=AuditObject.POLICY_VERSION,
            object_id=version.pk,
            region_code=region.code,
            detail={"document_no": version.document_no},
        )
    return version


def policy_version_update(*, ctx: AuditContext, version: PolicyVersion, **changes: Any) -> PolicyVersion:
    """Change a version that nothing has used yet. A version behind a report, a case pinned to it or a
    decision is evidence of what they applied: it is frozen, and a change of policy is a new version."""
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        used = policy_version_users(locked)
        if used:
            raise Conflict(f"该政策版本已用于{'、'.join(used)}，不能修改；请新增一个版本")
        for field, value in changes.items():
            setattr(locked, field, value)
        _check_fields(locked)
        conflict = policy_period_conflict(
            region=locked.region,
            effective_from=locked.effective_from,
            effective_to=locked.effective_to,
            exclude_pk=locked.pk,
        )
        if conflict:
            raise ValidationFailed({"effective_from": conflict})
        locked.save()
        audit_record(
            ctx=ctx,
            action="update",
            object_type=AuditObject.POLICY_VERSION,
            object_id=locked.pk,
            region_code=locked.region_id,
            detail={"fields": sorted(changes)},
        )
    return locked


# Defaults for the fictional less-developed county (rules §9, "欠发达县").
SYNTHETIC_COUNTY_DEFAULTS: dict[str, Any] = {
    "document_no": "安民发〔2026〕1号（合成数据）",
    "dibao_standard_urban": Decimal("700"),
    "dibao_standard_rural": Decimal("520"),
    "minimum_wage_monthly": Decimal("1700"),
    "disposable_income_prev_year": Decimal("21000"),
}


def policy_seed_default(*, ctx: AuditContext, region: Region, effective_from: date) -> PolicyVersion:
    existing = PolicyVersion.objects.filter(region=region).order_by("-effective_from").first()
    if existing is not None:
        return existing
    return policy_version_create(
        ctx=ctx, region=region, effective_from=effective_from, **SYNTHETIC_COUNTY_DEFAULTS
    )
