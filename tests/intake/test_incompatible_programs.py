"""Intake's acceptance refuses a program that another held program excludes (the one check of
``benefits.selectors.entitlement_conflicts``), with the reason in Chinese; a second entitlement of the
same program keeps its own wording."""

from __future__ import annotations

from typing import Any

import pytest

from jiuzhu.benefits.models import Entitlement
from jiuzhu.intake.services import second_entitlement

from ..factories import add_member, new_household, new_life_entitlement, new_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(tree: dict[str, Any]) -> Any:
    return new_policy()


def test_dibao_for_a_household_whose_member_is_supported_as_tekun_is_refused(policy) -> None:
    household = new_household()
    grandmother = add_member(household, "parent")
    tekun = new_life_entitlement(household=household, program="tekun", ages=(45,), amount="900.00")
    Entitlement.objects.filter(pk=tekun.pk).update(person=grandmother)
    assert second_entitlement(household_id=household.pk, program="dibao") == (
        "特困人员已纳入特困供养，不再同时享受低保（同一人不能同时享受特困与低保）"
    )


def test_near_dibao_for_a_dibao_household_and_tekun_for_its_member(policy) -> None:
    e = new_life_entitlement()
    assert second_entitlement(household_id=e.household_id, program="near_dibao") == (
        "低保家庭不再认定为低保边缘家庭（同一家庭不能同时认定）"
    )
    assert second_entitlement(
        household_id=e.household_id, program="tekun", person_id=e.household.head_id
    ) == ("特困人员已纳入特困供养，不再同时享受低保（同一人不能同时享受特困与低保）")
    assert (
        second_entitlement(household_id=e.household_id, program="dibao") == "该户已在享受低保，不能重复申请"
    )
    # 临时救助 and the care subsidy go with 低保.
    assert second_entitlement(household_id=e.household_id, program="temporary") is None
    assert (
        second_entitlement(
            household_id=e.household_id, program="disability_care", person_id=e.household.head_id
        )
        is None
    )


def test_a_person_programme_held_elsewhere_by_the_same_person(policy) -> None:
    first = new_life_entitlement(program="disability_care", ages=(45,), amount="150.00")
    Entitlement.objects.filter(pk=first.pk).update(person=first.household.head)
    assert (
        second_entitlement(
            household_id=first.household_id, program="disability_care", person_id=first.household.head_id
        )
        == "该救助对象已在享受重度残疾人护理补贴（可能在其他地区），不能重复享受同一救助项目"
    )
