"""Income over the reference period by category (rules §2.2), the excluded incomes (§2.3) and the
deductions (employment cost, social-insurance contributions, support paid, rigid expenses)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from jiuzhu.core.vocab import (
    DECLARED_EXCLUDABLE,
    DECLARED_EXPENSES,
    DeclarableItem,
    DeductibleExpense,
    EmploymentCostBase,
    ExcludedIncome,
    IncomeCategory,
    PensionType,
)

from .inputs import MeansInput, MemberInput
from .period import Period, money
from .results import Line

ZERO = Decimal("0")

SOURCE_LABELS = {
    "hrss_wage": "人社工资数据",
    "tax": "税务数据",
    "declared": "家庭申报",
    "bank": "银行存款数据",
    "securities": "证券数据",
    "insurance": "商业保险数据",
    "hrss_pension": "人社养老金数据",
    "hrss_unemployment": "人社失业登记",
    "hrss_contribution": "人社社保缴费",
    "medical_bill": "医保结算数据",
}
# The income categories with a source precedence; the tax feed's income types carry the same codes.
_EARNED = (IncomeCategory.WAGES, IncomeCategory.BUSINESS, IncomeCategory.PROPERTY)


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v or ZERO for v in values), ZERO)


def _declared(member: MemberInput, item: str) -> Decimal | None:
    found = [d.amount for d in member.declared if d.item == item]
    return _sum(found) if found else None


def _from_source(
    member: MemberInput, category: str, source: str, period: Period
) -> tuple[Decimal, int] | None:
    """(amount over the period, months with records) from one source, or None when it has no data."""
    if source == "declared":
        amount = _declared(member, category)
        return None if amount is None else (amount, period.months)
    if source == "hrss_wage" and category == IncomeCategory.WAGES:
        rows = [f for f in member.facts if f.feed == "hrss_wage" and period.contains(f.date)]
    elif source == "tax":
        rows = [f for f in member.facts if f.feed == "tax" and f.kind == category and period.contains(f.date)]
    else:
        return None
    if not rows:
        return None
    return _sum(f.amount for f in rows), len({f.date for f in rows})


def _by_precedence(inp: MeansInput, member: MemberInput, category: str, period: Period) -> list[Line]:
    """The first source in the region's precedence that has data is used; the others are shown as
    overridden, so the report says which figure won and why."""
    order = inp.policy.source_precedence.get(category, ["declared"])
    lines: list[Line] = []
    winner: str | None = None
    for source in order:
        found = _from_source(member, category, source, period)
        if found is None:
            continue
        amount, months = found
        used = winner is None
        note = "" if used else f"以{SOURCE_LABELS.get(winner or '', winner)}为准（来源优先级）"
        lines.append(
            Line(
                member.person_id,
                member.name,
                category,
                IncomeCategory(category).label,
                source,
                period.label,
                money(amount),
                used,
                note,
            )
        )
        if used:
            winner = source
            if category == IncomeCategory.WAGES:
                lines.append(_employment_cost(inp, member, amount, months, period))
    return lines


def _employment_cost(
    inp: MeansInput, member: MemberInput, wages: Decimal, months: int, period: Period
) -> Line:
    p = inp.policy
    if p.employment_cost_base == EmploymentCostBase.MINIMUM_WAGE:
        base, how = p.minimum_wage_monthly * months, f"当地最低工资×{months}个月"
    elif p.employment_cost_base == EmploymentCostBase.DIBAO_STANDARD:
        base, how = p.dibao_standard(urban=inp.urban) * months, f"低保标准×{months}个月"
    else:
        base, how = wages, "工资收入"
    amount = min(money(base * p.employment_cost_rate), money(wages))
    return Line(
        member.person_id,
        member.name,
        IncomeCategory.EMPLOYMENT_COST,
        IncomeCategory.EMPLOYMENT_COST.label,
        "policy",
        period.label,
        amount,
        True,
        f"{how}×{p.employment_cost_rate}",
    )


def _transfers(inp: MeansInput, member: MemberInput, period: Period) -> list[Line]:
    p = inp.policy
    lines: list[Line] = []
    pensions: dict[str, Decimal] = {}
    for f in member.facts:
        if f.feed == "hrss_pension" and period.contains(f.date):
            pensions[f.kind] = pensions.get(f.kind, ZERO) + (f.amount or ZERO)
    for kind, amount in sorted(pensions.items()):
        if kind == PensionType.RESIDENT_BASIC and ExcludedIncome.RESIDENT_BASIC_PENSION in p.excluded_income:
            lines.append(
                Line(
                    member.person_id,
                    member.name,
                    IncomeCategory.EXCLUDED,
                    PensionType.RESIDENT_BASIC.label,
                    "hrss_pension",
                    period.label,
                    money(amount),
                    False,
                    "按规定不计入家庭收入",
                )
            )
        else:
            lines.append(
                Line(
                    member.person_id,
                    member.name,
                    IncomeCategory.TRANSFER,
                    PensionType.label_of(kind),
                    "hrss_pension",
                    period.label,
                    money(amount),
                )
            )
    for f in member.facts:
        if f.feed != "hrss_unemployment" or f.date is None or not f.amount:
            continue
        ended = f.data.get("ended_on")
        months = period.months_overlapping(f.date, None if not ended else date.fromisoformat(ended))
        if months:
            lines.append(
                Line(
                    member.person_id,
                    member.name,
                    IncomeCategory.TRANSFER,
                    "失业保险金",
                    "hrss_unemployment",
                    period.label,
                    money(f.amount * months),
                    True,
                    f"{f.amount}元×{months}个月",
                )
            )
    for d in member.declared:
        if d.item in DECLARED_EXCLUDABLE:
            excluded = d.item in p.excluded_income
            lines.append(
                Line(
                    member.person_id,
                    member.name,
                    IncomeCategory.EXCLUDED if excluded else IncomeCategory.TRANSFER,
                    DeclarableItem(d.item).label,
                    "declared",
                    period.label,
                    money(d.amount),
                    not excluded,
                    "按规定不计入家庭收入" if excluded else "本地政策未列为豁免，计入收入",
                )
            )
        elif d.item in (DeclarableItem.SUPPORT_RECEIVED, DeclarableItem.OTHER_INCOME):
            lines.append(
                Line(
                    member.person_id,
                    member.name,
                    IncomeCategory.TRANSFER,
                    DeclarableItem(d.item).label,
                    "declared",
                    period.label,
                    money(d.amount),
                )
            )
    return lines


def _outgoings(inp: MeansInput, member: MemberInput, period: Period) -> list[Line]:
    p = inp.policy
    lines: list[Line] = []
    contributions = _sum(
        f.amount for f in member.facts if f.feed == "hrss_contribution" and period.contains(f.date)
    )
    if contributions:
        lines.append(
            Line(
                member.person_id,
                member.name,
                IncomeCategory.CONTRIBUTION,
                "个人缴纳社会保险费",
                "hrss_contribution",
                period.label,
                money(contributions),
            )
        )
    paid = _declared(member, DeclarableItem.SUPPORT_PAID)
    if paid:
        lines.append(
            Line(
                member.person_id,
                member.name,
                IncomeCategory.SUPPORT_PAID,
                IncomeCategory.SUPPORT_PAID.label,
                "declared",
                period.label,
                money(paid),
            )
        )
    for code, label, source, amount in rigid_expenses(member, period):
        if amount:
            deductible = code in p.deductible_expenses
            lines.append(
                Line(
                    member.person_id,
                    member.name,
                    IncomeCategory.RIGID_DEDUCTION,
                    label,
                    source,
                    period.label,
                    money(amount),
                    deductible,
                    "" if deductible else "本地政策不予扣减",
                )
            )
    return lines


def rigid_expenses(
    member: MemberInput, period: Period, declared_share: Decimal = Decimal(1)
) -> list[tuple[str, str, str, Decimal]]:
    """(code, label, source, amount) of a member's rigid spending in ``period``: medical bills as they
    fall, declared education and rehabilitation costs (which cover the reference period) times
    ``declared_share``."""
    medical = _sum(f.amount for f in member.facts if f.feed == "medical_bill" and period.contains(f.date))
    out = [(DeductibleExpense.MEDICAL.value, DeductibleExpense.MEDICAL.label, "medical_bill", medical)]
    for item, expense in DECLARED_EXPENSES.items():
        amount = (_declared(member, item) or ZERO) * declared_share
        out.append((expense.value, expense.label, "declared", amount))
    return out


def income_lines(inp: MeansInput, period: Period) -> list[Line]:
    lines: list[Line] = []
    for member in inp.members:
        for category in _EARNED:
            lines += _by_precedence(inp, member, category, period)
        lines += _transfers(inp, member, period)
        lines += _outgoings(inp, member, period)
    return lines
