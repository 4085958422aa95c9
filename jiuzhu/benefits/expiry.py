"""Expiry: an entitlement with a last valid month (``valid_until``: a 刚性支出 recognition of at most 12
months, the end of a 渐退期) ends once that month has passed. One path for every kind of validity;
idempotent (an ended entitlement is not touched again)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.vocab import AuditObject, EntitlementStatus

from .models import Entitlement, EntitlementEvent


@dataclass(frozen=True)
class Expired:
    ended: int


def entitlements_expire(*, ctx: AuditContext, today: date | None = None) -> Expired:
    """End every live entitlement whose ``valid_until`` month lies before ``today``'s month: its
    ``end_month`` is the last valid month, with an ``expire`` event (the 渐退期's reason where it was
    one)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    ended = 0
    due = Entitlement.objects.filter(
        status__in=(EntitlementStatus.ACTIVE, EntitlementStatus.SUSPENDED), valid_until__lt=first
    ).values_list("pk", flat=True)
    for pk in list(due[:100000]):
        with transaction.atomic():
            e = (
                Entitlement.objects.select_for_update()
                .filter(pk=pk, status__in=(EntitlementStatus.ACTIVE, EntitlementStatus.SUSPENDED))
                .first()
            )
            if e is None or e.valid_until is None or e.valid_until >= first:
                continue
            taper = (e.details or {}).get("taper")
            reason = "渐退期满" if taper else "认定有效期届满"
            Entitlement.objects.filter(pk=e.pk).update(
                status=EntitlementStatus.ENDED, end_month=e.valid_until, version=F("version") + 1
            )
            changes = {
                "status": [e.status, EntitlementStatus.ENDED.value],
                "end_month": e.valid_until.isoformat(),
            }
            EntitlementEvent.objects.create(
                entitlement=e,
                at=timezone.now(),
                kind="expire",
                changes=changes,
                reason=reason,
                actor=ctx.user,
            )
            audit_record(
                ctx=ctx,
                action="update",
                object_type=AuditObject.ENTITLEMENT,
                object_id=e.pk,
                region_code=e.region_id,
                detail={"change": "expire", **changes},
            )
            ended += 1
    return Expired(ended=ended)
