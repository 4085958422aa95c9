"""A 低保 household of 东镇 with its verification report, the people who work its case, and files to
upload: what the tests of the step services, the case page, the API and the notice board share.

The household: 张小三 (head, 40), a child of 12 and a parent of 70, rural; the report says a per-capita
monthly income of 650 yuan; the county's policy has a rural standard of 800 yuan. So the allowance,
by hand: (800 − 650) × 3 = 450.00 yuan a month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiuzhu.verification.models import VerificationReport

from ..conftest import COUNTY, EAST_TOWN, WEST_TOWN
from ..factories import add_member, make_id_number, new_case, new_household, new_policy, new_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%test\n"


def png(name: str = "sign.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name: str = "sign.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def not_an_image(name: str = "sign.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"just text, not a picture", content_type="image/png")


def report_for(household: Any, *, per_capita: str = "650.00", ages: tuple[int, ...] | None = None) -> Any:
    """A verification report row as the report service stores it (only what the steps read)."""
    members = []
    people = [m.person for m in household.memberships.filter(end_date__isnull=True).select_related("person")]
    people.sort(key=lambda p: (p.pk != household.head_id, p.pk))
    for i, p in enumerate(people):
        age = ages[i] if ages else p.age_on(timezone.localdate())
        members.append({"person_id": p.pk, "name": p.name, "age": age, "included": True, "reason": ""})
    owner = new_user(role="township_caseworker", region=household.region.parent)
    return VerificationReport.objects.create(
        household=household,
        applicant=household.head,
        region_code=household.region_id,
        as_of=timezone.localdate(),
        programs=["dibao"],
        policy_version_id=_policy_id(household),
        policy_snapshot={},
        inputs={"members": members},
        results={"per_capita_monthly_income": per_capita, "size": len(members)},
        insights={},
        created_by=owner,
    )


def _policy_id(household: Any) -> int:
    from jiuzhu.policy.selectors import policy_in_force

    return policy_in_force(region_code=household.region_id, on=timezone.localdate()).pk


@dataclass
class World:
    tree: dict[str, Any]
    policy: Any
    household: Any
    report: Any
    caseworker: Any
    caseworker2: Any
    reviewer: Any
    approver: Any
    other_caseworker: Any

    def case(self, state: str, **fields: Any) -> Any:
        fields.setdefault("report", self.report)
        fields.setdefault("policy", self.policy)
        fields.setdefault("opened_by", self.caseworker)
        fields.setdefault("accepted_on", timezone.localdate() - timedelta(days=3))
        return new_case(state=state, household=self.household, **fields)

    def investigation(self, **kw: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "visited_on": timezone.localdate(),
            "investigator_ids": [self.caseworker.pk, self.caseworker2.pk],
            "food": "一日三餐以粗粮为主",
            "clothing": "衣着陈旧",
            "housing": "土坯房两间",
            "daily_goods": "无大件家电",
            "findings": "家庭困难情况属实",
            "family_signatory": "张小三",
            "family_signature": png(),
            "investigator_signatures": pdf(),
            "photo": None,
        }
        values.update(kw)
        return values


def make_world(tree: dict[str, Any], **policy_values: Any) -> World:
    policy_values.setdefault("dibao_standard_rural", Decimal("800"))
    policy_values.setdefault("dibao_standard_urban", Decimal("900"))
    policy = new_policy(COUNTY, date(2020, 1, 1), **policy_values)
    # The head is 40, whatever the factories' sequence has reached (a sequence-drawn birth date may be a
    # minor's, whose case is not noticed).
    born = date(date.today().year - 40, 3, 1)
    household = new_household(head__name="张小三", head__id_number=make_id_number(4040, birth=born))
    add_member(household, "child", name="张小妹")
    add_member(household, "parent", name="张老汉")
    report = report_for(household, ages=(40, 12, 70))
    return World(
        tree=tree,
        policy=policy,
        household=household,
        report=report,
        caseworker=new_user(role="township_caseworker", region=tree[EAST_TOWN]),
        caseworker2=new_user(role="township_caseworker", region=tree[EAST_TOWN]),
        reviewer=new_user(role="township_reviewer", region=tree[EAST_TOWN]),
        approver=new_user(role="county_approver", region=tree[COUNTY]),
        other_caseworker=new_user(role="township_caseworker", region=tree[WEST_TOWN]),
    )
