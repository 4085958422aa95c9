"""Decisions and entitlements: the amount stored with its computation, the start month, the review
class, and no second active entitlement of a program for anyone in the household, in any region.
Every expected figure is worked out by hand in the test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from jiuzhu.audit.services import AuditContext
from jiuzhu.benefits.models import Entitlement, EntitlementEvent
from jiuzhu.benefits.services import DecisionMember, decision_record, entitlement_create, start_month
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.policy.services import policy_version_create

from ..conftest import COUNTY, EAST_VILLAGE
from ..factories import add_member, new_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(tree: dict[str, Any]) -> Any:
    return policy_version_create(
        ctx=AuditContext.system(),
        region=tree[COUNTY],
        effective_from=date(2020, 1, 1),
        document_no="测民〔2020〕1号",
        dibao_standard_urban=Decimal("900"),
        dibao_standard_rural=Decimal("800"),
    )


def _members(household: Any, *ages: int, **flags: Any) -> list[DecisionMember]:
    people = [household.head] + [add_member(household, "child") for _ in ages[1:]]
    return [
        DecisionMember(person_id=p.pk, name=p.name, age=age, **flags)
        for p, age in zip(people, ages, strict=True)
    ]


def _decide(user: Any, household: Any, members: list[DecisionMember], policy: Any, **kw: Any) -> Any:
    values: dict[str, Any] = {
        "ctx": AuditContext(user=user),
        "case_number": f"C-{household.pk}",
        "program": "dibao",
        "household_id": household.pk,
        "applicant_id": household.head_id,
        "region_code": household.region_id,
        "outcome": "confirmed",
        "reasons": "",
        "per_capita_income": Decimal("650"),
        "members": members,
        "policy": policy,
        "decided_on": date(2026, 3, 18),
        "applied_on": date(2026, 2, 27),
    }
    return decision_record(**{**values, **kw})


def test_confirmed_decision_stores_amount_and_computation(make_user, policy) -> None:
    approver = make_user("county_approver", COUNTY)
    household = new_household()
    members = _members(household, 40, 12, 70)
    decision = _decide(approver, household, members, policy)
    # rural standard 800, per-capita income 650: (800 − 650) × 3 = 450.00
    assert decision.amount == Decimal("450.00")
    assert decision.members == 3
    assert decision.policy_version_id == policy.pk
    steps = decision.computation["allowance"]["steps"]
    assert steps[0]["amount"] == "450.00" and "× 3" in steps[0]["formula"]
    assert decision.computation["standard"] == "800.00"


def test_refusal_needs_reasons(make_user, policy) -> None:
    approver = make_user("county_approver", COUNTY)
    household = new_household()
    members = _members(household, 40)
    with pytest.raises(ValidationFailed) as exc:
        _decide(approver, household, members, policy, outcome="refused")
    assert "理由" in exc.value.errors["reasons"]
    decision = _decide(approver, household, members, policy, outcome="refused", reasons=["人均收入高于标准"])
    assert decision.amount == Decimal("0") and decision.reasons == "人均收入高于标准"


def test_confirmation_refused_when_income_at_the_standard(make_user, policy) -> None:
    approver = make_user("county_approver", COUNTY)
    household = new_household()
    with pytest.raises(ValidationFailed):
        _decide(approver, household, _members(household, 40), policy, per_capita_income=Decimal("800"))


def test_caseworker_may_not_decide(make_user, policy) -> None:
    caseworker = make_user("township_caseworker")
    household = new_household()
    with pytest.raises(PermissionDenied):
        _decide(caseworker, household, _members(household, 40), policy)


def test_entitlement_from_decision(make_user, policy) -> None:
    approver = make_user("county_approver", COUNTY)
    household = new_household()
    # An elderly member alone, unable to work: class A, reviewed after 12 months.
    members = _members(household, 70, labour_capacity="none")
    decision = _decide(approver, household, members, policy)
    entitlement = entitlement_create(ctx=AuditContext(user=approver), decision_id=decision.pk)
    assert entitlement.amount == Decimal("150.00")  # (800 − 650) × 1
    assert entitlement.start_month == date(2026, 3, 1)  # default: the month of the decision
    assert entitlement.review_class == "A"
    assert entitlement.next_review_on == date(2027, 3, 18)
    event = EntitlementEvent.objects.get(entitlement=entitlement)
    assert event.kind == "create" and event.changes["amount"] == "150.00"


def test_unstable_income_is_class_c(make_user, policy) -> None:
    approver = make_user("county_approver", COUNTY)
    household = new_household()
    members = _members(household, 35, labour_capacity="full", employed=True, unstable_income=True)
    decision = _decide(approver, household, members, policy)
    entitlement = entitlement_create(ctx=AuditContext(user=approver), decision_id=decision.pk)
    assert entitlement.review_class == "C"
    assert entitlement.next_review_on == date(2026, 9, 18)  # 6 months


def test_start_month_settings(policy) -> None:
    decided, applied = date(2026, 12, 18), date(2026, 11, 30)
    policy.allowance_start = "application_month"
    assert start_month(policy=policy, decided_on=decided, applied_on=applied) == date(2026, 11, 1)
    policy.allowance_start = "decision_month"
    assert start_month(policy=policy, decided_on=decided, applied_on=applied) == date(2026, 12, 1)
    policy.allowance_start = "month_after_decision"
    assert start_month(policy=policy, decided_on=decided, applied_on=applied) == date(2027, 1, 1)


def test_second_active_entitlement_refused_in_any_region(make_user, policy, tree) -> None:
    approver = make_user("county_approver", COUNTY)
    household = new_household()
    first = _decide(approver, household, _members(household, 40), policy)
    entitlement_create(ctx=AuditContext(user=approver), decision_id=first.pk)
    # The same person counted again by a case in the neighbouring county (异地申办).
    elsewhere = new_household(region=tree["980102001001"])
    neighbour = make_user("county_approver", "980102000000")
    policy_version_create(
        ctx=AuditContext.system(),
        region=tree["980102000000"],
        effective_from=date(2020, 1, 1),
        document_no="邻民〔2020〕1号",
        dibao_standard_urban=Decimal("900"),
        dibao_standard_rural=Decimal("800"),
    )
    again = _decide(
        neighbour,
        elsewhere,
        [DecisionMember(person_id=household.head_id, name="张", age=40)],
        policy,
        case_number="C-elsewhere",
    )
    with pytest.raises(Conflict) as exc:
        entitlement_create(ctx=AuditContext(user=neighbour), decision_id=again.pk)
    assert "不能重复享受" in exc.value.message
    assert Entitlement.objects.count() == 1
    assert EAST_VILLAGE not in exc.value.message


def test_one_decision_per_case(make_user, policy) -> None:
    approver = make_user("county_approver", COUNTY)
    household = new_household()
    members = _members(household, 40)
    _decide(approver, household, members, policy)
    with pytest.raises(Conflict):
        _decide(approver, household, members, policy)
