"""低保边缘, 刚性支出困难 and 单人保 at the decision (``benefits.engine.margins``), at their edges, each
figure worked by hand: the 边缘 line capped at the minimum wage (the product exactly at the minimum
wage, one fen above and below it), the income at the 低保 standard and at the line, the rigid-expense
ratio exactly at the threshold (and one fen of spending either side), the annual income at last year's
disposable income, the validity (≤ 12 months), a member's own income from the report's lines. No
database.

Unless a test says otherwise: standard 1300 yuan a month, multiplier 1.5, minimum wage 1900 yuan,
capped (so the line is min(1950, 1900) = 1900)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from jiuzhu.benefits.engine.dibao import Member, Settings, Step
from jiuzhu.benefits.engine.margins import (
    Finding,
    NearSettings,
    RigidFigures,
    RigidSettings,
    SingleMember,
    annual_per_capita,
    member_monthly_income,
    near_dibao_finding,
    near_dibao_line,
    rigid_expense_finding,
    single_member,
)

D = Decimal
NEAR = NearSettings(
    standard=D("1300"), multiplier=D("1.5"), minimum_wage=D("1900"), capped_by_minimum_wage=True
)


def near(
    income: str, settings: NearSettings = NEAR, vetoes: tuple[str, ...] = (), months: int = 12
) -> Finding:
    return near_dibao_finding(
        per_capita_income=D(income), vetoes=vetoes, settings=settings, valid_months=months
    )


# --- the 边缘 line ----------------------------------------------------------------------------------------


def test_line_is_the_multiple_when_under_the_minimum_wage() -> None:
    line = near_dibao_line(replace(NEAR, standard=D("800")))  # 800 × 1.5 = 1200 < 1900
    assert (line.amount, line.capped) == (D("1200.00"), False)
    assert line.formula == "800.00 × 1.5 = 1200.00"


def test_line_capped_at_the_minimum_wage() -> None:
    line = near_dibao_line(NEAR)  # 1300 × 1.5 = 1950 > 1900
    assert (line.amount, line.capped) == (D("1900.00"), True)
    assert "高于月最低工资 1900.00" in line.formula


def test_line_exactly_at_the_minimum_wage_is_not_capped() -> None:
    line = near_dibao_line(replace(NEAR, minimum_wage=D("1950")))  # 1300 × 1.5 = 1950 = 1950
    assert (line.amount, line.capped) == (D("1950.00"), False)


def test_minimum_wage_one_fen_below_the_product_caps_it() -> None:
    line = near_dibao_line(replace(NEAR, minimum_wage=D("1949.99")))  # 1950.00 > 1949.99
    assert (line.amount, line.capped) == (D("1949.99"), True)


def test_minimum_wage_one_fen_above_the_product_leaves_it() -> None:
    line = near_dibao_line(replace(NEAR, minimum_wage=D("1950.01")))  # 1950.00 < 1950.01
    assert (line.amount, line.capped) == (D("1950.00"), False)


def test_no_cap_where_the_region_sets_none() -> None:
    line = near_dibao_line(replace(NEAR, capped_by_minimum_wage=False))
    assert (line.amount, line.capped) == (D("1950.00"), False)


def test_line_rounded_to_the_fen() -> None:
    line = near_dibao_line(replace(NEAR, standard=D("833.33"), capped_by_minimum_wage=False))
    assert line.amount == D("1250.00")  # 833.33 × 1.5 = 1249.995 → 1250.00 (half up)


# --- 低保边缘 eligibility -----------------------------------------------------------------------------


def test_income_one_fen_under_the_capped_line_is_eligible() -> None:
    found = near("1899.99")
    assert found.eligible and found.figures["line"] == "1900.00" and found.figures["line_capped"]


def test_income_at_the_capped_line_is_not_eligible() -> None:
    found = near("1900.00")
    assert not found.eligible
    assert found.reasons == ("家庭人均月收入 1900.00 元，不低于低保边缘线 1900.00 元",)


def test_the_cap_decides_between_the_minimum_wage_and_the_multiple() -> None:
    assert not near("1900.00").eligible  # capped at 1900
    assert near("1900.00", replace(NEAR, capped_by_minimum_wage=False)).eligible  # 1900 < 1950


def test_income_at_the_line_exactly_at_the_minimum_wage() -> None:
    settings = replace(NEAR, minimum_wage=D("1950"))
    assert near("1949.99", settings).eligible
    assert not near("1950.00", settings).eligible


def test_income_at_the_standard_is_edge_one_fen_under_is_dibao() -> None:
    assert near("1300.00").eligible
    found = near("1299.99")
    assert not found.eligible and "应按低保认定" in found.reasons[0]


def test_a_veto_refuses() -> None:
    found = near("1500", vetoes=("机动车 1 辆",))
    assert not found.eligible and found.reasons == ("一票否决：机动车 1 辆",)


def test_edge_validity_months_and_open_ended() -> None:
    assert near("1500", months=12).valid_months == 12
    assert near("1500", months=0).valid_months is None


# --- 刚性支出困难 -------------------------------------------------------------------------------------

RIGID = RigidSettings(near=NEAR, disposable_income=D("24000"), ratio=D("0.6"), valid_months=12)
# Income at the line (not 边缘), 20000 a year each (< 24000), spending 6000 of 10000: at the ratio.
FIG = RigidFigures(
    per_capita_income=D("1900.00"),
    annual_per_capita_income=D("20000.00"),
    expense=D("6000.00"),
    income=D("10000.00"),
    period="近 12 个月",
)


def test_ratio_exactly_at_the_threshold_is_not_eligible() -> None:
    found = rigid_expense_finding(figures=FIG, settings=RIGID)  # 6000 ÷ 10000 = 0.6, not > 0.6
    assert not found.eligible
    assert found.reasons == ("刚性支出占家庭总收入 60.00%，未超过 60%",)
    assert found.figures["ratio"] == "0.6000"


def test_ratio_one_fen_over_the_threshold_is_eligible() -> None:
    found = rigid_expense_finding(figures=replace(FIG, expense=D("6000.01")), settings=RIGID)
    assert found.eligible  # 6000.01 ÷ 10000 = 0.600001 > 0.6
    assert found.reasons[0].startswith("刚性支出占家庭总收入 60.00%，超过 60%")
    assert found.valid_months == 12


def test_ratio_one_fen_under_the_threshold_is_not_eligible() -> None:
    assert not rigid_expense_finding(figures=replace(FIG, expense=D("5999.99")), settings=RIGID).eligible


def test_no_income_any_spending_exceeds() -> None:
    spent = rigid_expense_finding(figures=replace(FIG, income=D("0"), expense=D("0.01")), settings=RIGID)
    assert spent.eligible and spent.figures["ratio"] is None
    nothing = rigid_expense_finding(figures=replace(FIG, income=D("0"), expense=D("0")), settings=RIGID)
    assert not nothing.eligible and "无刚性支出" in nothing.reasons[0]


def test_annual_income_at_the_disposable_income_is_not_eligible() -> None:
    over = replace(FIG, expense=D("7000"), annual_per_capita_income=D("24000.00"))
    found = rigid_expense_finding(figures=over, settings=RIGID)
    assert not found.eligible
    assert found.reasons == ("人均年收入 24000.00 元，不低于上年度居民人均可支配收入 24000.00 元",)
    under = replace(over, annual_per_capita_income=D("23999.99"))
    assert rigid_expense_finding(figures=under, settings=RIGID).eligible


def test_a_dibao_or_edge_household_is_not_rigid() -> None:
    dibao = rigid_expense_finding(
        figures=replace(FIG, expense=D("7000"), per_capita_income=D("1299.99")), settings=RIGID
    )
    assert not dibao.eligible and "应按低保认定" in dibao.reasons[0]
    edge = rigid_expense_finding(
        figures=replace(FIG, expense=D("7000"), per_capita_income=D("1899.99")), settings=RIGID
    )
    assert not edge.eligible and "应按低保边缘认定" in edge.reasons[0]


def test_a_veto_refuses_rigid() -> None:
    found = rigid_expense_finding(
        figures=replace(FIG, expense=D("7000"), vetoes=("住宅 3 处",)), settings=RIGID
    )
    assert not found.eligible and found.reasons == ("一票否决：住宅 3 处",)


@pytest.mark.parametrize(("setting", "months"), [(12, 12), (6, 6), (1, 1), (15, 12)])
def test_rigid_validity_at_most_twelve_months(setting: int, months: int) -> None:
    found = rigid_expense_finding(figures=FIG, settings=replace(RIGID, valid_months=setting))
    assert found.valid_months == months


def test_annual_per_capita_from_the_report_totals() -> None:
    # (36000 − 1200) × 12 ÷ 12 ÷ 3 = 11600.00; over 6 months: 34800 × 12 ÷ 6 ÷ 3 = 23200.00
    assert annual_per_capita(gross=D("36000"), deductions=D("1200"), months=12, size=3) == D("11600.00")
    assert annual_per_capita(gross=D("36000"), deductions=D("1200"), months=6, size=3) == D("23200.00")
    assert annual_per_capita(gross=D("100"), deductions=D("200"), months=12, size=1) == D("0.00")
    # 1000 × 12 ÷ 7 ÷ 1 = 1714.2857… → 1714.29
    assert annual_per_capita(gross=D("1000"), deductions=D("0"), months=7, size=1) == D("1714.29")
    with pytest.raises(ValueError):
        annual_per_capita(gross=D("1"), deductions=D("0"), months=0, size=1)


# --- 单人保 -----------------------------------------------------------------------------------------------

LINES = [
    {"person_id": 1, "category": "wages", "amount": "12000.00", "used": True},
    {"person_id": 1, "category": "transfer", "amount": "2400.00", "used": True},
    {"person_id": 1, "category": "contribution", "amount": "1200.00", "used": True},
    {"person_id": 1, "category": "rigid_deduction", "amount": "600.00", "used": True},
    {"person_id": 1, "category": "wages", "amount": "5000.00", "used": False},  # a feed not used
    {"person_id": 1, "category": "excluded", "amount": "3000.00", "used": True},  # not counted
    {"person_id": 1, "category": "financial", "amount": "50000.00", "used": True},  # an asset
    {"person_id": 2, "category": "wages", "amount": "99999.00", "used": True},  # someone else
]


def test_member_income_is_their_own_lines_net_over_the_months() -> None:
    # (12000 + 2400 − 1200 − 600) ÷ 12 = 1050.00
    assert member_monthly_income(LINES, person_id=1, months=12) == D("1050.00")
    # 100 ÷ 3 = 33.333… → 33.33; deductions larger than income: 0
    assert member_monthly_income(
        [{"person_id": 3, "category": "wages", "amount": "100"}], person_id=3, months=3
    ) == D("33.33")
    more_out = [{"person_id": 4, "category": "support_paid", "amount": "50", "used": True}]
    assert member_monthly_income(more_out, person_id=4, months=1) == D("0.00")
    with pytest.raises(ValueError):
        member_monthly_income(LINES, person_id=1, months=0)


DIBAO = Settings(
    standard=D("800"),
    minimum_allowance=D("0"),
    topup_minor=D("0"),
    topup_elderly=D("0"),
    topup_severe_disability=D("100"),
    minor_age=18,
    elderly_age=60,
)


def test_single_member_with_a_severe_disability() -> None:
    got = single_member(
        member=Member(7, "李四", 45, True),
        severe_illness=False,
        income=D("300"),
        settings=DIBAO,
        allowed=True,
    )
    assert got.eligible and got.allowance is not None
    assert got.allowance.monthly_total == D("600.00")  # (800 − 300) × 1 + 100 × 1
    assert got.reasons[0] == "李四为重度残疾人，按单人户纳入低保"


def test_single_member_with_a_severe_illness() -> None:
    got = single_member(
        member=Member(7, "李四", 45, False),
        severe_illness=True,
        income=D("799.99"),
        settings=DIBAO,
        allowed=True,
    )
    assert got.eligible and got.allowance is not None and got.allowance.monthly_total == D("0.01")


def test_single_member_refused() -> None:
    healthy = single_member(
        member=Member(7, "李四", 45, False), severe_illness=False, income=D("0"), settings=DIBAO, allowed=True
    )
    assert not healthy.eligible and "不是重度残疾" in healthy.reasons[0]
    off = single_member(
        member=Member(7, "李四", 45, True), severe_illness=False, income=D("0"), settings=DIBAO, allowed=False
    )
    assert not off.eligible and off.reasons == ("本地未开展低保边缘家庭成员单人保",)
    rich = single_member(
        member=Member(7, "李四", 45, True),
        severe_illness=False,
        income=D("800"),
        settings=DIBAO,
        allowed=True,
    )
    assert not rich.eligible  # at the standard: nothing to fill


@pytest.mark.parametrize(
    ("category", "grade", "eligible"),
    [("intellectual", 3, True), ("mental", 3, True), ("physical", 3, False), ("mental", 4, False)],
)
def test_single_member_with_a_grade_three_intellectual_or_mental_disability(
    category: str, grade: int, eligible: bool
) -> None:
    got = single_member(
        member=Member(7, "李四", 30, False),
        severe_illness=False,
        income=D("200"),
        settings=DIBAO,
        allowed=True,
        disability_category=category,
        disability_grade=grade,
    )
    assert got.eligible is eligible
    if eligible:
        assert got.allowance is not None and got.allowance.monthly_total == D("600.00")  # (800 − 200) × 1
        assert got.reasons[0] == "李四为三级智力或精神残疾人，按单人户纳入低保"


# --- whole findings, each branch (what the decision stores and prints) -----------------------------------

CAPPED_STEP = Step("低保边缘线", "1300.00 × 1.5 = 1950.00，高于月最低工资 1900.00，按 1900.00", D("1900.00"))


def test_near_findings_whole() -> None:
    def figures(income: str) -> dict[str, object]:
        return {"line": "1900.00", "line_capped": True, "per_capita_income": income}

    assert near("1299.99") == Finding(
        False,
        ("家庭人均月收入 1299.99 元，低于低保标准 1300.00 元，应按低保认定",),
        (CAPPED_STEP,),
        12,
        figures("1299.99"),
    )
    assert near("1900.00") == Finding(
        False,
        ("家庭人均月收入 1900.00 元，不低于低保边缘线 1900.00 元",),
        (CAPPED_STEP,),
        12,
        figures("1900.00"),
    )
    assert near("1500", vetoes=("机动车 1 辆",)) == Finding(
        False, ("一票否决：机动车 1 辆",), (CAPPED_STEP,), 12, figures("1500")
    )
    assert near("1500", months=1) == Finding(
        True,
        ("家庭人均月收入 1500 元，不低于低保标准 1300.00 元、低于低保边缘线 1900.00 元",),
        (CAPPED_STEP,),
        1,
        figures("1500"),
    )


def _rigid_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "per_capita_income": "1900.00",
        "annual_per_capita_income": "20000.00",
        "expense": "6000.00",
        "income": "10000.00",
        "ratio": "0.6000",
        "line": "1900.00",
    }
    data.update(changes)
    return data


def test_rigid_findings_whole() -> None:
    at = rigid_expense_finding(figures=FIG, settings=RIGID)
    assert at == Finding(
        False,
        ("刚性支出占家庭总收入 60.00%，未超过 60%",),
        (Step("刚性支出占家庭总收入", "6000.00 ÷ 10000.00 = 60.00%（近 12 个月）", D("0.00")),),
        12,
        _rigid_data(),
    )
    over = rigid_expense_finding(figures=replace(FIG, expense=D("7000.00"), period=""), settings=RIGID)
    assert over == Finding(
        True,
        (
            "刚性支出占家庭总收入 70.00%，超过 60%；"
            "人均年收入 20000.00 元，低于上年度居民人均可支配收入 24000.00 元",
        ),
        (Step("刚性支出占家庭总收入", "7000.00 ÷ 10000.00 = 70.00%（认定期）", D("0.00")),),
        12,
        _rigid_data(expense="7000.00", ratio="0.7000"),
    )


def test_rigid_income_of_one_yuan_is_an_income() -> None:
    # 0.50 ÷ 1.00 = 50 %: not over 60 % (with no income at all, any spending would exceed).
    found = rigid_expense_finding(figures=replace(FIG, income=D("1"), expense=D("0.5")), settings=RIGID)
    assert found.eligible is False and found.figures["ratio"] == "0.5000"


def test_rigid_no_income_half_a_yuan_spent() -> None:
    found = rigid_expense_finding(figures=replace(FIG, income=D("0"), expense=D("0.5")), settings=RIGID)
    assert found.eligible is True
    assert found.steps[0].formula == "0.50 ÷ 0.00 = 家庭无收入（近 12 个月）"


def test_rigid_income_at_the_standard_is_edge_not_dibao() -> None:
    found = rigid_expense_finding(
        figures=replace(FIG, expense=D("7000"), per_capita_income=D("1300.00")), settings=RIGID
    )
    assert found.reasons == ("家庭人均月收入 1300.00 元，低于低保边缘线 1900.00 元，应按低保边缘认定",)


def test_annual_per_capita_over_one_month_and_bad_counts() -> None:
    assert annual_per_capita(gross=D("100"), deductions=D("0"), months=1, size=1) == D("1200.00")
    with pytest.raises(ValueError, match="月数或人数"):
        annual_per_capita(gross=D("1"), deductions=D("0"), months=12, size=0)
    with pytest.raises(ValueError, match="月数或人数"):
        annual_per_capita(gross=D("1"), deductions=D("0"), months=0, size=1)


def test_member_income_reads_past_other_members_lines() -> None:
    lines = [
        {"person_id": 2, "category": "wages", "amount": "500", "used": True},
        {"person_id": 1, "category": "wages", "amount": "300", "used": True},
        {"person_id": 1, "category": "wages", "amount": "900", "used": False},
        {"person_id": 1, "category": "transfer", "amount": "300", "used": True},
    ]
    assert member_monthly_income(lines, person_id=1, months=6) == D("100.00")  # (300 + 300) ÷ 6
    with pytest.raises(ValueError, match="月数"):
        member_monthly_income(lines, person_id=1, months=0)


def test_single_member_results_whole() -> None:
    off = single_member(
        member=Member(7, "李四", 45, True), severe_illness=False, income=D("0"), settings=DIBAO, allowed=False
    )
    assert off == SingleMember(False, ("本地未开展低保边缘家庭成员单人保",))
    rich = single_member(
        member=Member(7, "李四", 45, True),
        severe_illness=False,
        income=D("800"),
        settings=DIBAO,
        allowed=True,
    )
    assert rich.eligible is False and rich.income == D("800") and rich.allowance is not None
    assert rich.reasons == rich.allowance.reasons and rich.reasons[0].startswith("家庭人均月收入 800")
    ill = single_member(
        member=Member(7, "李四", 45, False),
        severe_illness=True,
        income=D("300"),
        settings=DIBAO,
        allowed=True,
    )
    assert ill.eligible is True and ill.income == D("300")
    assert ill.reasons[0] == "李四为重病患者，按单人户纳入低保"
