"""REST endpoints of payrolls (``/api/payroll``): list, generate, one payroll with its jobs and township
totals, its lines and holds (the caller's subtree), the comparison, retry, submission and approval, and the
township's decision on each hold. Thin: the services decide, the selectors scope."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from jiuzhu.audit.services import AuditContext, audit_view
from jiuzhu.core.vocab import AuditObject

from . import selectors
from .models import Payroll, PayrollHold, PayrollJob, PayrollLine
from .services import check, generate, holds

router = Router(tags=["发放名册与月比对"])
PAGE = 200


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class JobOut(Schema):
    id: int
    kind: str
    status: str
    stalled: bool
    progress_done: int
    progress_total: int
    attempts: int
    heartbeat_at: datetime | None
    error: str
    result: dict[str, Any]
    started_at: datetime
    finished_at: datetime | None


class TownOut(Schema):
    township_id: str
    township: str
    lines: int
    amount: Decimal
    held: int
    stopped: int
    open_holds: int


class PayrollOut(Schema):
    id: int
    county: str
    program: str
    month: date
    status: str
    lines_count: int
    total_amount: Decimal
    held_count: int
    held_amount: Decimal
    paid_count: int
    failed_count: int
    check_run_id: int | None
    submitted_at: datetime | None
    approved_at: datetime | None
    version: int


class PayrollDetailOut(PayrollOut):
    open_holds: int
    jobs: list[JobOut]
    townships: list[TownOut]


class PayrollLineOut(Schema):
    id: int
    entitlement_id: int
    household_id: int
    person_id: int
    township_id: str
    holder_name: str
    base_amount: Decimal
    arrears_amount: Decimal
    deduction_amount: Decimal
    amount: Decimal
    status: str
    carried_from_id: int | None
    computation: dict[str, Any]


class PayrollHoldOut(Schema):
    id: int
    line_id: int
    payroll_id: int
    holder_name: str
    township_id: str
    rule: str
    evidence_key: str
    evidence: dict[str, Any]
    warning_id: int | None
    status: str
    reason: str
    decided_at: datetime | None
    version: int


def payroll_out(p: Payroll) -> PayrollOut:
    return PayrollOut(
        id=p.pk,
        county=p.region_id,
        program=p.program,
        month=p.month,
        status=p.status,
        lines_count=p.lines_count,
        total_amount=p.total_amount,
        held_count=p.held_count,
        held_amount=p.held_amount,
        paid_count=p.paid_count,
        failed_count=p.failed_count,
        check_run_id=p.check_run_id,
        submitted_at=p.submitted_at,
        approved_at=p.approved_at,
        version=p.version,
    )


def job_out(j: PayrollJob) -> JobOut:
    return JobOut(
        id=j.pk,
        kind=j.kind,
        status=j.status,
        stalled=j.stalled,
        progress_done=j.progress_done,
        progress_total=j.progress_total,
        attempts=j.attempts,
        heartbeat_at=j.heartbeat_at,
        error=j.error,
        result=j.result or {},
        started_at=j.started_at,
        finished_at=j.finished_at,
    )


def _detail(request: HttpRequest, p: Payroll) -> PayrollDetailOut:
    p.refresh_from_db()
    return PayrollDetailOut(
        **payroll_out(p).model_dump(),
        open_holds=check.open_holds(p),
        jobs=[job_out(j) for j in selectors.jobs_list(p)],
        townships=[TownOut(**t.__dict__) for t in selectors.township_totals(user=request.user, payroll=p)],
    )


def line_out(ln: PayrollLine) -> PayrollLineOut:
    return PayrollLineOut(
        id=ln.pk,
        entitlement_id=ln.entitlement_id,
        household_id=ln.household_id,
        person_id=ln.person_id,
        township_id=ln.township_id,
        holder_name=ln.holder_name,
        base_amount=ln.base_amount,
        arrears_amount=ln.arrears_amount,
        deduction_amount=ln.deduction_amount,
        amount=ln.amount,
        status=ln.status,
        carried_from_id=ln.carried_from_id,
        computation=ln.computation or {},
    )


def hold_out(h: PayrollHold) -> PayrollHoldOut:
    return PayrollHoldOut(
        id=h.pk,
        line_id=h.line_id,
        payroll_id=h.line.payroll_id,
        holder_name=h.line.holder_name,
        township_id=h.line.township_id,
        rule=h.rule,
        evidence_key=h.evidence_key,
        evidence=h.evidence or {},
        warning_id=h.warning_id,
        status=h.status,
        reason=h.reason,
        decided_at=h.decided_at,
        version=h.version,
    )


class PayrollFilter(Schema):
    program: str = Field(default="", description="救助项目代码")
    month: date | None = Field(default=None, description="发放月份（该月任一日）")
    county: str = Field(default="", description="县级区划代码")


@router.get("/payrolls", response=list[PayrollOut], summary="辖区内的发放名册（最新月份在前，最多 200 条）")
def payrolls(request: HttpRequest, filters: Query[PayrollFilter]) -> list[PayrollOut]:
    rows = selectors.payrolls_list(
        user=request.user, program=filters.program, month=filters.month, county=filters.county
    )
    return [payroll_out(p) for p in rows[:PAGE]]


class GenerateIn(_Strict):
    county: str = Field(min_length=12, max_length=12, description="县级区划代码（12 位）")
    program: str = Field(max_length=24, description="救助项目代码，如 dibao")
    month: date = Field(description="发放月份（该月任一日）")


@router.post("/payrolls", response=PayrollDetailOut, summary="生成发放名册（已生成的不重复；中断的续完）")
def payroll_generate(request: HttpRequest, payload: GenerateIn) -> PayrollDetailOut:
    p = generate.payroll_generate(
        ctx=AuditContext.from_request(request),
        county_code=payload.county,
        program=payload.program,
        month=payload.month,
    )
    return _detail(request, p)


@router.get(
    "/payrolls/{payroll_id}", response=PayrollDetailOut, summary="发放名册：合计、作业进度与各乡镇汇总"
)
def payroll(request: HttpRequest, payroll_id: int) -> PayrollDetailOut:
    p = selectors.payroll_get(user=request.user, payroll_id=payroll_id)
    audit_view(request, object_type=AuditObject.PAYROLL, object_id=p.pk, region_code=p.region_id)
    return _detail(request, p)


class LineFilter(Schema):
    status: str = Field(default="", description="明细状态")
    township: str = Field(default="", description="乡镇区划代码")
    q: str = Field(default="", max_length=50, description="姓名、身份证号或户编号")
    page: int = Field(default=1, ge=1, le=100000, description="页码（每页 200 条）")


@router.get("/payrolls/{payroll_id}/lines", response=list[PayrollLineOut], summary="名册明细（本辖区，分页）")
def payroll_lines(request: HttpRequest, payroll_id: int, filters: Query[LineFilter]) -> list[PayrollLineOut]:
    p = selectors.payroll_get(user=request.user, payroll_id=payroll_id)
    rows = selectors.lines_list(
        user=request.user, payroll=p, status=filters.status, township=filters.township, query=filters.q
    )
    start = (filters.page - 1) * PAGE
    return [line_out(ln) for ln in rows[start : start + PAGE]]


class HoldFilter(Schema):
    status: str = Field(default="", description="核实状态：held / cleared / confirmed")


@router.get("/payrolls/{payroll_id}/holds", response=list[PayrollHoldOut], summary="名册的暂停发放（本辖区）")
def payroll_holds(request: HttpRequest, payroll_id: int, filters: Query[HoldFilter]) -> list[PayrollHoldOut]:
    p = selectors.payroll_get(user=request.user, payroll_id=payroll_id)
    return [
        hold_out(h) for h in selectors.holds_list(user=request.user, payroll=p, status=filters.status)[:1000]
    ]


@router.post("/payrolls/{payroll_id}/check", response=PayrollDetailOut, summary="发放前比对（月比对）")
def payroll_check(request: HttpRequest, payroll_id: int) -> PayrollDetailOut:
    p = check.payroll_check(ctx=AuditContext.from_request(request), payroll_id=payroll_id)
    return _detail(request, p)


@router.post(
    "/payrolls/{payroll_id}/retry", response=PayrollDetailOut, summary="重试失败或中断的生成、比对作业"
)
def payroll_retry(request: HttpRequest, payroll_id: int) -> PayrollDetailOut:
    p = holds.payroll_retry(ctx=AuditContext.from_request(request), payroll_id=payroll_id)
    return _detail(request, p)


class PayrollVersionIn(_Strict):
    version: int | None = Field(default=None, ge=0, le=2**31 - 1, description="读取时的版本号（乐观锁）")


@router.post(
    "/payrolls/{payroll_id}/submit", response=PayrollDetailOut, summary="提交县级审批（暂停均已核实）"
)
def payroll_submit(request: HttpRequest, payroll_id: int, payload: PayrollVersionIn) -> PayrollDetailOut:
    p = holds.payroll_submit(
        ctx=AuditContext.from_request(request), payroll_id=payroll_id, version=payload.version
    )
    return _detail(request, p)


@router.post(
    "/payrolls/{payroll_id}/approve", response=PayrollDetailOut, summary="县级审批（有未核实的暂停时拒绝）"
)
def payroll_approve(request: HttpRequest, payroll_id: int, payload: PayrollVersionIn) -> PayrollDetailOut:
    p = holds.payroll_approve(
        ctx=AuditContext.from_request(request), payroll_id=payroll_id, version=payload.version
    )
    return _detail(request, p)


class ClearIn(_Strict):
    version: int | None = Field(default=None, ge=0, le=2**31 - 1, description="读取时的版本号（乐观锁）")
    reason: str = Field(default="", max_length=500, description="核实说明")


class ConfirmIn(_Strict):
    version: int | None = Field(default=None, ge=0, le=2**31 - 1, description="读取时的版本号（乐观锁）")
    reason: str = Field(max_length=500, description="核实说明（停发理由，必填）")


@router.post("/holds/{hold_id}/clear", response=PayrollHoldOut, summary="核实无误，恢复发放")
def hold_clear(request: HttpRequest, hold_id: int, payload: ClearIn) -> PayrollHoldOut:
    h = holds.hold_clear(ctx=AuditContext.from_request(request), hold_id=hold_id, **payload.model_dump())
    return hold_out(selectors.hold_get(user=request.user, hold_id=h.pk))


@router.post("/holds/{hold_id}/confirm", response=PayrollHoldOut, summary="核实属实，停止发放（须说明理由）")
def hold_confirm(request: HttpRequest, hold_id: int, payload: ConfirmIn) -> PayrollHoldOut:
    h = holds.hold_confirm(ctx=AuditContext.from_request(request), hold_id=hold_id, **payload.model_dump())
    return hold_out(selectors.hold_get(user=request.user, hold_id=h.pk))
