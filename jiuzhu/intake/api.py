"""REST endpoints of 一门受理: the township's applications and every step of intake, the cooperation
requests, and two public endpoints (no login, rate-limited): the online application and the status
lookup. Signed papers travel as base64 in the JSON body (PNG, JPEG or PDF, at most 5 MB each)."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from jiuzhu.audit.services import AuditContext, audit_view
from jiuzhu.benefits.programs.facts import FACTS
from jiuzhu.core.errors import NotFound, ValidationFailed
from jiuzhu.core.masking import id_number_for
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import (
    AidProgram,
    ApplicationChannel,
    ApplicationStatus,
    AuditObject,
    CooperationStatus,
)
from jiuzhu.workflow.notices import notices_for

from . import selectors, services
from .models import Application, CooperationRequest
from .throttle import TooManyRequests, client_key, public_rate

router = Router(tags=["一门受理"])
MAX_B64 = 7 * 1024 * 1024  # 5 MB of file as base64, with room


def _error(description: str) -> dict[str, Any]:
    """An error response of a public operation, documented with the API's error schema."""
    ref = {"$ref": "#/components/schemas/ApiError"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


TOO_MANY_DOC = _error("请求过于频繁（按来源地址限制频率），请稍后再试")


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class NoticeBrief(Schema):
    id: int
    kind: str
    title: str
    document_no: str
    issued_on: date


class CaseBrief(Schema):
    id: int
    number: str
    program: str
    notice: int | None = None


class ProposedOut(Schema):
    program: str
    outcome: str
    reasons: list[str]


class ApplicationOut(Schema):
    id: int
    number: str
    channel: ApplicationChannel
    status: ApplicationStatus
    status_label: str
    township: str
    village: str | None
    name: str
    id_number: str = Field(description="按调用者权限显示全部或遮盖")
    phone: str
    programs: list[str]
    proposed: list[ProposedOut]
    report_id: int | None
    household_id: int | None
    identity_confirmed: bool
    has_commitment: bool
    has_authorisation: bool
    has_mandate: bool
    close_relative: bool
    remote: bool
    missing_items: list[str]
    refusal_reason: str
    submitted_at: datetime
    accepted_at: datetime | None
    cases: list[CaseBrief]
    notices: list[NoticeBrief]
    version: int


def _out(request: HttpRequest, app: Application, *, notices: bool = True) -> ApplicationOut:
    return ApplicationOut(
        id=app.pk,
        number=app.number,
        channel=ApplicationChannel(app.channel),
        status=ApplicationStatus(app.status),
        status_label=ApplicationStatus.label_of(app.status),
        township=app.township_id,
        village=app.village_id,
        name=app.name,
        id_number=id_number_for(request.user, app.id_number),
        phone=app.phone,
        programs=list(app.programs),
        proposed=[ProposedOut(**p) for p in app.proposed],
        report_id=app.report_id,
        household_id=app.household_id,
        identity_confirmed=app.identity_confirmed,
        has_commitment=bool(app.commitment),
        has_authorisation=bool(app.authorisation),
        has_mandate=bool(app.mandate),
        close_relative=app.close_relative,
        remote=app.remote,
        missing_items=list(app.missing_items),
        refusal_reason=app.refusal_reason,
        submitted_at=app.submitted_at,
        accepted_at=app.accepted_at,
        cases=[CaseBrief(**c) for c in app.cases],
        notices=[
            NoticeBrief(id=n.pk, kind=n.kind, title=n.title, document_no=n.document_no, issued_on=n.issued_on)
            for n in (notices_for(user=request.user, application_no=app.number) if notices else [])
        ],
        version=app.version,
    )


def _file(value: str | None, key: str) -> ContentFile[bytes] | None:
    """A file sent as base64 (size and type are checked by the service)."""
    if value is None:
        return None
    if len(value) > MAX_B64:
        raise ValidationFailed({key: "文件过大，不能超过 5 MB"})
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed({key: "文件内容应为 base64 编码"}) from None
    return ContentFile(data, name=f"{key}.bin")


# --- the township's applications -------------------------------------------------------------------------


@router.get("/applications", response=list[ApplicationOut], summary="申请队列（本辖区）")
def applications(
    request: HttpRequest,
    status: ApplicationStatus | None = None,
    channel: ApplicationChannel | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[ApplicationOut]:
    require_perm(request.user, "intake.view_application")
    rows = selectors.applications_list(user=request.user, status=status or "", channel=channel or "")
    return [_out(request, a, notices=False) for a in rows[offset : offset + limit]]


@router.get("/applications/{application_id}", response=ApplicationOut, summary="申请详情（含文书与已立案件）")
def application(request: HttpRequest, application_id: int) -> ApplicationOut:
    require_perm(request.user, "intake.view_application")
    app = selectors.application_get(user=request.user, application_id=application_id)
    audit_view(request, object_type=AuditObject.APPLICATION, object_id=app.pk, region_code=app.township_id)
    return _out(request, app)


class StartIn(_Strict):
    id_number: str = Field(max_length=20, description="申请人身份证号码（一证申请）")
    channel: ApplicationChannel = Field(description="window=窗口受理；proxy=村(居)帮办代办（须附委托书）")
    statement: str = Field("", max_length=1000)
    programs: list[AidProgram] = Field(default_factory=list, max_length=10, description="可为空（模糊申请）")
    phone: str = Field("", max_length=20)
    mandate: str | None = Field(None, description="委托书（base64；帮办代办必填）")
    remote: bool = False
    residence_proof: str | None = Field(None, description="居住证或居住证明（base64；异地申办必填）")
    residence_permit_no: str = Field("", max_length=40)


@router.post("/applications", response=ApplicationOut, summary="登记申请（窗口或帮办代办）")
def start(request: HttpRequest, payload: StartIn) -> ApplicationOut:
    app = services.application_start(
        ctx=AuditContext.from_request(request),
        id_number=payload.id_number,
        channel=payload.channel,
        statement=payload.statement,
        programs=[str(p) for p in payload.programs],
        phone=payload.phone,
        mandate=_file(payload.mandate, "mandate"),
        remote=payload.remote,
        residence_proof=_file(payload.residence_proof, "residence_proof"),
        residence_permit_no=payload.residence_permit_no,
    )
    return _out(request, app)


class VersionIn(_Strict):
    version: int = Field(ge=0, le=2_000_000_000)


@router.post(
    "/applications/{application_id}/verify",
    response=ApplicationOut,
    summary="核对家庭经济状况，列出可能符合的全部救助项目",
)
def verify(request: HttpRequest, application_id: int, payload: VersionIn) -> ApplicationOut:
    app = services.application_verify(
        ctx=AuditContext.from_request(request), application_id=application_id, version=payload.version
    )
    return _out(request, app)


class MaterialsIn(VersionIn):
    items: list[str] = Field(max_length=100, description="需要补正的全部材料")


@router.post("/applications/{application_id}/materials", response=ApplicationOut, summary="一次性告知缺件")
def materials(request: HttpRequest, application_id: int, payload: MaterialsIn) -> ApplicationOut:
    app = services.application_request_materials(
        ctx=AuditContext.from_request(request),
        application_id=application_id,
        version=payload.version,
        items=payload.items,
    )
    return _out(request, app)


class PapersIn(VersionIn):
    commitment: str | None = Field(None, description="诚信承诺书（base64，PNG/JPEG/PDF，不超过 5 MB）")
    authorisation: str | None = Field(None, description="核对授权书（base64，PNG/JPEG/PDF，不超过 5 MB）")


@router.post("/applications/{application_id}/papers", response=ApplicationOut, summary="上传签字材料")
def papers(request: HttpRequest, application_id: int, payload: PapersIn) -> ApplicationOut:
    app = services.application_record_papers(
        ctx=AuditContext.from_request(request),
        application_id=application_id,
        version=payload.version,
        commitment=_file(payload.commitment, "commitment"),
        authorisation=_file(payload.authorisation, "authorisation"),
    )
    return _out(request, app)


class RelativeIn(VersionIn):
    official_name: str = Field(max_length=50)
    position: str = Field(max_length=100)
    relation: str = Field(max_length=30)


@router.post("/applications/{application_id}/relative", response=ApplicationOut, summary="近亲属备案")
def relative(request: HttpRequest, application_id: int, payload: RelativeIn) -> ApplicationOut:
    app = services.application_declare_relative(
        ctx=AuditContext.from_request(request),
        application_id=application_id,
        version=payload.version,
        official_name=payload.official_name,
        position=payload.position,
        relation=payload.relation,
    )
    return _out(request, app)


class AcceptIn(VersionIn):
    programs: list[AidProgram] = Field(max_length=10, description="受理的项目：每个项目分别立案")
    identity_confirmed: bool = Field(False, description="网上申请：已查验申请人身份证件")
    details: dict[AidProgram, dict[str, str | int | bool | None]] = Field(
        default_factory=dict,
        description="按项目填写的项目信息（见 GET /intake/program-facts）；"
        "个人项目须给出 subject_id（救助对象）",
    )


@router.post(
    "/applications/{application_id}/accept",
    response=ApplicationOut,
    summary="受理：按项目立案并出具受理通知书",
)
def accept(request: HttpRequest, application_id: int, payload: AcceptIn) -> ApplicationOut:
    app = services.application_accept(
        ctx=AuditContext.from_request(request),
        application_id=application_id,
        version=payload.version,
        programs=[str(p) for p in payload.programs],
        identity_confirmed=payload.identity_confirmed,
        details={str(k): v for k, v in payload.details.items()},
    )
    return _out(request, app)


class FactOut(Schema):
    code: str
    label: str
    kind: str
    choices: list[list[str]]
    required: bool
    help: str


@router.get("/program-facts", response=dict[str, list[FactOut]], summary="各项目受理时需填写的项目信息")
def program_facts(request: HttpRequest) -> dict[str, list[FactOut]]:
    return {
        program: [
            FactOut(
                code=f.code,
                label=f.label,
                kind=f.kind,
                choices=[list(c) for c in f.choices],
                required=f.required,
                help=f.help,
            )
            for f in facts
        ]
        for program, facts in FACTS.items()
    }


class RefuseIn(VersionIn):
    reason: str = Field(max_length=500)


@router.post("/applications/{application_id}/refuse", response=ApplicationOut, summary="不予受理（附理由）")
def refuse(request: HttpRequest, application_id: int, payload: RefuseIn) -> ApplicationOut:
    app = services.application_refuse(
        ctx=AuditContext.from_request(request),
        application_id=application_id,
        version=payload.version,
        reason=payload.reason,
    )
    return _out(request, app)


# --- 异地协作核查 ------------------------------------------------------------------------------------------


class CooperationOut(Schema):
    id: int
    application_no: str
    from_region: str
    to_region: str
    question: str
    requested_on: date
    due_on: date
    due_provisional: bool
    status: CooperationStatus
    answer: str
    answered_on: date | None
    version: int


def _cooperation_out(r: CooperationRequest) -> CooperationOut:
    return CooperationOut(
        id=r.pk,
        application_no=r.application.number,
        from_region=r.from_region_id,
        to_region=r.to_region_id,
        question=r.question,
        requested_on=r.requested_on,
        due_on=r.due_on,
        due_provisional=r.due_provisional,
        status=CooperationStatus(r.status),
        answer=r.answer,
        answered_on=r.answered_on,
        version=r.version,
    )


@router.get("/cooperation", response=list[CooperationOut], summary="异地协作核查请求（发出与收到）")
def cooperation(request: HttpRequest) -> list[CooperationOut]:
    require_perm(request.user, "intake.view_cooperationrequest")
    return [_cooperation_out(r) for r in selectors.cooperation_list(user=request.user)[:200]]


class AnswerIn(VersionIn):
    answer: str = Field(max_length=2000)


@router.post("/cooperation/{request_id}/answer", response=CooperationOut, summary="户籍地答复协作核查")
def cooperation_answer(request: HttpRequest, request_id: int, payload: AnswerIn) -> CooperationOut:
    r = services.cooperation_answer(
        ctx=AuditContext.from_request(request),
        request_id=request_id,
        version=payload.version,
        answer=payload.answer,
    )
    return _cooperation_out(selectors.cooperation_get(user=request.user, request_id=r.pk))


# --- public ------------------------------------------------------------------------------------------------


def _throttle(request: HttpRequest, group: str) -> None:
    if is_ratelimited(request, group=group, key=client_key, rate=public_rate, method="POST", increment=True):
        raise TooManyRequests()


class OnlineIn(_Strict):
    id_number: str = Field(max_length=20)
    name: str = Field(max_length=50)
    phone: str = Field(max_length=20)
    township_code: str = Field(max_length=12)
    village_code: str = Field(max_length=12)
    statement: str = Field("", max_length=1000)
    programs: list[AidProgram] = Field(default_factory=list, max_length=10)


class SubmittedOut(Schema):
    number: str = Field(description="申请编号：凭它、查询码和身份证号码后六位查询进度")
    query_code: str = Field(description="查询码（8位，随机生成）：查询进度时与申请编号一并提供")
    status: ApplicationStatus


@router.post(
    "/public/applications",
    auth=None,
    response=SubmittedOut,
    openapi_extra={"responses": {429: TOO_MANY_DOC}},
    summary="网上申请（公开，无需登录，限制频率）",
)
def public_apply(request: HttpRequest, payload: OnlineIn) -> SubmittedOut:
    _throttle(request, "intake.public.apply")
    app = services.application_submit_online(
        ctx=AuditContext.from_request(request),
        id_number=payload.id_number,
        name=payload.name,
        phone=payload.phone,
        township_code=payload.township_code,
        village_code=payload.village_code,
        statement=payload.statement,
        programs=[str(p) for p in payload.programs],
    )
    return SubmittedOut(number=app.number, query_code=app.query_code, status=ApplicationStatus(app.status))


class StatusIn(_Strict):
    number: str = Field(max_length=40, description="申请编号")
    query_code: str = Field(max_length=8, description="查询码（网上申请确认页或受理通知书上的8位查询码）")
    id_last6: str = Field(max_length=6, description="申请人身份证号码后六位")


class CaseProgressOut(Schema):
    program_label: str
    step: str
    due_on: date | None
    due_provisional: bool
    closed: bool


class StatusOut(Schema):
    status: ApplicationStatus
    status_label: str
    cases: list[CaseProgressOut]


@router.post(
    "/public/status",
    auth=None,
    response=StatusOut,
    openapi_extra={
        "responses": {
            404: _error("未找到与所填信息相符的申请（编号错误、查询码或号码不符、多次答错被锁定，答复相同）"),
            429: TOO_MANY_DOC,
        }
    },
    summary="查询办理进度（公开，凭申请编号、查询码和身份证号码后六位；限制频率，连续答错5次锁定1小时）",
)
def public_status(request: HttpRequest, payload: StatusIn) -> StatusOut:
    _throttle(request, "intake.public.status")
    answer = selectors.application_status_public(
        number=payload.number, query_code=payload.query_code, id_last6=payload.id_last6
    )
    if answer is None:
        raise NotFound(selectors.NOT_FOUND_PUBLIC)
    return StatusOut(
        status=ApplicationStatus(answer.status),
        status_label=answer.status_label,
        cases=[CaseProgressOut(**c.__dict__) for c in answer.cases],
    )
