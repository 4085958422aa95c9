"""低保边缘家庭 and 刚性支出困难家庭 at the decision (rules §4), and 单人保 (rules §1.9).

The verification report has already judged both programs (``verification.engine.means``) on the
figures it gathered; the decision does not redo the means test. It takes the report's figures (the
per-capita monthly income, the single-item vetoes, the rigid spending and the household income of the
window, the income totals) and re-checks the thresholds under the policy version of the decision —
which may be newer than the report's (a standard raised in between) — and gives the validity. Neither
program pays money: the entitlement records the household's eligibility for special-purpose
assistance (专项救助: medical, education, housing, employment).

- **边缘 line** (rules §4.1): ``multiplier × standard``, rounded to the fen; where the region caps it
  (``capped_by_minimum_wage``) and the product is *above* the monthly minimum wage, the minimum wage.
  A product exactly at the minimum wage is not "capped" (the same figure either way).
- **低保边缘** is eligible when the per-capita income is *at or above* the 低保 standard (below it the
  household is a 低保 household) and *strictly below* the line, with no veto. At the line exactly: not
  eligible.
- **刚性支出困难** is eligible when the household is neither 低保 nor 边缘 by its income (at or above the
  line), its annual per-capita income is *strictly below* last year's per-capita disposable income, its
  rigid spending over the window is *more than* ``ratio`` of its income over the same months (at the
  ratio exactly: not eligible; with no income, any spending exceeds every ratio), and no veto.
- **Validity**: 刚性支出 ``min(valid_months, 12)`` months (rules §4.2: at most 12); 边缘 the region's
  months (0: no fixed validity).
- **单人保** (rules §1.9): a member of a 低保边缘 household with a grade 1–2 disability, a grade-3
  intellectual or mental disability, or a severe illness may be covered individually as a one-person
  低保 household, where the region allows it: their own monthly income (their lines of the report, net
  of their deductions, over the report's months, floored at 0) against the 低保 standard, by the 低保
  engine (so a severe-disability top-up applies).

Figures are rounded to the fen half up as the other engines do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .dibao import ZERO, Allowance, Member, Settings, Step, dibao_allowance, money

RIGID_MAX_MONTHS = 12  # rules §4.2: the validity is at most 12 months
INCOME_CATEGORIES = ("wages", "business", "property", "transfer")
DEDUCTION_CATEGORIES = ("employment_cost", "contribution", "support_paid", "rigid_deduction")
SPECIAL_ASSISTANCE = (
    ("medical", "医疗救助"),
    ("education", "教育救助"),
    ("housing", "住房救助"),
    ("employment", "就业救助"),
)


@dataclass(frozen=True)
class NearSettings:
    """The policy version's figures for the 边缘 line; names as the ``PolicyVersion`` fields."""

    standard: Decimal  # 低保标准 of the household (urban or rural)
    multiplier: Decimal  # near_dibao_multiplier (1.5 nationally)
    minimum_wage: Decimal  # minimum_wage_monthly
    capped_by_minimum_wage: bool  # near_dibao_capped_by_minimum_wage


@dataclass(frozen=True)
class EdgeLine:
    amount: Decimal
    capped: bool
    formula: str


def near_dibao_line(s: NearSettings) -> EdgeLine:
    """The 低保边缘 line: ``multiplier × standard``, capped at the minimum wage where the region says so."""
    product = money(s.standard * s.multiplier)
    formula = f"{money(s.standard)} × {s.multiplier.normalize()} = {product}"
    if s.capped_by_minimum_wage and product > s.minimum_wage:
        cap = money(s.minimum_wage)
        return EdgeLine(cap, True, f"{formula}，高于月最低工资 {cap}，按 {cap}")
    return EdgeLine(product, False, formula)


@dataclass(frozen=True)
class Finding:
    """The decision's check: eligible or not, why, the lines shown, the validity and the figures used."""

    eligible: bool
    reasons: tuple[str, ...]
    steps: tuple[Step, ...] = ()
    valid_months: int | None = None
    figures: Mapping[str, Any] = field(default_factory=dict)


def near_dibao_finding(
    *, per_capita_income: Decimal, vetoes: Sequence[str], settings: NearSettings, valid_months: int
) -> Finding:
    """低保边缘 at the decision (the rules are in the module docstring)."""
    line = near_dibao_line(settings)
    income = per_capita_income
    standard = money(settings.standard)
    steps = (Step("低保边缘线", line.formula, line.amount),)
    figures = {"line": str(line.amount), "line_capped": line.capped, "per_capita_income": str(income)}
    months = valid_months if valid_months > 0 else None
    if income < settings.standard:
        why = f"家庭人均月收入 {income} 元，低于低保标准 {standard} 元，应按低保认定"
        return Finding(False, (why,), steps, months, figures)
    if income >= line.amount:
        why = f"家庭人均月收入 {income} 元，不低于低保边缘线 {line.amount} 元"
        return Finding(False, (why,), steps, months, figures)
    if vetoes:
        return Finding(False, tuple(f"一票否决：{v}" for v in vetoes), steps, months, figures)
    why = f"家庭人均月收入 {income} 元，不低于低保标准 {standard} 元、低于低保边缘线 {line.amount} 元"
    return Finding(True, (why,), steps, months, figures)


@dataclass(frozen=True)
class RigidSettings:
    near: NearSettings
    disposable_income: Decimal  # disposable_income_prev_year, per person per year
    ratio: Decimal  # rigid_expense_ratio
    valid_months: int  # rigid_expense_valid_months


@dataclass(frozen=True)
class RigidFigures:
    """The verification report's figures the decision re-checks."""

    per_capita_income: Decimal  # monthly
    annual_per_capita_income: Decimal
    expense: Decimal  # rigid spending over the window
    income: Decimal  # household income over the same months
    period: str = ""  # the window, as the report words it
    vetoes: tuple[str, ...] = ()


def annual_per_capita(*, gross: Decimal, deductions: Decimal, months: int, size: int) -> Decimal:
    """The report's annual per-capita income from its totals: ``max(0, gross − deductions) × 12 ÷
    months ÷ size`` (the deductions before rigid spending), as the means engine states it."""
    if months <= 0 or size <= 0:
        raise ValueError("核对报告的月数或人数无效")
    return money(max(ZERO, gross - deductions) * 12 / months / size)


def rigid_expense_finding(*, figures: RigidFigures, settings: RigidSettings) -> Finding:
    """刚性支出困难 at the decision (the rules are in the module docstring)."""
    f, s = figures, settings
    months = min(s.valid_months, RIGID_MAX_MONTHS)
    line = near_dibao_line(s.near)
    ratio = f.expense / f.income if f.income > 0 else None
    shown = ("家庭无收入" if f.expense > 0 else "无刚性支出") if ratio is None else f"{ratio:.2%}"
    data = {
        "per_capita_income": str(f.per_capita_income),
        "annual_per_capita_income": str(f.annual_per_capita_income),
        "expense": str(f.expense),
        "income": str(f.income),
        "ratio": None if ratio is None else str(ratio.quantize(Decimal("0.0001"))),
        "line": str(line.amount),
    }
    steps = (
        Step(
            "刚性支出占家庭总收入",
            f"{money(f.expense)} ÷ {money(f.income)} = {shown}（{f.period or '认定期'}）",
            ZERO,
        ),
    )
    reasons: list[str] = []
    if f.per_capita_income < s.near.standard:
        reasons.append(f"家庭人均月收入 {f.per_capita_income} 元，低于低保标准，应按低保认定")
    elif f.per_capita_income < line.amount and not f.vetoes:
        reasons.append(
            f"家庭人均月收入 {f.per_capita_income} 元，低于低保边缘线 {line.amount} 元，应按低保边缘认定"
        )
    if f.annual_per_capita_income >= s.disposable_income:
        disposable = money(s.disposable_income)
        reasons.append(
            f"人均年收入 {f.annual_per_capita_income} 元，不低于上年度居民人均可支配收入 {disposable} 元"
        )
    exceeds = f.expense > 0 if ratio is None else ratio > s.ratio
    if not exceeds:
        reasons.append(f"刚性支出占家庭总收入 {shown}，未超过 {s.ratio:.0%}")
    reasons += [f"一票否决：{v}" for v in f.vetoes]
    if reasons:
        return Finding(False, tuple(reasons), steps, months, data)
    why = (
        f"刚性支出占家庭总收入 {shown}，超过 {s.ratio:.0%}；人均年收入 {f.annual_per_capita_income} 元，"
        f"低于上年度居民人均可支配收入 {money(s.disposable_income)} 元"
    )
    return Finding(True, (why,), steps, months, data)


def member_monthly_income(lines: Sequence[Mapping[str, Any]], *, person_id: int, months: int) -> Decimal:
    """A member's own monthly income from the report's lines (``{"person_id", "category", "amount",
    "used"}``): their income used, less their deductions, over ``months``, floored at 0."""
    if months <= 0:
        raise ValueError("核对报告的月数无效")
    income = deductions = ZERO
    for line in lines:
        if line.get("person_id") != person_id or not line.get("used", True):
            continue
        if line.get("category") in INCOME_CATEGORIES:
            income += Decimal(str(line["amount"]))
        elif line.get("category") in DEDUCTION_CATEGORIES:
            deductions += Decimal(str(line["amount"]))
    return money(max(ZERO, income - deductions) / months)


@dataclass(frozen=True)
class SingleMember:
    eligible: bool
    reasons: tuple[str, ...]
    income: Decimal = ZERO
    allowance: Allowance | None = None


GRADE3_CATEGORIES = frozenset({"intellectual", "mental"})  # rules §1.9: 三级智力、精神残疾


def single_member(
    *,
    member: Member,
    severe_illness: bool,
    income: Decimal,
    settings: Settings,
    allowed: bool,
    disability_category: str = "",
    disability_grade: int | None = None,
) -> SingleMember:
    """单人保 of one member of a 低保边缘 household (rules §1.9): a grade 1–2 disability, a grade-3
    intellectual or mental disability, or a severe illness; the rules are in the module docstring."""
    if not allowed:
        return SingleMember(False, ("本地未开展低保边缘家庭成员单人保",))
    grade3 = disability_grade == 3 and disability_category in GRADE3_CATEGORIES
    if member.severe_disability:
        ground = "重度残疾人"
    elif grade3:
        ground = "三级智力或精神残疾人"
    elif severe_illness:
        ground = "重病患者"
    else:
        why = f"{member.name}不是重度残疾（一、二级）、三级智力或精神残疾或重病患者，不能单人纳入低保"
        return SingleMember(False, (why,))
    allowance = dibao_allowance(members=[member], per_capita_income=income, settings=settings)
    if not allowance.eligible:
        return SingleMember(False, allowance.reasons, income, allowance)
    return SingleMember(
        True, (f"{member.name}为{ground}，按单人户纳入低保", *allowance.reasons), income, allowance
    )
