"""The children's programs (rules §8.1) at their boundaries, by hand: 事实无人抚养儿童 at 17 / 18, every
parent's situation paired (both incapable, one dead or missing and the other incapable, both absent =
orphan, one able = not), at the orphan standard (1500); 困境儿童 by situation, the allowance or no cash.
No database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiuzhu.benefits.engine.children import (
    ABSENT,
    INCAPABLE,
    SITUATIONS,
    child_in_difficulty,
    de_facto_orphan,
    parents_unable,
)

D = Decimal


def orphan(age: int = 10, father: str = "imprisoned", mother: str = "lost_contact", std: str = "1500"):
    return de_facto_orphan(age=age, father=father, mother=mother, minor_age=18, orphan_standard=D(std))


def difficulty(
    kind: str,
    *,
    age: int = 10,
    father: str = "able",
    mother: str = "able",
    poor: bool = False,
    severe: bool = False,
    allowance: str = "0",
):
    return child_in_difficulty(
        age=age,
        difficulty=kind,
        father=father,
        mother=mother,
        household_poor=poor,
        child_severe=severe,
        minor_age=18,
        allowance=D(allowance),
    )


def test_the_situations() -> None:
    assert {
        "severe_disability",
        "severe_illness",
        "imprisoned",
        "drug_rehab",
        "restricted",
        "lost_contact",
    } == INCAPABLE
    assert {"dead", "missing"} == ABSENT
    assert set(SITUATIONS) == INCAPABLE | ABSENT | {"able"}


# --- 事实无人抚养: age -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("age", "eligible"), [(0, True), (17, True), (18, False), (19, False)])
def test_orphan_age_boundary(age: int, eligible: bool) -> None:
    g = orphan(age)
    assert g.eligible is eligible
    assert g.amount == (D("1500.00") if eligible else D("0"))
    if not eligible:
        assert g.reasons == ("已年满 18 周岁",)


def test_orphan_amount_and_formula() -> None:
    g = orphan(std="2420")
    assert g.amount == D("2420.00") and g.cash
    assert g.basis == "父亲服刑在押，母亲失联"
    assert g.formula == "父亲服刑在押，母亲失联，按孤儿基本生活保障标准 2420.00 元/月"


# --- 事实无人抚养: the parents ------------------------------------------------------------------------------


@pytest.mark.parametrize("father", sorted(INCAPABLE))
@pytest.mark.parametrize("mother", sorted(INCAPABLE))
def test_both_incapable(father: str, mother: str) -> None:
    assert orphan(father=father, mother=mother).eligible


@pytest.mark.parametrize("gone", sorted(ABSENT))
@pytest.mark.parametrize("other", sorted(INCAPABLE))
def test_one_absent_the_other_incapable(gone: str, other: str) -> None:
    a = orphan(father=gone, mother=other)
    b = orphan(father=other, mother=gone)
    assert a.eligible and b.eligible
    assert a.basis == f"父亲{SITUATIONS[gone]}，母亲{SITUATIONS[other]}"
    assert b.basis == f"母亲{SITUATIONS[gone]}，父亲{SITUATIONS[other]}"


@pytest.mark.parametrize("father", sorted(ABSENT))
@pytest.mark.parametrize("mother", sorted(ABSENT))
def test_both_absent_is_an_orphan(father: str, mother: str) -> None:
    g = orphan(father=father, mother=mother)
    assert not g.eligible and g.reasons == ("父母均已死亡或宣告失踪，属孤儿，应按孤儿基本生活保障办理",)


@pytest.mark.parametrize("other", sorted(SITUATIONS))
def test_an_able_parent_supports_the_child(other: str) -> None:
    for father, mother in (("able", other), (other, "able")):
        g = orphan(father=father, mother=mother)
        assert not g.eligible and g.reasons == ("父母一方能够履行抚养义务，不属于事实无人抚养儿童",)


def test_age_and_parents_reasons_together() -> None:
    assert orphan(18, "able", "able").reasons == (
        "已年满 18 周岁",
        "父母一方能够履行抚养义务，不属于事实无人抚养儿童",
    )


def test_unknown_situation_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parents_unable("abroad", "able")
    with pytest.raises(ValueError):
        difficulty("economic", mother="abroad")
    with pytest.raises(ValueError):
        difficulty("lonely")


# --- 困境儿童 -----------------------------------------------------------------------------------------------


def test_economic_needs_a_poor_household() -> None:
    assert not difficulty("economic").eligible
    assert difficulty("economic").reasons == (
        "所在家庭未享受最低生活保障，也未纳入特困供养，不属于家庭经济困难儿童",
    )
    assert difficulty("economic", poor=True).eligible


def test_severe_needs_the_childs_own_illness_or_disability() -> None:
    assert difficulty("severe").reasons == ("儿童本人未患重病且非一、二级残疾，不属于自身重病、重残儿童",)
    assert difficulty("severe", severe=True).eligible


@pytest.mark.parametrize("situation", sorted(INCAPABLE | ABSENT))
def test_guardianship_needs_a_parent_unable(situation: str) -> None:
    assert difficulty("guardianship").reasons == ("父母均能够履行抚养义务，不属于监护缺失儿童",)
    assert difficulty("guardianship", father=situation).eligible
    assert difficulty("guardianship", mother=situation).eligible


@pytest.mark.parametrize(("age", "eligible"), [(17, True), (18, False)])
def test_difficulty_age_boundary(age: int, eligible: bool) -> None:
    g = difficulty("economic", age=age, poor=True)
    assert g.eligible is eligible
    if not eligible:
        assert g.reasons == ("已年满 18 周岁",)


def test_no_cash_where_the_allowance_is_zero() -> None:
    g = difficulty("economic", poor=True)
    assert g.eligible and g.amount == D("0.00") and not g.cash
    assert g.formula == "家庭经济困难，本地不设困境儿童基本生活补贴，认定为困境儿童（不发放资金）"


def test_the_allowance_where_the_region_pays_one() -> None:
    g = difficulty("severe", severe=True, allowance="600.004")
    assert g.eligible and g.cash and g.amount == D("600.00")
    assert g.basis == "自身重病、重残"
    assert g.formula == "自身重病、重残，按困境儿童基本生活补贴标准 600.00 元/月"
