"""REST endpoint of a finding that income or assets were hidden (查实隐瞒收入、财产): on a case at any open
step (the case is terminated) or on an entitlement in payment (it ends); the dishonesty record, the
recovery and the notices follow (``services.integrity``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.vocab import HiddenKind

from .services.integrity import Found, concealment_find

router = Router(tags=["诚信：隐瞒收入财产认定"])


class HiddenItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: HiddenKind = Field(description="隐瞒收入或隐瞒财产")
    item: str = Field(description="隐瞒的是什么收入或财产")
    amount: Decimal = Field(default=Decimal("0"), description="金额（元），不详的填 0")


class ConcealmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=0, le=2**31 - 1, description="案件或在保记录读取时的版本号（乐观锁）")
    items: list[HiddenItemIn] = Field(description="逐项列出隐瞒的收入、财产")
    evidence: str = Field(description="查实依据：核对结果、调查笔录、部门出具的证明等")
    found_on: date = Field(description="认定日期")
    concealed_from: date | None = Field(
        default=None,
        description="隐瞒起始日期（已知时填写；追缴自该月起算，早于起始发放月份的自起始月份起算）",
    )


class ConcealmentOut(Schema):
    finding_id: int
    dishonesty_id: int
    dishonesty_ends_on: date
    recovery_id: int | None
    amount_due: Decimal
    case_id: int | None
    case_state: str | None
    entitlement_id: int | None
    notices: list[int]


def _out(found: Found) -> ConcealmentOut:
    return ConcealmentOut(
        finding_id=found.finding.pk,
        dishonesty_id=found.dishonesty.pk,
        dishonesty_ends_on=found.dishonesty.ends_on,
        recovery_id=found.recovery.pk if found.recovery else None,
        amount_due=found.recovery.amount_due if found.recovery else Decimal("0.00"),
        case_id=found.case.pk if found.case else None,
        case_state=found.case.state if found.case else None,
        entitlement_id=found.entitlement.pk if found.entitlement else None,
        notices=[n.pk for n in found.notices],
    )


def _values(payload: ConcealmentIn) -> dict[str, Any]:
    return {
        "version": payload.version,
        "items": [{"kind": i.kind.value, "item": i.item, "amount": str(i.amount)} for i in payload.items],
        "evidence": payload.evidence,
        "found_on": payload.found_on,
        "concealed_from": payload.concealed_from,
    }


@router.post(
    "/cases/{case_id}/concealment",
    response={201: ConcealmentOut},
    summary="认定隐瞒收入、财产：终止案件，记入失信记录（复核案件同时停保并追缴）",
)
def case_concealment(request: HttpRequest, case_id: int, payload: ConcealmentIn) -> Status[ConcealmentOut]:
    found = concealment_find(ctx=AuditContext.from_request(request), case_id=case_id, **_values(payload))
    return Status(201, _out(found))


@router.post(
    "/entitlements/{entitlement_id}/concealment",
    response={201: ConcealmentOut},
    summary="认定在保家庭隐瞒收入、财产：停保，记入失信记录，追缴已发放的救助资金",
)
def entitlement_concealment(
    request: HttpRequest, entitlement_id: int, payload: ConcealmentIn
) -> Status[ConcealmentOut]:
    found = concealment_find(
        ctx=AuditContext.from_request(request),
        entitlement_id=entitlement_id,
        **_values(payload),
    )
    return Status(201, _out(found))
