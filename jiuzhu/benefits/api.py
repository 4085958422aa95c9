"""REST endpoints of decisions and entitlements."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from jiuzhu.audit.services import audit_view
from jiuzhu.core.vocab import AuditObject
from jiuzhu.registry.selectors import household_get

from . import selectors

router = Router(tags=["救助决定与在保"])


class EntitlementEventOut(Schema):
    at: datetime
    kind: str
    changes: dict[str, Any]
    reason: str


class EntitlementOut(Schema):
    id: int
    program: str
    status: str
    start_month: date
    end_month: date | None
    amount: Decimal
    members: int
    review_class: str
    next_review_on: date
    decision_id: int
    case_number: str
    decided_on: date
    policy_version_id: int
    computation: list[dict[str, str]]
    events: list[EntitlementEventOut]
    person_id: int | None = None  # a per-person entitlement (特困, 单人保 …)
    payment: str = "monthly"  # PaymentKind: monthly / once / no_cash
    valid_until: date | None = None  # the last valid month of a fixed validity (刚性支出 ≤ 12 months)
    details: dict[str, Any] = {}  # the program's details (专项救助 eligibility, 单人保 member …)


@router.get(
    "/households/{household_id}/entitlements",
    response=list[EntitlementOut],
    summary="家庭的在保记录（含决定、计算过程与变更记录）",
)
def household_entitlements(request: HttpRequest, household_id: int) -> list[EntitlementOut]:
    rows = selectors.entitlements_for_household(user=request.user, household_id=household_id)
    household = household_get(user=request.user, household_id=household_id)
    audit_view(
        request,
        object_type=AuditObject.HOUSEHOLD,
        object_id=household.pk,
        region_code=household.region_id,
        benefits=True,
    )
    return [
        EntitlementOut(
            id=e.pk,
            program=e.program,
            status=e.status,
            start_month=e.start_month,
            end_month=e.end_month,
            amount=e.amount,
            members=e.members,
            review_class=e.review_class,
            next_review_on=e.next_review_on,
            decision_id=e.decision_id,
            case_number=e.decision.case_number,
            decided_on=e.decision.decided_on,
            policy_version_id=e.decision.policy_version_id,
            computation=[
                {k: str(v) for k, v in s.items()}
                for s in e.decision.computation.get("allowance", {}).get("steps", [])
            ],
            events=[
                EntitlementEventOut(at=ev.at, kind=ev.kind, changes=ev.changes, reason=ev.reason)
                for ev in e.events.all()
            ],
            person_id=e.person_id,
            payment=e.payment,
            valid_until=e.valid_until,
            details=e.details,
        )
        for e in rows
    ]
