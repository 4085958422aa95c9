"""REST endpoints of 临时救助's own acts: 先行救助 (pay at once, complete later) and its register, a
non-resident's file at the place of the emergency, and the county's 一事一议 above the general cap."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from jiuzhu.audit.services import AuditContext
from jiuzhu.core.vocab import TemporaryCause

from .api_case import OpinionIn, OpinionOut
from .selectors_temporary import PriorAidRow, prior_aid_get, prior_aids
from .services.temporary import (
    non_resident_register,
    prior_aid_grant,
    special_approval_record,
    temporary_amount_propose,
)

router = Router(tags=["临时救助"])


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class PriorAidIn(_Strict):
    recipient_id: int = Field(description="受助人（该户现有成员）的人员编号")
    amount: Decimal = Field(
        gt=0, max_digits=12, decimal_places=2, description="先行救助金额（元），不超过乡镇审批限额"
    )
    cause: TemporaryCause = Field(description="急难事由（急难型）")
    reason: str = Field(max_length=500, description="困难情形")
    paid_on: date | None = Field(None, description="发放日期，默认今天")
    non_resident: bool = Field(False, description="流动人口（在急难发生地救助）")


class PriorAidOut(Schema):
    id: int
    case_id: int
    case_number: str
    household_id: int
    recipient_name: str
    amount: Decimal
    cause: str
    cause_label: str
    reason: str
    paid_on: date
    due_on: date = Field(description="补办手续期限（工作日计）")
    due_provisional: bool
    completed: bool = Field(description="案件已办结")
    ratified: bool = Field(description="审批决定已追认")
    overdue: bool = Field(description="补办已超期（扫描标记）")
    light: str = Field(description="办理中：red=已超期；yellow=临期；green=正常；已办结为空")
    non_resident: bool


def _out(row: PriorAidRow) -> PriorAidOut:
    return PriorAidOut(**{k: getattr(row, k) for k in PriorAidOut.model_fields})


@router.get("/prior-aid", response=list[PriorAidOut], summary="先行救助登记（本辖区，含补办期限的灯）")
def prior_aid_list(request: HttpRequest, open_only: bool = False) -> list[PriorAidOut]:
    return [_out(r) for r in prior_aids(user=request.user, open_only=open_only)]


@router.get("/prior-aid/{prior_aid_id}", response=PriorAidOut, summary="一条先行救助")
def prior_aid_detail(request: HttpRequest, prior_aid_id: int) -> PriorAidOut:
    return _out(prior_aid_get(user=request.user, prior_aid_id=prior_aid_id))


@router.post(
    "/households/{household_id}/prior-aid",
    response={201: PriorAidOut},
    summary="先行救助：乡镇在审批限额内先行发放并立临时救助案件，限期补办手续",
)
def prior_aid_create(request: HttpRequest, household_id: int, payload: PriorAidIn) -> Status[PriorAidOut]:
    data = payload.model_dump()
    data["cause"] = str(data["cause"])
    aid = prior_aid_grant(ctx=AuditContext.from_request(request), household_id=household_id, **data)
    return Status(201, _out(prior_aid_get(user=request.user, prior_aid_id=aid.pk)))


class NonResidentIn(_Strict):
    id_number: str = Field(max_length=18)
    name: str = Field(max_length=50)
    village_code: str = Field(max_length=12, description="急难发生地（临时住所）所在村（社区）代码，本辖区内")
    address: str = Field(max_length=200, description="临时住所地址")
    hukou_region: str = Field("", max_length=12, description="户籍地村（社区）代码，在平台内的")
    hukou_address: str = Field("", max_length=200, description="户籍地址（身份证所载）")
    phone: str = Field("", max_length=20)


class NonResidentOut(Schema):
    household_id: int
    household_number: str
    person_id: int


@router.post(
    "/non-residents",
    response={201: NonResidentOut},
    summary="流动人口急难建档：在急难发生地登记人员并建立一人户档案",
)
def non_resident_create(request: HttpRequest, payload: NonResidentIn) -> Status[NonResidentOut]:
    household = non_resident_register(ctx=AuditContext.from_request(request), **payload.model_dump())
    return Status(
        201,
        NonResidentOut(
            household_id=household.pk,
            household_number=household.number,
            person_id=int(household.head_id or 0),
        ),
    )


@router.post(
    "/cases/{case_id}/special-approval",
    response={201: OpinionOut},
    summary="县级一事一议（超过一般上限的临时救助），随后转县级审批",
)
def special_approval(request: HttpRequest, case_id: int, payload: OpinionIn) -> Status[OpinionOut]:
    row = special_approval_record(
        ctx=AuditContext.from_request(request), case_id=case_id, **payload.model_dump()
    )
    return Status(
        201, OpinionOut(id=row.pk, case_id=row.case_id, step=row.step, agree=row.agree, text=row.text)
    )


class AmountIn(_Strict):
    version: int = Field(ge=0, le=2**31 - 1)
    amount_asked: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, description="急难型拟救助金额"
    )
    expense_amount: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, description="支出型自付支出"
    )
    people: int | None = Field(None, ge=1, le=100)
    months: int | None = Field(None, ge=1, le=120)
    note: str = Field("", max_length=500)


class AmountOut(Schema):
    case_id: int
    version: int
    details: dict[str, object]


@router.post(
    "/cases/{case_id}/amount",
    response=AmountOut,
    summary="乡镇审核：按调查核实情况调整拟救助金额（审批层级随金额确定）",
)
def amount_propose(request: HttpRequest, case_id: int, payload: AmountIn) -> AmountOut:
    case = temporary_amount_propose(
        ctx=AuditContext.from_request(request), case_id=case_id, **payload.model_dump()
    )
    version = type(case).objects.filter(pk=case.pk).values_list("version", flat=True).get()
    return AmountOut(case_id=case.pk, version=version, details=dict(case.details))
