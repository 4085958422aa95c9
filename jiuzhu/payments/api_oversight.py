"""REST endpoints of fund supervision (/api/oversight): a household's assistance chain, a person's
payments, the anomaly report of a month, the totals by month, program and township, and a township's
月通报. Read-only, scoped to the caller's jurisdiction; ID numbers and bank accounts are masked for a
caller without the right to see full ID numbers (the auditor)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from jiuzhu.audit.services import audit_view
from jiuzhu.core.masking import id_number_masked
from jiuzhu.core.vocab import AuditObject

from . import selectors_oversight
from .exports_oversight import account_masked
from .models import PayrollLine
from .selectors_oversight import ANOMALY_KINDS, parse_month
from .views_oversight import months_back, shows_full, this_month

router = Router(tags=["资金监管"])

_MONTH = r"^\d{4}-\d{2}$"


class ChainItemOut(Schema):
    on: date
    at: datetime | None
    kind: str = Field(
        description="application 申请；case 立案/办结；decision 救助决定；entitlement 在保；"
        "event 在保变更；payment 发放；warning 预警；hold 暂停发放；recovery 追缴"
    )
    kind_label: str
    title: str
    detail: str
    amount: Decimal | None
    status: str
    ref: str
    object_id: int


class HouseholdChainOut(Schema):
    household_id: int
    household_number: str
    paid_total: Decimal = Field(description="已到账合计（元）")
    due_total: Decimal = Field(description="待发放合计（元）")
    unpaid_total: Decimal = Field(description="停发、失败、退回合计（元）")
    items: list[ChainItemOut]


class LineOut(Schema):
    id: int
    payroll_id: int
    month: str = Field(description="发放月份 YYYY-MM")
    program: str
    household_id: int
    person_id: int
    entitlement_id: int
    holder_name: str
    id_number: str = Field(description="身份证号码（无权查看完整号码的角色看到脱敏号码）")
    bank_account: str = Field(description="银行账号（无权查看完整号码的角色只看到后四位）")
    base_amount: Decimal
    arrears_amount: Decimal
    deduction_amount: Decimal
    amount: Decimal
    status: str
    settled_on: date | None
    computation: dict[str, Any]


class PersonPaymentsOut(Schema):
    person_id: int
    name: str
    paid_total: Decimal
    months: int = Field(description="有到账记录的月数")
    lines: list[LineOut]


class AnomalyOut(Schema):
    kind: str
    kind_label: str
    reason: str
    line: LineOut


class AnomalyReportOut(Schema):
    month: str
    counts: dict[str, int]
    amounts: dict[str, Decimal]
    rows: list[AnomalyOut]


class TotalRowOut(Schema):
    month: str
    program: str
    township_code: str
    township_name: str
    lines: int
    amount: Decimal
    paid_count: int
    paid_amount: Decimal
    held_count: int
    stopped_count: int
    failed_count: int


class TotalsOut(Schema):
    lines: int
    amount: Decimal
    paid_amount: Decimal
    rows: list[TotalRowOut]


class RuleFindingOut(Schema):
    rule: str
    label: str
    warnings: int
    leads: int
    holds: int
    held_amount: Decimal
    cleared: int
    confirmed: int
    open_holds: int


class HoldOut(Schema):
    id: int
    rule: str
    line_id: int
    household_id: int
    amount: Decimal
    status: str
    reason: str
    decided_at: datetime | None


class WarningBriefOut(Schema):
    id: int
    rule: str
    purpose: str
    household_id: int
    person_id: int
    raised_on: date
    due_on: date
    status: str
    outcome: str
    outcome_reason: str
    escalated: bool
    closed_at: datetime | None


class BulletinOut(Schema):
    township_code: str
    township_name: str
    month: str
    as_of: date
    payroll_lines: int
    payroll_amount: Decimal
    held: int
    stopped: int
    paid: int
    failed: int
    findings: list[RuleFindingOut]
    outcomes: dict[str, int]
    holds: list[HoldOut]
    warnings_closed: list[WarningBriefOut]
    overdue: list[WarningBriefOut]


def line_out(line: PayrollLine, *, full: bool) -> LineOut:
    return LineOut(
        id=line.pk,
        payroll_id=line.payroll_id,
        month=f"{line.payroll.month:%Y-%m}",
        program=line.payroll.program,
        household_id=line.household_id,
        person_id=line.person_id,
        entitlement_id=line.entitlement_id,
        holder_name=line.holder_name,
        id_number=line.id_number if full else id_number_masked(line.id_number),
        bank_account=line.bank_account if full else account_masked(line.bank_account),
        base_amount=line.base_amount,
        arrears_amount=line.arrears_amount,
        deduction_amount=line.deduction_amount,
        amount=line.amount,
        status=line.status,
        settled_on=line.settled_on,
        computation=line.computation or {},
    )


@router.get(
    "/households/{household_id}/chain",
    response=HouseholdChainOut,
    summary="一户一条救助链：申请、案件、决定、在保及变更、发放、预警与暂停发放，按时间顺序",
)
def household_chain(request: HttpRequest, household_id: int) -> HouseholdChainOut:
    chain = selectors_oversight.household_chain(user=request.user, household_id=household_id)
    audit_view(
        request,
        object_type=AuditObject.HOUSEHOLD,
        object_id=household_id,
        region_code=chain.household.region_id,
        chain=True,
    )
    return HouseholdChainOut(
        household_id=chain.household.pk,
        household_number=chain.household.number,
        paid_total=chain.paid_total,
        due_total=chain.due_total,
        unpaid_total=chain.unpaid_total,
        items=[
            ChainItemOut(
                on=i.on,
                at=i.at,
                kind=i.kind,
                kind_label=i.kind_label,
                title=i.title,
                detail=i.detail,
                amount=i.amount,
                status=i.status,
                ref=i.ref,
                object_id=i.object_id,
            )
            for i in chain.items
        ],
    )


@router.get(
    "/persons/{person_id}/payments",
    response=PersonPaymentsOut,
    summary="个人的全部发放记录（辖区内的发放明细，按月份）",
)
def person_payments(request: HttpRequest, person_id: int) -> PersonPaymentsOut:
    data = selectors_oversight.person_payments(user=request.user, person_id=person_id)
    audit_view(
        request,
        object_type=AuditObject.PERSON,
        object_id=person_id,
        region_code=data.person.residence_region_id,
        payments=True,
    )
    full = shows_full(request.user)
    return PersonPaymentsOut(
        person_id=data.person.pk,
        name=data.person.name,
        paid_total=data.paid_total,
        months=data.months,
        lines=[line_out(x, full=full) for x in data.lines],
    )


class AnomalyParams(Schema):
    month: str | None = Field(default=None, pattern=_MONTH, description="发放月份 YYYY-MM，默认本月")
    kind: str = Field(
        default="",
        max_length=20,
        description="异常类型（空为全部）：" + "；".join(f"{k}={v}" for k, v in ANOMALY_KINDS.items()),
    )


@router.get(
    "/anomalies",
    response=AnomalyReportOut,
    summary="异常发放报告：死亡后仍发放、同一账号多户领取、金额与在保记录不符、无有效在保记录仍发放",
)
def anomalies(request: HttpRequest, params: Query[AnomalyParams]) -> AnomalyReportOut:
    month = parse_month(params.month) if params.month else this_month()
    report = selectors_oversight.anomaly_report(user=request.user, month=month, kind=params.kind)
    full = shows_full(request.user)
    return AnomalyReportOut(
        month=f"{month:%Y-%m}",
        counts=report.counts,
        amounts=report.amounts,
        rows=[
            AnomalyOut(
                kind=a.kind, kind_label=a.kind_label, reason=a.reason, line=line_out(a.line, full=full)
            )
            for a in report.rows
        ],
    )


class TotalsParams(Schema):
    month_from: str | None = Field(
        default=None, pattern=_MONTH, description="起始月份 YYYY-MM，默认截止月份前 11 个月"
    )
    month_to: str | None = Field(default=None, pattern=_MONTH, description="截止月份 YYYY-MM，默认本月")
    program: str = Field(default="", max_length=24, description="救助项目代码（空为全部）")


@router.get("/totals", response=TotalsOut, summary="发放汇总：按月份、救助项目、乡镇（街道）")
def totals(request: HttpRequest, params: Query[TotalsParams]) -> TotalsOut:
    month_to = parse_month(params.month_to, field_name="month_to") if params.month_to else this_month()
    month_from = (
        parse_month(params.month_from, field_name="month_from")
        if params.month_from
        else months_back(month_to, 11)
    )
    result = selectors_oversight.payment_totals(
        user=request.user, month_from=month_from, month_to=month_to, program=params.program
    )
    return TotalsOut(
        lines=result.lines,
        amount=result.amount,
        paid_amount=result.paid_amount,
        rows=[
            TotalRowOut(
                month=f"{r.month:%Y-%m}",
                program=r.program,
                township_code=r.township_code,
                township_name=r.township_name,
                lines=r.lines,
                amount=r.amount,
                paid_count=r.paid_count,
                paid_amount=r.paid_amount,
                held_count=r.held_count,
                stopped_count=r.stopped_count,
                failed_count=r.failed_count,
            )
            for r in result.rows
        ],
    )


class BulletinParams(Schema):
    township_id: str = Field(
        default="", max_length=12, description="乡镇（街道）的 12 位区划代码；乡镇、村级用户可省略（本乡镇）"
    )
    month: str | None = Field(default=None, pattern=_MONTH, description="通报月份 YYYY-MM，默认上月")


def _warning_out(w: Any) -> WarningBriefOut:
    return WarningBriefOut(
        id=w.pk,
        rule=w.rule,
        purpose=w.purpose,
        household_id=w.household_id,
        person_id=w.person_id,
        raised_on=w.raised_on,
        due_on=w.due_on,
        status=w.status,
        outcome=w.outcome,
        outcome_reason=w.outcome_reason,
        escalated=w.escalated_at is not None,
        closed_at=w.closed_at,
    )


@router.get(
    "/bulletin", response=BulletinOut, summary="乡镇（街道）月通报：比对发现、暂停发放与预警的处理、超期预警"
)
def bulletin(request: HttpRequest, params: Query[BulletinParams]) -> BulletinOut:
    month = parse_month(params.month) if params.month else months_back(this_month(), 1)
    b = selectors_oversight.township_bulletin(user=request.user, township=params.township_id, month=month)
    return BulletinOut(
        township_code=b.township.code,
        township_name=b.township.name,
        month=f"{b.month:%Y-%m}",
        as_of=b.as_of,
        payroll_lines=b.payroll_lines,
        payroll_amount=b.payroll_amount,
        held=b.held,
        stopped=b.stopped,
        paid=b.paid,
        failed=b.failed,
        findings=[RuleFindingOut(**vars(f)) for f in b.findings],
        outcomes=b.outcomes,
        holds=[
            HoldOut(
                id=h.pk,
                rule=h.rule,
                line_id=h.line_id,
                household_id=h.line.household_id,
                amount=h.line.amount,
                status=h.status,
                reason=h.reason,
                decided_at=h.decided_at,
            )
            for h in b.holds
        ],
        warnings_closed=[_warning_out(w) for w in b.warnings_closed],
        overdue=[_warning_out(w) for w in b.overdue],
    )
