"""低保边缘 and 刚性支出困难 beyond the common decision: 单人保 granted with a 低保边缘 decision, and the
automatic end of entitlements whose validity has passed (docs/decisions.md, "低保边缘 and 刚性支出困难").

- ``single_member_grant``: when the confirmed 低保边缘 decision names a member for 单人保 (the case's
  fact ``single_member_id``, checked by the rule), a 低保 decision for that person alone (``person`` set,
  one member, their own income against the standard) and its entitlement, numbered after the case
  (``<case number>-DB``). Same transaction as the 低保边缘 decision.
- ``entitlements_expire``: every live (active or suspended) entitlement whose last valid month
  (``valid_until``) is before the month of ``today`` ends — status ended, ``end_month`` the last valid
  month, ``version`` bumped, an event and an audit line (the workflow's scan adds the 终止救助告知书 of
  the monthly-cash programs: ``workflow.services.expiry``). Idempotent (a
  conditional update claims each one), so the daily scan and the command may both run it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.audit.services import AuditContext, audit_record
from jiuzhu.core.errors import NotFound
from jiuzhu.core.vocab import AidProgram, AuditObject, CaseOutcome, EntitlementStatus

from .engine.review import month_of
from .models import Decision, Entitlement, EntitlementEvent
from .selectors import LIVE
from .services import DecisionMember, decision_record, entitlement_create

SINGLE_SUFFIX = "-DB"


def single_member_grant(*, ctx: AuditContext, decision_id: int) -> Entitlement | None:
    """The 单人保 of a confirmed 低保边缘 decision, if it names one (None otherwise)."""
    decision = Decision.objects.select_related("policy_version").filter(pk=decision_id).first()
    if decision is None:
        raise NotFound()
    if decision.program != AidProgram.NEAR_DIBAO or decision.outcome != CaseOutcome.CONFIRMED:
        return None
    grant = decision.computation.get("allowance") or {}
    details = grant.get("details") or {}
    person_id = details.get("single_member_id")
    if person_id is None or not grant.get("single_member"):
        return None
    rows = [m for m in decision.computation.get("members", []) if int(m["person_id"]) == int(person_id)]
    member = DecisionMember(**rows[0])
    income = Decimal(str((grant["single_member"].get("details") or {}).get("person_income", "0")))
    applied = decision.computation.get("applied_on")
    with transaction.atomic():
        single = decision_record(
            ctx=ctx,
            case_number=f"{decision.case_number}{SINGLE_SUFFIX}",
            program=AidProgram.DIBAO,
            household_id=decision.household_id,
            applicant_id=decision.applicant_id,
            region_code=decision.region_id,
            outcome=CaseOutcome.CONFIRMED,
            reasons=f"低保边缘家庭重病重残成员单人保（依据 {decision.case_number}）",
            per_capita_income=income,
            members=[member],
            policy=decision.policy_version,
            decided_on=decision.decided_on,
            applied_on=date.fromisoformat(applied) if applied else None,
            subject=member,
            details={"single_member_of": decision.case_number},
        )
        return entitlement_create(ctx=ctx, decision_id=single.pk)


def entitlements_expire(
    *,
    ctx: AuditContext,
    today: date | None = None,
    ended: Callable[[Entitlement], None] | None = None,
) -> int:
    """End every live (active or suspended) entitlement whose validity has passed; the number ended now.
    Each end bumps ``version``. ``ended`` is called with each entitlement ended, in its transaction:
    the workflow's scan issues the 终止救助告知书 of the monthly-cash programs there (benefits does not
    reach the notices)."""
    month = month_of(today or timezone.localdate())
    due = Entitlement.objects.filter(status__in=LIVE, valid_until__isnull=False, valid_until__lt=month)
    rows = [
        (pk, last, region_code, program)
        for pk, last, region_code, program in due.values_list("pk", "valid_until", "region_id", "program")
        if last is not None
    ]
    count = 0
    for pk, last, region_code, program in rows:
        with transaction.atomic():
            claimed = Entitlement.objects.filter(pk=pk, status__in=LIVE).update(
                status=EntitlementStatus.ENDED, end_month=last, version=F("version") + 1
            )
            if not claimed:
                continue
            until = f"{last.year}年{last.month}月"
            EntitlementEvent.objects.create(
                entitlement_id=pk,
                at=timezone.now(),
                kind="expire",
                changes={"status": EntitlementStatus.ENDED, "end_month": last.isoformat()},
                reason=f"{AidProgram.label_of(program)}认定有效期至{until}届满，自动终止",
                actor=ctx.user,
            )
            audit_record(
                ctx=ctx,
                action="update",
                object_type=AuditObject.ENTITLEMENT,
                object_id=pk,
                region_code=region_code,
                detail={
                    "status": EntitlementStatus.ENDED,
                    "end_month": last.isoformat(),
                    "expired": True,
                },
            )
            if ended is not None:
                ended(Entitlement.objects.select_related("decision__applicant").get(pk=pk))
            count += 1
    return count
