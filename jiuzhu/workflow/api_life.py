"""REST endpoints of the life of an entitlement on the engine: opening the periodic reviews due, the
county's review decision, and the changes outside a review (调整、暂停、恢复、终止、渐退), each with its
notice where the family is told."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import Entitlement
from jiuzhu.core.errors import ValidationFailed

from .services import reviews

router = Router(tags=["在保动态管理"])

_INT = 2**31 - 1


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ReviewsOpenIn(_Strict):
    today: date | None = Field(default=None, description="按此日期计算应立案的复核（默认今天，不能晚于今天）")


class ReviewsOpenOut(Schema):
    opened: list[str] = Field(description="新立的复核案件编号")
    skipped: dict[str, int] = Field(description="未立案的原因及户数")


@router.post(
    "/reviews/open",
    response=ReviewsOpenOut,
    summary="为本辖区临近复核日期的在保对象立定期复核案件（可重复调用）",
)
def reviews_open(request: HttpRequest, payload: ReviewsOpenIn) -> ReviewsOpenOut:
    if payload.today is not None and payload.today > timezone.localdate():
        raise ValidationFailed({"today": "计算日期不能晚于今天"})
    result = reviews.reviews_open(ctx=AuditContext.from_request(request), today=payload.today)
    return ReviewsOpenOut(opened=result.opened, skipped=result.skipped)


class ReviewDecisionIn(_Strict):
    version: int = Field(ge=0, le=_INT, description="案件版本号（乐观锁）")
    outcome: str = Field(description="maintained=维持；adjusted=调整；suspended=暂停发放；stopped=停保")
    text: str = Field(max_length=2000, description="确认意见")
    reasons: list[str] = Field(default_factory=list, max_length=20, description="理由（暂停、停保必填）")
    from_month: date | None = Field(
        default=None, description="调整、暂停的起始月份，或停保的最后发放月份（取该月）"
    )


class ReviewDecisionOut(Schema):
    case_id: int
    state: str
    outcome: str
    entitlement_id: int
    entitlement_status: str
    amount: Decimal
    next_review_on: date
    notice_id: int | None
    notice_document_no: str | None


@router.post(
    "/cases/{case_id}/review-decision",
    response={201: ReviewDecisionOut},
    summary="定期复核的县级确认：维持、调整（出具调整告知书）、暂停发放或停保（出具告知书）",
)
def review_decision(
    request: HttpRequest, case_id: int, payload: ReviewDecisionIn
) -> Status[ReviewDecisionOut]:
    done = reviews.review_decide(
        ctx=AuditContext.from_request(request), case_id=case_id, **payload.model_dump()
    )
    e = done.entitlement
    return Status(
        201,
        ReviewDecisionOut(
            case_id=done.case.pk,
            state=done.case.state,
            outcome=done.case.outcome,
            entitlement_id=e.pk,
            entitlement_status=e.status,
            amount=e.amount,
            next_review_on=e.next_review_on,
            notice_id=done.notice.pk if done.notice else None,
            notice_document_no=done.notice.document_no if done.notice else None,
        ),
    )


class ChangedOut(Schema):
    entitlement_id: int
    status: str
    amount: Decimal
    version: int
    next_review_on: date
    valid_until: date | None
    end_month: date | None
    notice_id: int | None
    notice_document_no: str | None


def _out(changed: reviews.Changed) -> ChangedOut:
    e: Entitlement = changed.entitlement
    return ChangedOut(
        entitlement_id=e.pk,
        status=e.status,
        amount=e.amount,
        version=e.version,
        next_review_on=e.next_review_on,
        valid_until=e.valid_until,
        end_month=e.end_month,
        notice_id=changed.notice.pk if changed.notice else None,
        notice_document_no=changed.notice.document_no if changed.notice else None,
    )


class AdjustIn(_Strict):
    from_month: date = Field(description="调整起始月份（取该月）")
    reason: str = Field(max_length=200, description="调整原因")
    per_capita_income: Decimal | None = Field(
        default=None,
        ge=0,
        max_digits=12,
        decimal_places=2,
        description="变化后的家庭月人均收入（不填则按原决定）",
    )
    version: int | None = Field(default=None, ge=0, le=_INT, description="在保记录版本号（乐观锁）")


@router.post(
    "/entitlements/{entitlement_id}/adjust",
    response=ChangedOut,
    summary="调整保障金额：按现行规则重新计算，自某月起执行，出具调整告知书",
)
def adjust(request: HttpRequest, entitlement_id: int, payload: AdjustIn) -> ChangedOut:
    return _out(
        reviews.entitlement_change(
            ctx=AuditContext.from_request(request), entitlement_id=entitlement_id, **payload.model_dump()
        )
    )


class MonthReasonIn(_Strict):
    from_month: date = Field(description="起始月份（取该月）")
    reason: str = Field(max_length=200)
    version: int | None = Field(default=None, ge=0, le=_INT)


@router.post(
    "/entitlements/{entitlement_id}/suspend", response=ChangedOut, summary="暂停发放（出具暂停发放告知书）"
)
def suspend(request: HttpRequest, entitlement_id: int, payload: MonthReasonIn) -> ChangedOut:
    return _out(
        reviews.entitlement_hold(
            ctx=AuditContext.from_request(request), entitlement_id=entitlement_id, **payload.model_dump()
        )
    )


@router.post("/entitlements/{entitlement_id}/resume", response=ChangedOut, summary="恢复发放")
def resume(request: HttpRequest, entitlement_id: int, payload: MonthReasonIn) -> ChangedOut:
    return _out(
        reviews.entitlement_restart(
            ctx=AuditContext.from_request(request), entitlement_id=entitlement_id, **payload.model_dump()
        )
    )


class TerminateIn(_Strict):
    end_month: date = Field(description="最后发放月份（取该月）")
    reasons: list[str] = Field(max_length=20, description="终止理由（逐条）")
    version: int | None = Field(default=None, ge=0, le=_INT)


@router.post(
    "/entitlements/{entitlement_id}/terminate",
    response=ChangedOut,
    summary="终止救助（停保），出具终止救助告知书",
)
def terminate(request: HttpRequest, entitlement_id: int, payload: TerminateIn) -> ChangedOut:
    return _out(
        reviews.entitlement_stop(
            ctx=AuditContext.from_request(request), entitlement_id=entitlement_id, **payload.model_dump()
        )
    )


class TaperIn(_Strict):
    person_id: int = Field(ge=1, le=_INT, description="就业的家庭成员")
    found_work_on: date = Field(description="就业日期")
    reason: str = Field(max_length=200)
    version: int | None = Field(default=None, ge=0, le=_INT)


@router.post(
    "/entitlements/{entitlement_id}/taper",
    response=ChangedOut,
    summary="渐退期：成员就业后继续发放政策规定的月数，期满自动终止",
)
def taper(request: HttpRequest, entitlement_id: int, payload: TaperIn) -> ChangedOut:
    return _out(
        reviews.entitlement_work_found(
            ctx=AuditContext.from_request(request), entitlement_id=entitlement_id, **payload.model_dump()
        )
    )
