"""REST endpoints of the steps of a case: what each records, and the moves that end them (a portal or a
mobile app drives the procedure through them). The home investigation and the community review carry
signature files: they are multipart forms; the rest take JSON."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from jiuzhu.audit.services import AuditContext

from .models import Objection, PublicNotice
from .services import steps

router = Router(tags=["审核确认环节"])


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class Versioned(_Strict):
    version: int = Field(ge=0, le=2**31 - 1, description="页面或上次读取时案件的版本号（乐观锁）")


class InvestigationIn(Schema):
    version: int = Field(ge=0, le=2**31 - 1)
    visited_on: date
    investigator_ids: list[int] = Field(description="调查人员的用户编号，至少为政策规定人数")
    food: str
    clothing: str
    housing: str
    daily_goods: str
    findings: str
    family_signatory: str
    by_county: bool = Field(default=False, description="县级入户核查（近亲属备案案件），在确认环节由县级办理")


class InvestigationOut(Schema):
    id: int
    case_id: int
    round: int
    visited_on: date
    by_county: bool
    investigators: list[int]


@router.post(
    "/cases/{case_id}/investigation",
    response={201: InvestigationOut},
    summary="登记入户调查（含重新调查核实、县级入户核查），附签字文件",
)
def investigation(
    request: HttpRequest,
    case_id: int,
    payload: Form[InvestigationIn],
    family_signature: File[UploadedFile],
    investigator_signatures: File[UploadedFile],
    photo: File[UploadedFile | None] = None,
) -> Status[InvestigationOut]:
    row = steps.investigation_record(
        ctx=AuditContext.from_request(request),
        case_id=case_id,
        family_signature=family_signature,
        investigator_signatures=investigator_signatures,
        photo=photo,
        **payload.model_dump(),
    )
    return Status(
        201,
        InvestigationOut(
            id=row.pk,
            case_id=row.case_id,
            round=row.round,
            visited_on=row.visited_on,
            by_county=row.by_county,
            investigators=sorted(u.pk for u in row.investigators.all()),
        ),
    )


class CommunityReviewIn(Schema):
    version: int = Field(ge=0, le=2**31 - 1)
    held_on: date
    expected: int = Field(ge=0, le=10000)
    attended: int = Field(ge=0, le=10000)
    votes_for: int = Field(ge=0, le=10000)
    votes_against: int = Field(ge=0, le=10000)
    abstained: int = Field(default=0, ge=0, le=10000)
    minutes: str


class CommunityReviewOut(Schema):
    id: int
    case_id: int
    passed: bool


@router.post(
    "/cases/{case_id}/community-review",
    response={201: CommunityReviewOut},
    summary="登记民主评议（到会比例与同意比例按政策参数判定），附参会人员签字",
)
def community_review(
    request: HttpRequest, case_id: int, payload: Form[CommunityReviewIn], signatures: File[UploadedFile]
) -> Status[CommunityReviewOut]:
    row = steps.community_review_record(
        ctx=AuditContext.from_request(request), case_id=case_id, signatures=signatures, **payload.model_dump()
    )
    return Status(201, CommunityReviewOut(id=row.pk, case_id=row.case_id, passed=row.passed))


class OpinionIn(Versioned):
    agree: bool
    text: str


class OpinionOut(Schema):
    id: int
    case_id: int
    step: str
    agree: bool
    text: str


@router.post("/cases/{case_id}/review-opinion", response={201: OpinionOut}, summary="登记乡镇审核意见")
def review_opinion(request: HttpRequest, case_id: int, payload: OpinionIn) -> Status[OpinionOut]:
    row = steps.review_opinion(
        ctx=AuditContext.from_request(request), case_id=case_id, **payload.model_dump()
    )
    return Status(
        201, OpinionOut(id=row.pk, case_id=row.case_id, step=row.step, agree=row.agree, text=row.text)
    )


class PublicNoticeOut(Schema):
    id: int
    case_id: int
    round: int
    village: str
    starts_on: date
    ends_on: date
    masked_name: str
    household_size: int
    program: str
    amount: Decimal
    closed_on: date | None


def _notice_out(n: PublicNotice) -> PublicNoticeOut:
    return PublicNoticeOut(
        id=n.pk,
        case_id=n.case_id,
        round=n.round,
        village=n.village_id,
        starts_on=n.starts_on,
        ends_on=n.ends_on,
        masked_name=n.masked_name,
        household_size=n.household_size,
        program=n.program,
        amount=n.amount,
        closed_on=n.closed_on,
    )


@router.post(
    "/cases/{case_id}/public-notice",
    response={201: PublicNoticeOut},
    summary="在申请人所在村（社区）开始公示（未成年人案件不公示）",
)
def notice_start(request: HttpRequest, case_id: int, payload: Versioned) -> Status[PublicNoticeOut]:
    row = steps.public_notice_start(
        ctx=AuditContext.from_request(request), case_id=case_id, **payload.model_dump()
    )
    return Status(201, _notice_out(row))


class CaseMoved(Schema):
    case_id: int
    state: str
    status: str
    outcome: str
    version: int


@router.post(
    "/cases/{case_id}/public-notice/close",
    response=CaseMoved,
    summary="公示期满且无待核实异议：结束公示，转入确认环节",
)
def notice_close(request: HttpRequest, case_id: int, payload: Versioned) -> CaseMoved:
    case = steps.public_notice_close(
        ctx=AuditContext.from_request(request), case_id=case_id, **payload.model_dump()
    )
    return CaseMoved(
        case_id=case.pk, state=case.state, status=case.status, outcome=case.outcome, version=case.version
    )


class ObjectionIn(_Strict):
    received_on: date
    content: str
    raised_by: str = Field(default="", description="异议人，可留空（匿名）")


class ObjectionOut(Schema):
    id: int
    notice_id: int
    received_on: date
    content: str
    raised_by: str
    holds: bool | None
    finding: str


def _objection_out(o: Objection) -> ObjectionOut:
    return ObjectionOut(
        id=o.pk,
        notice_id=o.notice_id,
        received_on=o.received_on,
        content=o.content,
        raised_by=o.raised_by,
        holds=o.holds,
        finding=o.finding,
    )


@router.post(
    "/public-notices/{public_notice_id}/objections", response={201: ObjectionOut}, summary="登记公示异议"
)
def objection_create(
    request: HttpRequest, public_notice_id: int, payload: ObjectionIn
) -> Status[ObjectionOut]:
    row = steps.objection_record(
        ctx=AuditContext.from_request(request), notice_id=public_notice_id, **payload.model_dump()
    )
    return Status(201, _objection_out(row))


class ObjectionDecideIn(_Strict):
    holds: bool
    finding: str
    version: int | None = Field(default=None, ge=0, le=2**31 - 1, description="案件版本号（可选）")


@router.post(
    "/objections/{objection_id}/decide",
    response=ObjectionOut,
    summary="异议核实结论：成立则结束本轮公示，案件退回重新调查核实",
)
def objection_decide(request: HttpRequest, objection_id: int, payload: ObjectionDecideIn) -> ObjectionOut:
    row = steps.objection_decide(
        ctx=AuditContext.from_request(request), objection_id=objection_id, **payload.model_dump()
    )
    return _objection_out(row)


class SpotCheckIn(Versioned):
    agree: bool
    finding: str


@router.post("/cases/{case_id}/spot-check", response={201: OpinionOut}, summary="登记县级抽查结论")
def spot_check(request: HttpRequest, case_id: int, payload: SpotCheckIn) -> Status[OpinionOut]:
    row = steps.spot_check_record(
        ctx=AuditContext.from_request(request), case_id=case_id, **payload.model_dump()
    )
    return Status(
        201, OpinionOut(id=row.pk, case_id=row.case_id, step=row.step, agree=row.agree, text=row.text)
    )


class ConfirmationIn(Versioned):
    agree: bool
    text: str
    reasons: list[str] = Field(default_factory=list, description="不予确认的理由，逐条")


class ConfirmationOut(Schema):
    case_id: int
    state: str
    outcome: str
    decision_id: int
    amount: Decimal
    entitlement_id: int | None
    notice_id: int
    notice_document_no: str


@router.post(
    "/cases/{case_id}/confirmation",
    response={201: ConfirmationOut},
    summary="确认决定：同意则生成救助决定、在保记录和确认通知书；不同意须说明理由，生成不予确认通知书",
)
def confirmation(request: HttpRequest, case_id: int, payload: ConfirmationIn) -> Status[ConfirmationOut]:
    done = steps.confirmation_decide(
        ctx=AuditContext.from_request(request), case_id=case_id, **payload.model_dump()
    )
    return Status(
        201,
        ConfirmationOut(
            case_id=done.case.pk,
            state=done.case.state,
            outcome=done.case.outcome,
            decision_id=done.decision.pk,
            amount=done.decision.amount,
            entitlement_id=done.entitlement.pk if done.entitlement else None,
            notice_id=done.notice.pk,
            notice_document_no=done.notice.document_no,
        ),
    )


# --- 特困: the self-care assessment ----------------------------------------------------------------------


class SelfCareItems(_Strict):
    eating: bool = Field(description="自主吃饭")
    dressing: bool = Field(description="自主穿衣")
    bed: bool = Field(description="自主上下床")
    toileting: bool = Field(description="自主如厕")
    walking: bool = Field(description="室内自主行走")
    bathing: bool = Field(description="自主洗澡")


class SelfCareIn(Versioned):
    items: SelfCareItems = Field(description="六项能否自主完成（true 为能）")
    assessed_on: date
    assessor_ids: list[int] = Field(description="评估人员的用户编号：至少政策规定人数，须含县级民政部门人员")
    note: str = ""


class SanwuFindingOut(Schema):
    code: str
    label: str
    met: bool | None
    reasons: list[str]


class SelfCareOut(Schema):
    id: int
    case_id: int
    round: int
    lost: int
    tier: str
    tier_label: str
    sanwu: str = Field(description="“三无”条件认定：yes 符合 / no 不符合 / review 待核实")
    findings: list[SanwuFindingOut]


@router.post(
    "/cases/{case_id}/selfcare",
    response={201: SelfCareOut},
    summary="登记特困人员生活自理能力评估（六项），确定护理等级并认定“三无”条件",
)
def selfcare(request: HttpRequest, case_id: int, payload: SelfCareIn) -> Status[SelfCareOut]:
    from .services.tekun import selfcare_assess

    data = payload.model_dump()
    row = selfcare_assess(ctx=AuditContext.from_request(request), case_id=case_id, **data)
    return Status(
        201,
        SelfCareOut(
            id=row.pk,
            case_id=row.case_id,
            round=row.round,
            lost=row.lost,
            tier=row.tier,
            tier_label=row.get_tier_display(),
            sanwu=str(row.sanwu.get("outcome", "")),
            findings=[SanwuFindingOut(**f) for f in row.sanwu.get("findings", [])],
        ),
    )
