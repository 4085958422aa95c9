"""Thin REST endpoints over the registry selectors and services."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from jiuzhu.audit.services import AuditContext, audit_search, audit_view
from jiuzhu.core.permissions import require_perm
from jiuzhu.core.vocab import AuditObject

from . import selectors, services
from .schemas import (
    CategoryIn,
    ChangeOut,
    FormerMemberOut,
    HouseholdIn,
    HouseholdOut,
    HouseholdPatch,
    HouseholdSummary,
    MemberIn,
    MemberLeaveIn,
    MemberOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    SearchPage,
)

router = Router(tags=["低收入人口数据库"])


def _full_id(request: HttpRequest) -> bool:
    return request.user.has_perm("registry.view_full_id_number")


class SearchParams(Schema):
    q: str = ""
    region: str = ""
    category: str = ""
    page: int = Field(1, description=f"页码，1至{selectors.MAX_PAGE}")


@router.get("/households", response=SearchPage, summary="查找家庭（姓名、身份证号或后几位、区划）")
def household_search(request: HttpRequest, params: Query[SearchParams]) -> SearchPage:
    require_perm(request.user, "registry.view_household")
    page = selectors.household_search(
        user=request.user,
        query=params.q,
        region_code=params.region,
        category=params.category,
        page=params.page,
    )
    audit_search(request, query=params.q)
    full = _full_id(request)
    return SearchPage(
        items=[HouseholdSummary.build(h, full_id=full) for h in page.items],
        page=page.number,
        page_size=page.size,
        total=page.total,
        total_capped=page.total_capped,
    )


def _household_out(request: HttpRequest, household_id: int) -> HouseholdOut:
    f = selectors.household_file(user=request.user, household_id=household_id)
    full = _full_id(request)
    h = f.household
    return HouseholdOut(
        id=h.pk,
        number=h.number,
        region=h.region_id,
        region_name=h.region.name,
        address=h.address,
        urban_rural=h.urban_rural,
        bank_name=h.bank_name,
        bank_account=h.bank_account if full else h.masked_bank_account,
        version=h.version,
        head_id=h.head_id,
        members=[MemberOut.build(m, full_id=full) for m in f.members],
        former_members=[FormerMemberOut.build(m) for m in f.former_members],
        history=[
            ChangeOut(
                at=c.at.isoformat(),
                kind=c.kind,
                entity=c.entity,
                person_id=c.person_id,
                actor=c.actor_name,
                changes=c.changes,
                reason=c.reason,
            )
            for c in f.history
        ],
    )


@router.get("/households/{household_id}", response=HouseholdOut, summary="一户一档：家庭档案")
def household_detail(request: HttpRequest, household_id: int) -> HouseholdOut:
    require_perm(request.user, "registry.view_household")
    out = _household_out(request, household_id)
    audit_view(request, object_type=AuditObject.HOUSEHOLD, object_id=household_id, region_code=out.region)
    return out


@router.post("/households", response={201: HouseholdOut}, summary="建立家庭档案（含户主）")
def household_create(request: HttpRequest, payload: HouseholdIn) -> Status[HouseholdOut]:
    data = payload.model_dump(exclude={"head_person_id"})
    household = services.household_create(
        ctx=AuditContext.from_request(request), data=data, head_person_id=payload.head_person_id
    )
    return Status(201, _household_out(request, household.pk))


@router.patch("/households/{household_id}", response=HouseholdOut, summary="修改家庭信息")
def household_update(request: HttpRequest, household_id: int, payload: HouseholdPatch) -> HouseholdOut:
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    services.household_update(
        ctx=AuditContext.from_request(request), household_id=household_id, version=payload.version, data=data
    )
    return _household_out(request, household_id)


@router.post(
    "/households/{household_id}/members",
    response={201: MemberOut},
    summary="成员加入（如属其他家庭则自动迁出并保留历史）",
)
def member_join(request: HttpRequest, household_id: int, payload: MemberIn) -> Status[MemberOut]:
    m = services.member_join(
        ctx=AuditContext.from_request(request),
        household_id=household_id,
        person_id=payload.person_id,
        relation=payload.relation,
        co_resident=payload.co_resident,
        on=payload.on,
        reason=payload.reason,
    )
    m.person.refresh_from_db()
    return Status(201, MemberOut.build(m, full_id=_full_id(request)))


@router.post(
    "/households/{household_id}/members/{person_id}/leave", response={204: None}, summary="成员离开家庭"
)
def member_leave(
    request: HttpRequest, household_id: int, person_id: int, payload: MemberLeaveIn
) -> Status[None]:
    services.member_leave(
        ctx=AuditContext.from_request(request),
        household_id=household_id,
        person_id=person_id,
        reason=payload.reason,
        on=payload.on,
    )
    return Status(204, None)


def _person_out(request: HttpRequest, person_id: int) -> PersonOut:
    f = selectors.person_file(user=request.user, person_id=person_id)
    return PersonOut.build(
        f.person, full_id=_full_id(request), categories=[c for c in f.categories if c.end_date is None]
    )


@router.get("/persons/{person_id}", response=PersonOut, summary="人员信息")
def person_detail(request: HttpRequest, person_id: int) -> PersonOut:
    require_perm(request.user, "registry.view_person")
    out = _person_out(request, person_id)
    audit_view(request, object_type=AuditObject.PERSON, object_id=person_id, region_code=out.residence_region)
    return out


@router.post(
    "/persons", response={201: PersonOut}, summary="登记人员（身份证号校验、出生日期与性别自动提取）"
)
def person_create(request: HttpRequest, payload: PersonIn) -> Status[PersonOut]:
    person = services.person_create(ctx=AuditContext.from_request(request), data=payload.model_dump())
    return Status(201, _person_out(request, person.pk))


@router.patch("/persons/{person_id}", response=PersonOut, summary="修改人员信息")
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> PersonOut:
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    services.person_update(
        ctx=AuditContext.from_request(request), person_id=person_id, version=payload.version, data=data
    )
    return _person_out(request, person_id)


@router.post("/persons/{person_id}/categories", response={201: PersonOut}, summary="标记人员类别")
def category_tag(request: HttpRequest, person_id: int, payload: CategoryIn) -> Status[PersonOut]:
    services.category_tag(
        ctx=AuditContext.from_request(request),
        person_id=person_id,
        category=payload.category,
        start_date=payload.start_date,
        note=payload.note,
    )
    return Status(201, _person_out(request, person_id))
