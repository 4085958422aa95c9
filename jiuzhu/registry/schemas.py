"""API shapes of the registry. ID numbers come out masked unless the caller's role may see them."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from jiuzhu.core.vocab import Category, Employment

from . import idnumber
from .models import Household, Membership, Person


class CategoryOut(Schema):
    category: str
    label: str
    start_date: date
    end_date: date | None


class PersonOut(Schema):
    id: int
    id_number: str
    name: str
    sex: str
    birth_date: date
    age: int
    hukou_region: str
    residence_region: str
    phone: str
    marital_status: str
    disability_category: str
    disability_grade: int | None
    labour_capacity: str
    self_care: str
    health: str
    employment: str
    education: str
    in_school: bool
    death_date: date | None
    version: int
    categories: list[CategoryOut] = []

    @classmethod
    def build(cls, person: Person, *, full_id: bool, categories: list[Any] | None = None) -> PersonOut:
        return cls(
            id=person.pk,
            id_number=person.id_number if full_id else idnumber.mask(person.id_number),
            name=person.name,
            sex=person.sex,
            birth_date=person.birth_date,
            age=person.age,
            hukou_region=person.hukou_region_id,
            residence_region=person.residence_region_id,
            phone=person.phone if full_id else "",
            marital_status=person.marital_status,
            disability_category=person.disability_category,
            disability_grade=person.disability_grade,
            labour_capacity=person.labour_capacity,
            self_care=person.self_care,
            health=person.health,
            employment=person.employment,
            education=person.education,
            in_school=person.in_school,
            death_date=person.death_date,
            version=person.version,
            categories=[
                CategoryOut(
                    category=c.category,
                    label=c.get_category_display(),
                    start_date=c.start_date,
                    end_date=c.end_date,
                )
                for c in (categories or [])
            ],
        )


class MemberOut(Schema):
    person: PersonOut
    relation: str
    relation_label: str
    co_resident: bool
    start_date: date
    end_date: date | None
    end_reason: str

    @classmethod
    def build(cls, m: Membership, *, full_id: bool) -> MemberOut:
        return cls(
            person=PersonOut.build(
                m.person, full_id=full_id, categories=getattr(m.person, "open_categories", [])
            ),
            relation=m.relation,
            relation_label=m.get_relation_display(),
            co_resident=m.co_resident,
            start_date=m.start_date,
            end_date=m.end_date,
            end_reason=m.end_reason,
        )


class FormerMemberOut(Schema):
    """A former member as the household's own history holds them: who, in what relation, from when to
    when and why they left. Nothing of the person's current file (residence, phone, ID number,
    categories): they may live in another jurisdiction now."""

    person_id: int
    name: str
    relation: str
    relation_label: str
    start_date: date
    end_date: date
    end_reason: str

    @classmethod
    def build(cls, m: Membership) -> FormerMemberOut:
        assert m.end_date is not None  # a former member has left
        return cls(
            person_id=m.person_id,
            name=m.person.name,
            relation=m.relation,
            relation_label=m.get_relation_display(),
            start_date=m.start_date,
            end_date=m.end_date,
            end_reason=m.end_reason,
        )


class HouseholdCategory(Schema):
    category: str
    label: str


class HouseholdSummary(Schema):
    id: int
    number: str
    region: str
    region_name: str
    address: str
    urban_rural: str
    head_name: str
    head_id_number: str
    member_count: int
    categories: list[HouseholdCategory] = Field(description="本户现有成员持有的类别，每类一次")

    @classmethod
    def build(cls, h: Household, *, full_id: bool) -> HouseholdSummary:
        head = h.head
        return cls(
            id=h.pk,
            number=h.number,
            region=h.region_id,
            region_name=h.region.name,
            address=h.address,
            urban_rural=h.urban_rural,
            head_name=head.name if head else "",
            head_id_number=(head.id_number if full_id else idnumber.mask(head.id_number)) if head else "",
            member_count=len(h.current_members),  # type: ignore[attr-defined]  # prefetched by the search
            categories=[
                HouseholdCategory(category=c.category, label=c.get_category_display())
                for c in h.categories_held  # type: ignore[attr-defined]  # set by the search
            ],
        )


class ChangeOut(Schema):
    at: str
    kind: str
    entity: str
    person_id: int | None
    actor: str
    changes: dict[str, Any]
    reason: str


class HouseholdOut(Schema):
    id: int
    number: str
    region: str
    region_name: str
    address: str
    urban_rural: str
    bank_name: str
    bank_account: str
    version: int
    head_id: int | None
    members: list[MemberOut]
    former_members: list[FormerMemberOut]
    history: list[ChangeOut]


class SearchPage(Schema):
    items: list[HouseholdSummary]
    page: int
    page_size: int
    total: int
    total_capped: bool = Field(description="结果超过上限时只给出上限")


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class PersonIn(_Strict):
    id_number: str = Field(description="18位身份证号码")
    name: str
    hukou_region: str = Field(description="户籍地村(居)区划代码")
    residence_region: str = Field(description="居住地村(居)区划代码")
    phone: str = ""
    marital_status: str = ""
    disability_category: str = ""
    disability_grade: int | None = None
    labour_capacity: str = "full"
    self_care: str = "full"
    health: str = "healthy"
    employment: Employment = Employment.NOT_WORKING
    education: str = "none"
    in_school: bool = False


class PersonPatch(_Strict):
    version: int = Field(description="读取时的版本号，用于并发冲突检测")
    id_number: str | None = None
    name: str | None = None
    hukou_region: str | None = None
    residence_region: str | None = None
    phone: str | None = None
    marital_status: str | None = None
    disability_category: str | None = None
    disability_grade: int | None = None
    labour_capacity: str | None = None
    self_care: str | None = None
    health: str | None = None
    employment: Employment | None = None
    education: str | None = None
    in_school: bool | None = None
    death_date: date | None = None


class HouseholdIn(_Strict):
    head_person_id: int
    region: str = Field(description="所在村(居)区划代码")
    address: str
    urban_rural: str = ""
    bank_name: str = ""
    bank_account: str = ""


class HouseholdPatch(_Strict):
    version: int
    region: str | None = None
    address: str | None = None
    urban_rural: str | None = None
    bank_name: str | None = None
    bank_account: str | None = None


class MemberIn(_Strict):
    person_id: int
    relation: str
    co_resident: bool = True
    on: date | None = None
    reason: str = ""


class MemberLeaveIn(_Strict):
    reason: str
    on: date | None = None


class CategoryIn(_Strict):
    category: Category
    start_date: date | None = None
    note: str = ""
