"""REST endpoints of 一证申请 and 一键核对."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from jiuzhu.audit.services import AuditContext, audit_view
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import AuditObject, DeclarableItem, Program
from jiuzhu.registry.idnumber import mask

from . import declarable, selectors, services
from .assembly import household_assemble
from .presenters import for_role

router = Router(tags=["一键核对"])


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class AssemblyMemberOut(Schema):
    person_id: int
    name: str
    id_number: str
    relation: str
    age: int
    included: bool
    reason: str
    feeds: dict[str, int]


class SupporterOut(Schema):
    person_id: int
    name: str
    relation: str
    reason: str


class AssemblyOut(Schema):
    household_id: int
    household_number: str
    region: str
    applicant: str
    members: list[AssemblyMemberOut]
    supporters: list[SupporterOut]
    differences: list[str]


@router.get(
    "/households", response=AssemblyOut, summary="一证申请：由一个身份证号组装共同生活家庭及各部门数据"
)
def assemble(request: HttpRequest, id_number: str, as_of: date | None = None) -> AssemblyOut:
    require_perm(request.user, "verification.view_verificationreport")
    a = household_assemble(user=request.user, id_number=id_number, as_of=as_of or timezone.localdate())
    full = request.user.has_perm("registry.view_full_id_number")
    audit_view(
        request,
        object_type=AuditObject.HOUSEHOLD,
        object_id=a.household.pk,
        region_code=a.household.region_id,
        assembly=True,
    )
    return AssemblyOut(
        household_id=a.household.pk,
        household_number=a.household.number,
        region=a.household.region_id,
        applicant=a.applicant.name,
        members=[
            AssemblyMemberOut(
                person_id=m.person.pk,
                name=m.person.name,
                id_number=m.person.id_number if full else mask(m.person.id_number),
                relation=m.relation_label,
                age=m.age,
                included=m.included,
                reason=m.reason,
                feeds={
                    feed: sum(1 for f in m.facts if f.feed == feed)
                    for feed in sorted({f.feed for f in m.facts})
                },
            )
            for m in a.members
        ],
        supporters=[
            SupporterOut(
                person_id=s.person.pk, name=s.person.name, relation=s.relation_label, reason=s.reason
            )
            for s in a.supporters
        ],
        differences=a.differences,
    )


class AuthorisationIn(_Strict):
    person_id: int
    signed_on: date
    valid_until: date | None = None
    reference: str = Field(description="授权书编号或存档位置")


class AuthorisationOut(Schema):
    id: int
    person_id: int
    signed_on: date
    valid_until: date | None


@router.post("/authorisations", response={201: AuthorisationOut}, summary="登记核对授权书")
def authorisation_create(request: HttpRequest, payload: AuthorisationIn) -> Status[AuthorisationOut]:
    auth = services.authorisation_record(ctx=AuditContext.from_request(request), **payload.model_dump())
    return Status(
        201,
        AuthorisationOut(
            id=auth.pk, person_id=auth.person_id, signed_on=auth.signed_on, valid_until=auth.valid_until
        ),
    )


_ITEMS = "；".join(f"{code}={label}" for code, label in DeclarableItem.labels().items())
_ON_DATE = "、".join(str(code) for code in sorted(declarable.VALUES_ON_DATE))


class DeclaredIn(_Strict):
    person_id: int = Field(description="申报人（本户共同生活成员）的人员编号")
    item: DeclarableItem = Field(description=f"申报项目：{_ITEMS}")
    amount: str = Field(
        description=f'金额，单位：元，最多两位小数的十进制数字文本（如 "3613.71"）。{_ON_DATE} 为核对日的'
        "余额或价值；其余项目为收入计算期（核对日期所在月之前的若干个整月，月数为本地政策参数"
        " reference_months，报告的 results.months 与 results.period 给出）内的合计，不是月收入。",
        json_schema_extra={"pattern": declarable.AMOUNT_PATTERN},
    )


class ReportIn(_Strict):
    id_number: str
    programs: list[Program] = Field(
        default_factory=list,
        description="要判断的救助项目（缺省为全部）："
        + "；".join(f"{code}={label}" for code, label in Program.labels().items()),
    )
    declared: list[DeclaredIn] = Field(
        default_factory=list,
        description=f"家庭申报的收入、财产与支出，一次最多 {declarable.MAX_ITEMS} 项。"
        + declarable.PERIOD_NOTE,
        json_schema_extra={"maxItems": declarable.MAX_ITEMS},
    )
    as_of: date | None = Field(default=None, description="核对日期，1900-01-01 至今天；缺省为今天")


class ReportOut(Schema):
    id: int
    household_id: int
    as_of: date
    programs: list[str]
    policy_version: int
    policy: dict[str, Any]
    inputs: dict[str, Any]
    results: dict[str, Any]
    insights: dict[str, Any]
    need_degree: float | None
    created_at: str


def _report_out(request: HttpRequest, report: Any) -> ReportOut:
    full = request.user.has_perm("registry.view_full_id_number")
    inputs, results, insights = for_role(report, full=full)
    if not full:
        inputs = {**inputs, "members": [{**m, "id_number": mask(m["id_number"])} for m in inputs["members"]]}
    return ReportOut(
        id=report.pk,
        household_id=report.household_id,
        as_of=report.as_of,
        programs=report.programs,
        policy_version=report.policy_version_id,
        policy=report.policy_snapshot,
        inputs=inputs,
        results=results,
        insights=insights,
        need_degree=float(report.need_degree) if report.need_degree is not None else None,
        created_at=report.created_at.isoformat(),
    )


@router.post(
    "/reports", response={201: ReportOut}, summary="一键核对：生成核对报告（须成年成员均已签署授权书）"
)
def report_create(request: HttpRequest, payload: ReportIn) -> Status[ReportOut]:
    report = services.report_create(
        ctx=AuditContext.from_request(request),
        id_number=payload.id_number,
        programs=[str(p) for p in payload.programs] or None,
        declared=[{**d.model_dump(), "item": str(d.item)} for d in payload.declared],
        as_of=payload.as_of,
    )
    return Status(201, _report_out(request, report))


@router.get("/reports/{report_id}", response=ReportOut, summary="核对报告（JSON）")
def report_detail(request: HttpRequest, report_id: int) -> ReportOut:
    require_perm(request.user, "verification.view_verificationreport")
    report = selectors.report_get(user=request.user, report_id=report_id)
    audit_view(
        request,
        object_type=AuditObject.VERIFICATION_REPORT,
        object_id=report.pk,
        region_code=report.region_code,
    )
    return _report_out(request, report)
