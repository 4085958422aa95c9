"""REST endpoints of the warnings (动态监测预警): the queue of the caller's role with its filters and
lights, one warning with its evidence, the household's members and live entitlements, and the closed
loop — verify, then the outcome (assist / adjust / stop / dismiss), each with the warning's version."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.vocab import AidProgram

from . import selectors
from .models import Warning
from .services.warnings import warning_close, warning_verify

router = Router(tags=["动态监测预警"])

_INT = 2**31 - 1


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class WarningQueueParams(Schema):
    queue: Literal["township", "escalated", "leads", "all"] | None = Field(
        None,
        description="township=本乡镇待核实、待办结；escalated=超期督办（县级）；leads=本村主动发现线索；"
        "all=全部（含已办结）。"
        "不填按角色：乡镇经办 township，县级审批 escalated，村(居)协理员 leads，其他 all",
    )
    rule: str = Field("", max_length=40, description="规则代码，如 death")
    purpose: Warning.Purpose | None = None
    status: Warning.Status | None = None
    light: Literal["red", "yellow", "green"] | None = Field(
        None, description="red=已超期；yellow=临期；green=正常"
    )
    village: str = Field("", max_length=12, description="村（社区）区划代码（本辖区内）")
    page: int = Field(1, ge=1, le=100000)


class WarningRowOut(Schema):
    id: int
    rule: str
    rule_name: str
    purpose: str
    purpose_label: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    outcome: str
    outcome_label: str
    person_name: str
    household_id: int
    household_number: str
    village_name: str
    raised_on: date
    due_on: date
    due_provisional: bool
    days_left: int | None = Field(description="距办理期限的工作日数，负数为已超期的工作日数；已办结为空")
    light: str = Field(description="red=已超期；yellow=临期；green=正常；已办结为空")
    light_label: str
    escalated: bool
    evidence_count: int
    last_event_on: date | None
    version: int


class WarningLightCountsOut(Schema):
    red: int
    yellow: int
    green: int


class WarningQueueOut(Schema):
    queue: str
    items: list[WarningRowOut]
    counts: WarningLightCountsOut = Field(description="筛选结果中未办结预警的各灯数量")
    page: int
    page_size: int
    total: int


@router.get(
    "/warnings", response=WarningQueueOut, summary="预警工作队列（按角色：本乡镇、超期督办、本村线索、全部）"
)
def warnings_queue(request: HttpRequest, params: Query[WarningQueueParams]) -> WarningQueueOut:
    page = selectors.queue(
        user=request.user,
        kind=params.queue,
        rule=params.rule or None,
        purpose=params.purpose.value if params.purpose else None,
        status=params.status.value if params.status else None,
        light=params.light,
        village=params.village or None,
        page=params.page,
    )
    return WarningQueueOut(
        queue=page.kind,
        items=[WarningRowOut(**vars(r)) for r in page.rows],
        counts=WarningLightCountsOut(**page.counts),
        page=page.page,
        page_size=page.per_page,
        total=page.total,
    )


class WarningEvidenceOut(Schema):
    id: int
    evidence_key: str
    event_date: date | None
    evidence: dict[str, Any]
    run_id: int
    created_at: datetime


class WarningMemberOut(Schema):
    person_id: int
    name: str
    id_number_masked: str
    relation: str
    is_subject: bool


class WarningEntitlementOut(Schema):
    id: int
    program: str
    program_label: str
    person_name: str
    status: str
    status_label: str
    amount: Decimal
    start_month: date
    version: int


class WarningOut(Schema):
    id: int
    rule: str
    rule_version: int
    rule_name: str
    action: str = Field(description="规则建议的处理")
    suggested_outcome: str
    holds_payment: bool = Field(description="该规则命中时月比对暂停发放")
    purpose: str
    severity: str
    status: str
    outcome: str
    outcome_reason: str
    outcome_ref: str = Field(
        description="处理结果发起的后续办理：application:申请编号、case:案件编号、entitlement:在保记录"
    )
    verification: str
    person_id: int
    person_name: str
    household_id: int
    household_number: str
    region: str
    township: str
    raised_on: date
    due_on: date
    due_provisional: bool
    escalated_at: datetime | None
    light: str
    days_left: int | None
    verified_at: datetime | None
    closed_at: datetime | None
    version: int
    chain_url: str
    evidence: list[WarningEvidenceOut]
    members: list[WarningMemberOut]
    entitlements: list[WarningEntitlementOut]


def _out(d: selectors.WarningDetail) -> WarningOut:
    w = d.warning
    return WarningOut(
        id=w.pk,
        rule=w.rule,
        rule_version=w.rule_version,
        rule_name=d.rule_name,
        action=d.action,
        suggested_outcome=d.suggested_outcome,
        holds_payment=d.holds_payment,
        purpose=w.purpose,
        severity=w.severity,
        status=w.status,
        outcome=w.outcome,
        outcome_reason=w.outcome_reason,
        outcome_ref=w.outcome_ref,
        verification=w.verification,
        person_id=w.person_id,
        person_name=w.person.name,
        household_id=w.household_id,
        household_number=w.household.number,
        region=w.region_id,
        township=w.township_id,
        raised_on=w.raised_on,
        due_on=w.due_on,
        due_provisional=w.due_provisional,
        escalated_at=w.escalated_at,
        light=d.light,
        days_left=d.days_left,
        verified_at=w.verified_at,
        closed_at=w.closed_at,
        version=w.version,
        chain_url=d.chain_url,
        evidence=[
            WarningEvidenceOut(
                id=e.pk,
                evidence_key=e.evidence_key,
                event_date=e.event_date,
                evidence=e.evidence if isinstance(e.evidence, dict) else {"证据": e.evidence},
                run_id=e.run_id,
                created_at=e.created_at,
            )
            for e in d.evidence
        ],
        members=[WarningMemberOut(**vars(m)) for m in d.members],
        entitlements=[WarningEntitlementOut(**vars(e)) for e in d.entitlements],
    )


@router.get("/warnings/{warning_id}", response=WarningOut, summary="一条预警：证据、家庭成员、在保项目")
def warning_read(request: HttpRequest, warning_id: int) -> WarningOut:
    return _out(selectors.warning_detail(user=request.user, warning_id=warning_id))


class WarningVerifyIn(_Strict):
    version: int = Field(ge=0, le=_INT, description="读取时的版本号（乐观锁）")
    verification: str = Field(description="核实情况：入户核实、部门核对的结果")


@router.post("/warnings/{warning_id}/verify", response=WarningOut, summary="记录核实情况（待核实 → 已核实）")
def warning_verify_op(request: HttpRequest, warning_id: int, payload: WarningVerifyIn) -> WarningOut:
    warning_verify(
        ctx=AuditContext.from_request(request),
        warning_id=warning_id,
        version=payload.version,
        verification=payload.verification,
    )
    return _out(selectors.warning_detail(user=request.user, warning_id=warning_id))


class WarningCloseIn(_Strict):
    version: int = Field(ge=0, le=_INT, description="读取时的版本号（乐观锁）")
    outcome: Warning.Outcome = Field(
        description="assist=纳入救助；adjust=调整待遇；stop=停止救助；dismiss=排除"
    )
    reason: str = Field("", description="处理说明（排除、停止救助必填；停止救助每行一条理由）")
    program: AidProgram | None = Field(None, description="纳入救助时申请的救助项目")
    entitlement_id: int | None = Field(
        None, ge=1, le=_INT, description="调整待遇、停止救助的在保记录（该户只有一项时可不填）"
    )
    end_month: date | None = Field(None, description="停止救助的最后发放月份（默认本月）")


class WarningClosedOut(Schema):
    warning: WarningOut
    application_number: str | None
    case_number: str | None
    entitlement_id: int | None
    notice_id: int | None


@router.post(
    "/warnings/{warning_id}/close", response=WarningClosedOut, summary="作出处理结果并办结（须先核实）"
)
def warning_close_op(request: HttpRequest, warning_id: int, payload: WarningCloseIn) -> WarningClosedOut:
    closed = warning_close(
        ctx=AuditContext.from_request(request),
        warning_id=warning_id,
        version=payload.version,
        outcome=payload.outcome.value,
        reason=payload.reason,
        program=payload.program.value if payload.program else None,
        entitlement_id=payload.entitlement_id,
        end_month=payload.end_month,
    )
    return WarningClosedOut(
        warning=_out(selectors.warning_detail(user=request.user, warning_id=warning_id)),
        application_number=closed.application.number if closed.application is not None else None,
        case_number=closed.case.number if closed.case is not None else None,
        entitlement_id=closed.entitlement.pk if closed.entitlement is not None else None,
        notice_id=closed.notice.pk if closed.notice is not None else None,
    )
