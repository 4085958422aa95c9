"""The two disability subsidies (rules §6) at every grade and boundary, each figure by hand: the living
subsidy for grades 1–2 (277) and 3–4 (185) in a 低保 household, the 边缘 extension, every exclusion; the
care subsidy for grade 1 (300) and 2 (150), grades 3–4 only for intellectual/mental where extended
(150), the long-term-care condition at 5 / 6 / 7 months. No database.

Unless a test says otherwise: Hefei Yaohai's living figures (277 / 185), Shanghai's care figures
(300 grade 1, 150 grade 2 and extended), 6 months of care, no extensions."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from jiuzhu.benefits.engine.disability import (
    CareFacts,
    CareSettings,
    LivingFacts,
    LivingSettings,
    care_subsidy,
    certificate_number,
    certificate_problems,
    grade_label,
    living_subsidy,
)

D = Decimal
LIVING = LivingSettings(severe=D("277"), other=D("185"))
CARE = CareSettings(grade1=D("300"), grade2=D("150"), months_min=6, extended_amount=D("150"))


def living(grade: int | None, **kw: bool) -> LivingFacts:
    base: dict[str, bool] = {"in_dibao": True}
    base.update(kw)
    return LivingFacts(category="physical", grade=grade, **base)


# --- living subsidy: by grade -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "amount", "band"),
    [
        (1, "277.00", "一、二级"),
        (2, "277.00", "一、二级"),
        (3, "185.00", "三、四级"),
        (4, "185.00", "三、四级"),
    ],
)
def test_living_by_grade(grade: int, amount: str, band: str) -> None:
    s = living_subsidy(living(grade), LIVING)
    assert s.eligible and s.amount == D(amount)
    assert s.steps == (
        {
            "label": "困难残疾人生活补贴",
            "formula": f"低保家庭肢体{grade}级残疾人，按{band}标准 {amount} 元/月",
            "amount": amount,
        },
    )


@pytest.mark.parametrize("grade", [None, 0, 5])
def test_living_needs_a_certificate_of_grade_one_to_four(grade: int | None) -> None:
    s = living_subsidy(living(grade), LIVING)
    assert not s.eligible and s.amount == D("0") and s.steps == ()
    assert s.reasons == ("未持有效的残疾人证（等级须为一至四级）",)


def test_living_rounds_to_the_fen() -> None:
    s = living_subsidy(living(2), replace(LIVING, severe=D("277.005")))
    assert s.amount == D("277.01")


# --- living subsidy: the household ---------------------------------------------------------------------


def test_living_outside_dibao_is_refused() -> None:
    s = living_subsidy(living(1, in_dibao=False), LIVING)
    assert not s.eligible and s.reasons == ("所在家庭未享受最低生活保障",)


def test_living_near_dibao_only_where_extended() -> None:
    facts = living(3, in_dibao=False, in_near_dibao=True)
    assert not living_subsidy(facts, LIVING).eligible
    s = living_subsidy(facts, replace(LIVING, near_dibao=True))
    assert s.eligible and s.amount == D("185.00")
    assert s.steps[0]["formula"] == "低保边缘家庭肢体3级残疾人，按三、四级标准 185.00 元/月"
    s = living_subsidy(living(3, in_dibao=False), replace(LIVING, near_dibao=True))
    assert s.reasons == ("所在家庭未享受最低生活保障或低保边缘家庭认定",)


# --- living subsidy: exclusions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "reason"),
    [
        ("tekun", "已纳入特困人员救助供养"),
        ("imprisoned", "正在服刑"),
        ("work_injury_care", "已享受工伤保险生活护理费"),
        ("child_allowance", "已享受困境儿童（事实无人抚养儿童）基本生活补贴"),
    ],
)
def test_each_exclusion_refuses_the_living_subsidy(flag: str, reason: str) -> None:
    s = living_subsidy(living(1, **{flag: True}), LIVING)
    assert not s.eligible and s.amount == D("0") and s.reasons == (reason,)


def test_every_reason_is_given_at_once() -> None:
    s = living_subsidy(living(4, in_dibao=False, tekun=True, imprisoned=True), LIVING)
    assert s.reasons == ("所在家庭未享受最低生活保障", "已纳入特困人员救助供养", "正在服刑")


# --- care subsidy: by grade ------------------------------------------------------------------------------


@pytest.mark.parametrize(("grade", "amount", "band"), [(1, "300.00", "一级"), (2, "150.00", "二级")])
def test_care_grades_one_and_two(grade: int, amount: str, band: str) -> None:
    s = care_subsidy(CareFacts("visual", grade, 6), CARE)
    assert s.eligible and s.amount == D(amount)
    assert s.steps[0] == {
        "label": "重度残疾人护理补贴",
        "formula": f"视力{grade}级残疾人，需长期照护 6 个月，按{band}标准 {amount} 元/月",
        "amount": amount,
    }


@pytest.mark.parametrize("grade", [3, 4])
@pytest.mark.parametrize("category", ["intellectual", "mental"])
def test_care_grades_three_four_intellectual_mental_only_where_extended(grade: int, category: str) -> None:
    refused = care_subsidy(CareFacts(category, grade, 12), CARE)
    assert not refused.eligible and refused.reasons == ("本地护理补贴未扩大到三、四级智力、精神残疾",)
    granted = care_subsidy(
        CareFacts(category, grade, 12), replace(CARE, extended=True, extended_amount=D("120"))
    )
    assert granted.eligible and granted.amount == D("120.00")
    assert "按三、四级智力、精神残疾标准 120.00 元/月" in granted.steps[0]["formula"]


@pytest.mark.parametrize("grade", [3, 4])
@pytest.mark.parametrize("category", ["visual", "hearing", "speech", "physical", "multiple"])
def test_care_grades_three_four_of_other_categories_never(grade: int, category: str) -> None:
    s = care_subsidy(CareFacts(category, grade, 12), replace(CARE, extended=True))
    assert not s.eligible
    assert s.reasons == ("护理补贴限一、二级重度残疾人（三、四级仅限本地扩大范围的智力、精神残疾）",)


@pytest.mark.parametrize("grade", [None, 0, 5])
def test_care_needs_a_certificate(grade: int | None) -> None:
    assert care_subsidy(CareFacts("physical", grade, 12), CARE).reasons == (
        "未持有效的残疾人证（等级须为一至四级）",
    )


# --- care subsidy: the long-term-care condition -------------------------------------------------------


@pytest.mark.parametrize(("months", "eligible"), [(0, False), (5, False), (6, True), (7, True)])
def test_care_months_at_the_boundary(months: int, eligible: bool) -> None:
    s = care_subsidy(CareFacts("physical", 1, months), CARE)
    assert s.eligible is eligible
    assert s.amount == (D("300.00") if eligible else D("0"))
    if not eligible:
        assert s.reasons == (f"长期照护须持续 6 个月以上（申报 {months} 个月）",)


def test_care_months_follow_the_policy() -> None:
    assert not care_subsidy(CareFacts("physical", 2, 8), replace(CARE, months_min=9)).eligible
    assert care_subsidy(CareFacts("physical", 2, 9), replace(CARE, months_min=9)).amount == D("150.00")


def test_care_both_reasons_together() -> None:
    s = care_subsidy(CareFacts("intellectual", 3, 2), CARE)
    assert s.reasons == (
        "本地护理补贴未扩大到三、四级智力、精神残疾",
        "长期照护须持续 6 个月以上（申报 2 个月）",
    )


def test_grade_label() -> None:
    assert grade_label("mental", 3) == "精神3级"
    assert grade_label("unknown", 1) == "unknown1级"


# --- the certificate number -------------------------------------------------------------------------------

ID = "11010519491231002X"


def test_certificate_number_by_the_national_numbering() -> None:
    assert certificate_number(ID.lower(), "visual", 1) == ID + "11"
    assert certificate_number(ID, "multiple", 4) == ID + "74"
    assert certificate_number(ID, "mental", 3) == ID + "63"


def test_certificate_problems() -> None:
    assert certificate_problems(ID + "42", id_number=ID, category="physical", grade=2) == []
    assert certificate_problems(" " + ID.lower() + "42 ", id_number=ID, category="physical", grade=2) == []
    assert certificate_problems(ID + "4", id_number=ID, category="physical", grade=2) == [
        "残疾人证号应为 20 位（身份证号码 18 位 + 残疾类别 1 位 + 残疾等级 1 位）"
    ]
    assert certificate_problems("110105194912310038" + "51", id_number=ID, category="physical", grade=2) == [
        "残疾人证号的前 18 位应为救助对象的身份证号码",
        "残疾人证号第 19 位应为残疾类别代码 4",
        "残疾人证号第 20 位应为残疾等级 2",
    ]
