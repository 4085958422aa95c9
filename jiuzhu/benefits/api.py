"""REST endpoints of decisions and entitlements."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from jiuzhu.audit.services import AuditContext, audit_view
from jiuzhu.core.vocab import AuditObject
from jiuzhu.registry.selectors import household_get

from . import recompute, selectors

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


# --- the children's programs and the 残联 certificate check ---------------------------------------------


class ChildEntitlementOut(Schema):
    entitlement_id: int
    program: str
    status: str
    child_id: int | None
    child_name: str
    guardian_id: int | None
    guardian_name: str
    guardian_id_masked: str
    guardian_relation: str
    father_situation: str
    mother_situation: str
    difficulty: str
    basis: str
    amount: Decimal
    payment: str
    start_month: date
    case_number: str


@router.get(
    "/households/{household_id}/children",
    response=list[ChildEntitlementOut],
    summary="家庭的儿童保障（困境儿童、事实无人抚养儿童：监护人、父母情况、补贴）",
)
def household_children(request: HttpRequest, household_id: int) -> list[ChildEntitlementOut]:
    rows = selectors.children_for_household(user=request.user, household_id=household_id)
    household = household_get(user=request.user, household_id=household_id)
    audit_view(
        request,
        object_type=AuditObject.HOUSEHOLD,
        object_id=household.pk,
        region_code=household.region_id,
        benefits=True,
    )
    return [ChildEntitlementOut(**{k: getattr(r, k) for k in ChildEntitlementOut.model_fields}) for r in rows]


class CertificateCheckOut(Schema):
    ok: bool
    reasons: list[str]
    certificate_no: str | None
    category: str | None
    grade: int | None
    issued_on: date | None
    valid_until: date | None


@router.get(
    "/persons/{person_id}/disability-certificate",
    response=CertificateCheckOut,
    summary="残疾人证核验（残联数据：证号、类别、等级、有效期；on 为核验日期，默认今天）",
)
def person_disability_certificate(
    request: HttpRequest, person_id: int, on: date | None = None
) -> CertificateCheckOut:
    from django.utils import timezone

    from jiuzhu.core.permissions import require_perm
    from jiuzhu.registry.selectors import person_get

    require_perm(request.user, "benefits.view_entitlement")
    person = person_get(user=request.user, person_id=person_id)
    check = selectors.disability_certificate_check(person_id=person.pk, on=on or timezone.localdate())
    audit_view(
        request,
        object_type=AuditObject.PERSON,
        object_id=person.pk,
        region_code=person.residence_region_id,
        disability_certificate=True,
    )
    record = check.record
    return CertificateCheckOut(
        ok=check.ok,
        reasons=list(check.reasons),
        certificate_no=record.certificate_no if record else None,
        category=record.category if record else None,
        grade=record.grade if record else None,
        issued_on=record.issued_on if record else None,
        valid_until=record.valid_until if record else None,
    )


# --- the life of an entitlement ---------------------------------------------------------------------------


class EntitlementDetailOut(EntitlementOut):
    person_id: int | None
    payment: str
    valid_until: date | None
    details: dict[str, Any]
    version: int


@router.get(
    "/entitlements/{entitlement_id}",
    response=EntitlementDetailOut,
    summary="一条在保记录（含变更记录、渐退期、暂停情况）",
)
def entitlement_detail(request: HttpRequest, entitlement_id: int) -> EntitlementDetailOut:
    e = selectors.entitlement_get(user=request.user, entitlement_id=entitlement_id)
    audit_view(request, object_type=AuditObject.ENTITLEMENT, object_id=e.pk, region_code=e.region_id)
    return EntitlementDetailOut(
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
            for ev in e.events.order_by("at", "id")
        ],
        person_id=e.person_id,
        payment=e.payment,
        valid_until=e.valid_until,
        details=e.details or {},
        version=e.version,
    )


class RecomputationRowOut(Schema):
    entitlement_id: int
    household_number: str
    program: str
    old_amount: Decimal
    new_amount: Decimal | None
    applied: bool
    note: str = ""


class RecomputationOut(Schema):
    id: int
    policy_version_id: int
    policy_document_no: str
    region: str
    from_month: date
    status: str
    status_label: str
    rows: int
    created_at: datetime
    approved_at: datetime | None
    applied_at: datetime | None


class RecomputationDetailOut(RecomputationOut):
    items: list[RecomputationRowOut]


def _rec(r: Any, rows: int) -> dict[str, Any]:
    return {
        "id": r.pk,
        "policy_version_id": r.policy_version_id,
        "policy_document_no": r.policy_version.document_no,
        "region": r.region_id,
        "from_month": r.from_month,
        "status": r.status,
        "status_label": r.get_status_display(),
        "rows": rows,
        "created_at": r.created_at,
        "approved_at": r.approved_at,
        "applied_at": r.applied_at,
    }


@router.get("/recomputations", response=list[RecomputationOut], summary="提标重算清单（本辖区）")
def recomputations(request: HttpRequest) -> list[RecomputationOut]:
    return [
        RecomputationOut(**_rec(r, getattr(r, "n", 0)))
        for r in selectors.recomputations_list(user=request.user)
    ]


def _detail(request: HttpRequest, recomputation_id: int) -> RecomputationDetailOut:
    r = selectors.recomputation_get(user=request.user, recomputation_id=recomputation_id)
    rows = selectors.recomputation_rows(r)
    return RecomputationDetailOut(
        **_rec(r, len(rows)),
        items=[
            RecomputationRowOut(
                entitlement_id=x.entitlement_id,
                household_number=x.entitlement.household.number,
                program=x.entitlement.program,
                old_amount=x.old_amount,
                new_amount=x.new_amount,
                applied=x.applied,
                note=x.note,
            )
            for x in rows
        ],
    )


@router.get(
    "/recomputations/{recomputation_id}",
    response=RecomputationDetailOut,
    summary="提标重算清单明细（原金额、新金额）",
)
def recomputation(request: HttpRequest, recomputation_id: int) -> RecomputationDetailOut:
    return _detail(request, recomputation_id)


class RecomputationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    policy_version_id: int = Field(ge=1, le=2**31 - 1, description="提高标准的新政策参数版本")
    from_month: date | None = Field(default=None, description="调整起始月份（默认新政策生效月份）")


@router.post(
    "/recomputations",
    response={201: RecomputationDetailOut},
    summary="按新政策参数版本生成提标重算清单（待县级审批；同一版本只生成一次）",
)
def recomputation_create(request: HttpRequest, payload: RecomputationIn) -> Status[RecomputationDetailOut]:
    r = recompute.recomputation_create(ctx=AuditContext.from_request(request), **payload.model_dump())
    return Status(201, _detail(request, r.pk))


@router.post(
    "/recomputations/{recomputation_id}/approve",
    response=RecomputationDetailOut,
    summary="审批提标重算清单（县级）",
)
def recomputation_approve(request: HttpRequest, recomputation_id: int) -> RecomputationDetailOut:
    recompute.recomputation_approve(ctx=AuditContext.from_request(request), recomputation_id=recomputation_id)
    return _detail(request, recomputation_id)


@router.post(
    "/recomputations/{recomputation_id}/apply",
    response=RecomputationDetailOut,
    summary="执行已审批的提标重算清单（逐户调整，可中断后重新执行）",
)
def recomputation_apply(request: HttpRequest, recomputation_id: int) -> RecomputationDetailOut:
    recompute.recomputation_apply(ctx=AuditContext.from_request(request), recomputation_id=recomputation_id)
    return _detail(request, recomputation_id)
