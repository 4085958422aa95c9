"""REST endpoints of the workflow: the caller's queues, a case (state, deadlines, history, what may be
done next and what is missing), and moving, extending and claiming a case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from jiuzhu.audit.services import AuditContext, audit_view
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import AidProgram, AuditObject

from . import deadlines, selectors, services
from .models import Case

router = Router(tags=["审核确认流程"])

_INT = 2**31 - 1


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class QueueParams(Schema):
    kind: Literal["todo", "done", "overdue", "reviews"] = Field(
        "todo", description="todo=待办；done=已办；overdue=超期；reviews=定期复核（本辖区办理中的复核案件）"
    )
    program: AidProgram | None = None
    step: str = Field("", max_length=40, description="环节代码，如 investigation")
    region: str = Field("", max_length=12, description="区划代码（本辖区内）")
    page: int = Field(1, ge=1, le=100000)


class QueueRowOut(Schema):
    id: int
    number: str
    program: str
    program_label: str
    household_number: str
    applicant_name: str
    region_name: str
    state: str
    step_name: str
    step_due_on: date | None
    step_due_provisional: bool
    due_on: date | None
    due_provisional: bool
    days_left: int | None = Field(description="距本环节期限的工作日数，负数为已超期的工作日数")
    light: str = Field(description="red=已超期；yellow=临期；green=正常")
    light_label: str
    overdue: bool
    spot_check: str
    version: int
    prior_aid_due_on: date | None = Field(
        None, description="先行救助补办手续期限（临时救助），无先行救助为空"
    )
    prior_aid_light: str = Field("", description="先行救助补办期限的灯：red/yellow/green，无先行救助为空")
    prior_aid_overdue: bool = Field(False, description="先行救助补办已超期（扫描标记）")


class QueueOut(Schema):
    kind: str
    items: list[QueueRowOut]
    page: int
    page_size: int
    total: int


@router.get("/queue", response=QueueOut, summary="我的工作队列（待办、已办、超期）")
def queue(request: HttpRequest, params: Query[QueueParams]) -> QueueOut:
    require_perm(request.user, "workflow.view_case")
    page = selectors.queue(
        user=request.user,
        kind=params.kind,
        program=params.program,
        step=params.step or None,
        region_code=params.region or None,
        page=params.page,
    )
    return QueueOut(
        kind=page.kind,
        items=[QueueRowOut(**vars(r)) for r in page.rows],
        page=page.page,
        page_size=page.per_page,
        total=page.total,
    )


class EventOut(Schema):
    seq: int
    at: datetime
    actor_name: str
    action: str
    from_state: str
    to_state: str
    reason: str
    data: dict[str, Any]


class TransitionOut(Schema):
    target: str
    target_name: str
    name: str
    action: str
    reason_required: bool
    allowed: bool
    why_not: list[str]


class CaseOut(Schema):
    id: int
    number: str
    program: str
    household_id: int
    household_number: str
    applicant_name: str
    region: str
    application_no: str
    definition: str
    policy_version_id: int
    report_id: int | None
    state: str
    step_name: str
    status: str
    outcome: str
    accepted_on: date
    step_due_on: date | None
    step_due_provisional: bool
    due_on: date | None
    due_provisional: bool
    extended: bool
    paused_since: date | None
    light: str
    days_left: int | None
    overdue: bool
    escalated: bool
    spot_check: str
    minor_case: bool
    close_relative: bool
    remote: bool
    version: int
    missing_evidence: list[str]
    transitions: list[TransitionOut]
    history: list[EventOut]


def _case_out(request: HttpRequest, case: Case) -> CaseOut:
    today = timezone.localdate()
    step = selectors.case_step(case)
    cal = deadlines.work_calendar()
    open_ = case.status == "open"
    return CaseOut(
        id=case.pk,
        number=case.number,
        program=case.program,
        household_id=case.household_id,
        household_number=case.household.number,
        applicant_name=case.applicant.name,
        region=case.region_id,
        application_no=case.application_no,
        definition=str(case.definition),
        policy_version_id=case.policy_version_id,
        report_id=case.report_id,
        state=case.state,
        step_name=step.name,
        status=case.status,
        outcome=case.outcome,
        accepted_on=case.accepted_on,
        step_due_on=case.step_due_on,
        step_due_provisional=case.step_due_provisional,
        due_on=case.due_on,
        due_provisional=case.due_provisional,
        extended=case.extended,
        paused_since=case.paused_since,
        light=deadlines.light(case.step_due_on, today, case.policy_version.overdue_warning_days, cal)
        if open_
        else deadlines.GREEN,
        days_left=deadlines.working_days_left(case.step_due_on, today, cal) if open_ else None,
        overdue=case.overdue,
        escalated=case.escalated_at is not None,
        spot_check=case.spot_check,
        minor_case=case.minor_case,
        close_relative=case.close_relative,
        remote=case.remote,
        version=case.version,
        missing_evidence=selectors.case_missing_evidence(case),
        transitions=[
            TransitionOut(**vars(t)) for t in selectors.case_transitions(user=request.user, case=case)
        ],
        history=[
            EventOut(
                seq=e.seq,
                at=e.at,
                actor_name=e.actor_name,
                action=e.action,
                from_state=e.from_state,
                to_state=e.to_state,
                reason=e.reason,
                data=e.data,
            )
            for e in selectors.case_history(case)
        ],
    )


def _get(request: HttpRequest, case_id: int) -> Case:
    return selectors.case_get(user=request.user, case_id=case_id)


@router.get(
    "/cases/{case_id}", response=CaseOut, summary="案件：当前环节、期限、办理记录、可办理的流转及缺少的材料"
)
def case_detail(request: HttpRequest, case_id: int) -> CaseOut:
    require_perm(request.user, "workflow.view_case")
    case = _get(request, case_id)
    audit_view(request, object_type=AuditObject.CASE, object_id=case.pk, region_code=case.region_id)
    return _case_out(request, case)


class ActIn(_Strict):
    version: int = Field(ge=1, le=_INT, description="读取案件时的版本号（乐观锁）")
    target: str = Field(max_length=40, description="目标环节代码（见案件的 transitions）")
    reason: str = Field("", max_length=500, description="理由（退回、撤回、终止时必填）")


@router.post(
    "/cases/{case_id}/act", response=CaseOut, summary="办理：将案件转到下一环节（或退回、撤回、终止）"
)
def case_act(request: HttpRequest, case_id: int, payload: ActIn) -> CaseOut:
    case = services.case_act(
        ctx=AuditContext.from_request(request),
        case_id=case_id,
        version=payload.version,
        target=payload.target,
        reason=payload.reason,
    )
    return _case_out(request, _get(request, case.pk))


class ExtendIn(_Strict):
    version: int = Field(ge=1, le=_INT)
    reason: str = Field(max_length=200, description="延长办理时限的理由")


@router.post("/cases/{case_id}/extend", response=CaseOut, summary="延长办理总时限（须说明理由，仅一次）")
def case_extend(request: HttpRequest, case_id: int, payload: ExtendIn) -> CaseOut:
    case = services.case_extend(
        ctx=AuditContext.from_request(request),
        case_id=case_id,
        version=payload.version,
        reason=payload.reason,
    )
    return _case_out(request, _get(request, case.pk))


class AttachReportIn(_Strict):
    version: int = Field(ge=1, le=_INT, description="读取案件时的版本号（乐观锁）")
    report_id: int = Field(ge=1, le=_INT, description="该户的家庭经济状况核对报告编号")


@router.post(
    "/cases/{case_id}/report",
    response=CaseOut,
    summary="附入（或更换）家庭经济状况核对报告（退回重新核对后）",
)
def case_attach_report(request: HttpRequest, case_id: int, payload: AttachReportIn) -> CaseOut:
    case = services.case_attach_report(
        ctx=AuditContext.from_request(request),
        case_id=case_id,
        version=payload.version,
        report_id=payload.report_id,
    )
    return _case_out(request, _get(request, case.pk))


class ClaimIn(_Strict):
    minutes: int = Field(30, ge=1, le=480, description="认领时长（分钟）")


class ClaimOut(Schema):
    claimed: bool = Field(description="true：已由您认领；false：他人正在办理")


@router.post("/cases/{case_id}/claim", response=ClaimOut, summary="认领案件（避免多人同时办理）")
def case_claim(request: HttpRequest, case_id: int, payload: ClaimIn) -> ClaimOut:
    claimed = services.case_claim(
        ctx=AuditContext.from_request(request), case_id=case_id, minutes=payload.minutes
    )
    return ClaimOut(claimed=claimed)
