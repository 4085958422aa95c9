"""REST endpoints of integrity (诚信): a household's findings, dishonesty records and recoveries, a person's
dishonesty records, the recoveries of the jurisdiction, and the writes on them (a collection, a write-off,
a revocation). The finding itself is recorded through the workflow (``/api/workflow/…/concealment``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from jiuzhu.audit.services import AuditContext, audit_view
from jiuzhu.core.vocab import AuditObject, CollectionSource, DishonestyStatus, RecoveryStatus

from . import integrity, selectors_integrity
from .models import ConcealmentFinding, DishonestyRecord, OverpaymentRecovery

router = Router(tags=["诚信与追缴"])


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class HiddenItemOut(Schema):
    kind: str
    item: str
    amount: Decimal


class FindingOut(Schema):
    id: int
    household_id: int
    person_id: int
    program: str
    case_number: str
    entitlement_id: int | None
    items: list[HiddenItemOut]
    hidden_total: Decimal
    evidence: str
    found_on: date
    concealed_from: date | None


class DishonestyOut(Schema):
    id: int
    person_id: int
    person_name: str
    household_id: int
    finding_id: int
    starts_on: date
    ends_on: date
    months: int
    status: DishonestyStatus = Field(description="截至今天的状态（有效期届满的显示为已到期）")
    revoked_reason: str
    version: int


class CollectionOut(Schema):
    amount: Decimal
    collected_on: date
    source: CollectionSource
    reference: str


class RecoveryOut(Schema):
    id: int
    household_id: int
    entitlement_id: int
    finding_id: int
    program: str
    from_month: date
    through_month: date
    months: int
    monthly_amount: Decimal
    amount_due: Decimal
    amount_collected: Decimal
    outstanding: Decimal
    status: RecoveryStatus
    computation: list[dict[str, str]]
    waived_reason: str
    created_at: datetime
    version: int
    collections: list[CollectionOut]


class HouseholdIntegrityOut(Schema):
    findings: list[FindingOut]
    dishonesty: list[DishonestyOut]
    recoveries: list[RecoveryOut]


def finding_out(f: ConcealmentFinding) -> FindingOut:
    return FindingOut(
        id=f.pk,
        household_id=f.household_id,
        person_id=f.person_id,
        program=f.program,
        case_number=f.case_number,
        entitlement_id=f.entitlement_id,
        items=[HiddenItemOut(**row) for row in f.items],
        hidden_total=f.hidden_total,
        evidence=f.evidence,
        found_on=f.found_on,
        concealed_from=f.concealed_from,
    )


def dishonesty_out(r: DishonestyRecord) -> DishonestyOut:
    return DishonestyOut(
        id=r.pk,
        person_id=r.person_id,
        person_name=r.person.name,
        household_id=r.household_id,
        finding_id=r.finding_id,
        starts_on=r.starts_on,
        ends_on=r.ends_on,
        months=r.months,
        status=DishonestyStatus(r.status_on(timezone.localdate())),
        revoked_reason=r.revoked_reason,
        version=r.version,
    )


def recovery_out(r: OverpaymentRecovery, *, collections: bool = True) -> RecoveryOut:
    return RecoveryOut(
        id=r.pk,
        household_id=r.household_id,
        entitlement_id=r.entitlement_id,
        finding_id=r.finding_id,
        program=r.finding.program,
        from_month=r.from_month,
        through_month=r.through_month,
        months=r.months,
        monthly_amount=r.monthly_amount,
        amount_due=r.amount_due,
        amount_collected=r.amount_collected,
        outstanding=r.outstanding,
        status=RecoveryStatus(r.status),
        computation=[{k: str(v) for k, v in s.items()} for s in r.computation.get("steps", [])],
        waived_reason=r.waived_reason,
        created_at=r.created_at,
        version=r.version,
        collections=[
            CollectionOut(
                amount=c.amount,
                collected_on=c.collected_on,
                source=CollectionSource(c.source),
                reference=c.reference,
            )
            for c in (r.collections.all() if collections else [])
        ],
    )


@router.get(
    "/households/{household_id}/integrity",
    response=HouseholdIntegrityOut,
    summary="家庭的隐瞒收入财产认定、失信记录与追缴记录",
)
def household_integrity(request: HttpRequest, household_id: int) -> HouseholdIntegrityOut:
    data = selectors_integrity.integrity_for_household(user=request.user, household_id=household_id)
    audit_view(
        request,
        object_type=AuditObject.HOUSEHOLD,
        object_id=data.household.pk,
        region_code=data.household.region_id,
        integrity=True,
    )
    return HouseholdIntegrityOut(
        findings=[finding_out(f) for f in data.findings],
        dishonesty=[dishonesty_out(r) for r in data.dishonesty],
        recoveries=[recovery_out(r) for r in data.recoveries],
    )


@router.get("/persons/{person_id}/dishonesty", response=list[DishonestyOut], summary="人员的失信记录")
def person_dishonesty(request: HttpRequest, person_id: int) -> list[DishonestyOut]:
    rows = selectors_integrity.dishonesty_for_person(user=request.user, person_id=person_id)
    audit_view(request, object_type=AuditObject.PERSON, object_id=person_id, region_code="", dishonesty=True)
    return [dishonesty_out(r) for r in rows]


class ReasonIn(_Strict):
    version: int = Field(ge=0, le=2**31 - 1, description="读取时记录的版本号（乐观锁）")
    reason: str = Field(description="理由")


@router.post(
    "/dishonesty/{record_id}/revoke",
    response=DishonestyOut,
    summary="撤销失信记录（县级审批人员，须说明理由）",
)
def dishonesty_revoke(request: HttpRequest, record_id: int, payload: ReasonIn) -> DishonestyOut:
    record = integrity.dishonesty_revoke(
        ctx=AuditContext.from_request(request), record_id=record_id, **payload.model_dump()
    )
    return dishonesty_out(record)


class RecoveryFilter(Schema):
    status: RecoveryStatus | None = Field(default=None, description="按状态筛选")


@router.get("/recoveries", response=list[RecoveryOut], summary="辖区内的追缴记录（最新在前，最多 500 条）")
def recoveries(request: HttpRequest, filters: Query[RecoveryFilter]) -> list[RecoveryOut]:
    rows = selectors_integrity.recoveries_list(user=request.user, status=filters.status or "")
    return [recovery_out(r, collections=False) for r in rows[:500]]


@router.get("/recoveries/{recovery_id}", response=RecoveryOut, summary="追缴记录（含追回明细）")
def recovery(request: HttpRequest, recovery_id: int) -> RecoveryOut:
    row = selectors_integrity.recovery_get(user=request.user, recovery_id=recovery_id)
    return recovery_out(row)


class CollectIn(_Strict):
    version: int | None = Field(
        default=None, ge=0, le=2**31 - 1, description="读取时的版本号（乐观锁）；资金发放系统抵扣时可省略"
    )
    amount: Decimal = Field(description="本次追回金额（元）")
    collected_on: date | None = Field(default=None, description="追回日期，默认今天")
    source: CollectionSource = Field(default=CollectionSource.WINDOW, description="追回方式")
    reference: str = Field(default="", description="凭证号（收据号或发放批次号）")


@router.post("/recoveries/{recovery_id}/collect", response=RecoveryOut, summary="登记追回的资金")
def recovery_collect(request: HttpRequest, recovery_id: int, payload: CollectIn) -> RecoveryOut:
    values: dict[str, Any] = payload.model_dump()
    row = integrity.recovery_collect(
        ctx=AuditContext.from_request(request), recovery_id=recovery_id, **values
    )
    return recovery_out(selectors_integrity.recovery_get(user=request.user, recovery_id=row.pk))


@router.post(
    "/recoveries/{recovery_id}/waive",
    response=RecoveryOut,
    summary="核销尚欠金额（免于追缴，县级审批人员，须说明理由）",
)
def recovery_waive(request: HttpRequest, recovery_id: int, payload: ReasonIn) -> RecoveryOut:
    row = integrity.recovery_waive(
        ctx=AuditContext.from_request(request), recovery_id=recovery_id, **payload.model_dump()
    )
    return recovery_out(selectors_integrity.recovery_get(user=request.user, recovery_id=row.pk))
