"""``assess``: from gathered facts to totals, vetoes and per-program verdicts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from jiuzhu.core.vocab import AssetCategory, IncomeCategory, Program

from .assets import asset_lines, count_holdings, financial_total
from .income import ZERO, income_lines, rigid_expenses
from .inputs import MeansInput, MemberInput
from .period import Period, money
from .results import Line, MeansResult, Verdict

_INCOME = (IncomeCategory.WAGES, IncomeCategory.BUSINESS, IncomeCategory.PROPERTY, IncomeCategory.TRANSFER)
_MINUS = (IncomeCategory.EMPLOYMENT_COST, IncomeCategory.CONTRIBUTION, IncomeCategory.SUPPORT_PAID)


def _total(lines: list[Line], categories: tuple[str, ...]) -> Decimal:
    return sum((ln.amount for ln in lines if ln.used and ln.category in categories), ZERO)


def _vetoes(inp: MeansInput, per_capita_assets: Decimal, lines: list[Line]) -> list[str]:
    """The single-item disqualifications, each naming what it counts (type and number, and whose), so
    that the caseworker can act on it."""
    p = inp.policy
    out = []
    limit = money(p.financial_assets_months * p.dibao_standard_urban)
    if per_capita_assets > limit:
        months = p.financial_assets_months.normalize()
        out.append(f"人均金融资产 {per_capita_assets} 元，超过上限 {limit} 元（城市低保标准的 {months} 倍）")
    rules = [
        (AssetCategory.VEHICLE, p.vehicles_max, "机动车（不含豁免车型）", "辆"),
        (AssetCategory.RESIDENTIAL, p.residential_units_max, "住宅", "处"),
        (
            AssetCategory.NON_RESIDENTIAL,
            p.nonresidential_units_max,
            "非住宅房产（商铺、车位、办公用房等）",
            "处",
        ),
        (AssetCategory.BUSINESS_REGISTRATION, p.business_registrations_max, "市场主体登记", "个"),
    ]
    for key, allowed, label, unit in rules:
        held = [ln for ln in lines if ln.category == key and ln.used]
        if len(held) > allowed:
            things = "、".join(f"{ln.label}（{ln.name}）" for ln in held)
            out.append(f"{label} {len(held)} {unit}，超过允许的 {allowed} {unit}：{things}")
    return out


def _no_labour(member: MemberInput, inp: MeansInput) -> str | None:
    p = inp.policy
    if member.age >= p.elderly_age:
        return f"年满{p.elderly_age}周岁"
    if member.age < p.minor_age:
        return f"未满{p.minor_age}周岁"
    grade_limit = p.no_labour_disability.get(member.disability_category)
    if grade_limit and member.disability_grade and member.disability_grade <= grade_limit:
        return f"{member.disability_grade}级残疾（{member.disability_category}）"
    if member.labour_capacity == "none":
        return "经认定无劳动能力"
    return None


def _verdict(program: Program) -> Verdict:
    """A program's verdict, "no" until a rule says otherwise."""
    return Verdict(program.value, program.label, "no")


def _verdicts(
    inp: MeansInput,
    pc_income: Decimal,
    annual_pc: Decimal,
    vetoes: list[str],
    rigid: RigidWindow,
) -> list[Verdict]:
    p = inp.policy
    standard = p.dibao_standard(urban=inp.urban)
    area = "城市" if inp.urban else "农村"
    veto_reasons = [f"一票否决：{v}" for v in vetoes]

    dibao = _verdict(Program.DIBAO)
    if pc_income < standard and not vetoes:
        dibao.outcome = "yes"
        dibao.reasons.append(f"人均月收入 {pc_income} 元，低于{area}低保标准 {standard} 元")
    else:
        if pc_income >= standard:
            dibao.reasons.append(f"人均月收入 {pc_income} 元，不低于{area}低保标准 {standard} 元")
        dibao.reasons += veto_reasons

    line = money(standard * p.near_dibao_multiplier)
    capped = p.near_dibao_capped_by_minimum_wage and line > p.minimum_wage_monthly
    if capped:
        line = p.minimum_wage_monthly
    near = _verdict(Program.NEAR_DIBAO)
    if dibao.outcome == "yes":
        near.reasons.append("符合低保条件，按低保认定")
    elif pc_income < line and not vetoes:
        near.outcome = "yes"
        near.reasons.append(
            f"人均月收入 {pc_income} 元，低于低保边缘线 {line} 元"
            + ("（按月最低工资封顶）" if capped else f"（低保标准的 {p.near_dibao_multiplier} 倍）")
        )
    else:
        if pc_income >= line:
            near.reasons.append(f"人均月收入 {pc_income} 元，不低于低保边缘线 {line} 元")
        near.reasons += veto_reasons

    verdict = _verdict(Program.RIGID_EXPENSE)
    if dibao.outcome == "yes" or near.outcome == "yes":
        verdict.reasons.append("已符合低保或低保边缘条件")
    else:
        ok = True
        disposable = p.disposable_income_prev_year
        if annual_pc >= disposable:
            ok = False
            verdict.reasons.append(
                f"人均年收入 {annual_pc} 元，不低于上年度居民人均可支配收入 {disposable} 元"
            )
        ratio, spent = rigid.ratio, rigid.expense > 0
        exceeds = spent if ratio is None else ratio > p.rigid_expense_ratio
        shown = ("家庭无收入" if spent else "无刚性支出") if ratio is None else f"{ratio:.2%}"
        window = f"{rigid.period}刚性支出 {money(rigid.expense)} 元、家庭总收入 {money(rigid.income)} 元，"
        if not exceeds:
            ok = False
            verdict.reasons.append(f"{window}占比：{shown}，未超过 {p.rigid_expense_ratio:.0%}")
        if vetoes:
            ok = False
            verdict.reasons += veto_reasons
        if ok:
            verdict.outcome = "yes"
            verdict.reasons.append(
                f"{window}占比：{shown}，超过 {p.rigid_expense_ratio:.0%}；"
                f"人均年收入 {annual_pc} 元，低于上年度居民人均可支配收入 {disposable} 元"
            )

    tekun = _verdict(Program.TEKUN)
    no_means = pc_income < standard and not vetoes
    candidates = [(m, why) for m in inp.members if (why := _no_labour(m, inp))]
    if not no_means:
        tekun.reasons.append("不符合“无生活来源”：家庭收入或财产超过规定")
        tekun.reasons += veto_reasons
    elif not candidates:
        tekun.reasons.append("家庭成员均不符合“无劳动能力”条件")
    else:
        names = "、".join(f"{m.name}（{why}）" for m, why in candidates)
        if inp.supporters:
            tekun.outcome = "review"
            tekun.reasons.append(
                f"{names}无劳动能力且无生活来源；有法定义务人 {inp.supporters} 人，需核实其履行义务能力"
            )
        else:
            tekun.outcome = "yes"
            tekun.reasons.append(f"{names}无劳动能力、无生活来源、无法定义务人")
    return [dibao, near, verdict, tekun]


@dataclass(frozen=True)
class RigidWindow:
    """刚性支出困难家庭 (rules §4.2): rigid spending over the months before the application, against the
    household's total income over the same months. The window is its own setting (12 months in the
    national rules); it may differ from the income reference period of 低保."""

    period: str
    expense: Decimal  # all rigid spending, deductible locally or not
    income: Decimal

    @property
    def ratio(self) -> Decimal | None:
        """None when there is no income: then any rigid spending exceeds every ratio."""
        return self.expense / self.income if self.income > 0 else None


def _rigid_spending(lines: list[Line]) -> Decimal:
    return sum((ln.amount for ln in lines if ln.category == IncomeCategory.RIGID_DEDUCTION), ZERO)


def _rescaled(inp: MeansInput, factor: Decimal) -> MeansInput:
    """Declared amounts cover the reference period; over other months they are taken pro rata."""
    members = tuple(
        replace(m, declared=tuple(replace(d, amount=d.amount * factor) for d in m.declared))
        for m in inp.members
    )
    return replace(inp, members=members)


def _window_income(inp: MeansInput, period: Period, lines: list[Line], window: Period) -> Decimal:
    """Household income over ``window``. Each stretch of months keeps its own winning sources: a wage
    feed that covers only the earlier months must not displace the declaration of the reference period."""
    ratio = Decimal(window.months) / Decimal(period.months)
    if window.months < period.months:  # inside the reference period, which ends where it ends
        return _total(income_lines(_rescaled(inp, ratio), window), _INCOME)
    earlier = Period(window.start, period.start, window.months - period.months)
    scaled = _rescaled(inp, Decimal(earlier.months) / Decimal(period.months))
    return _total(lines, _INCOME) + _total(income_lines(scaled, earlier), _INCOME)


def _rigid_window(inp: MeansInput, period: Period, lines: list[Line]) -> RigidWindow:
    window = Period.before(inp.as_of, inp.policy.rigid_expense_months)
    if window == period:
        expense, income = _rigid_spending(lines), _total(lines, _INCOME)
    else:
        income = _window_income(inp, period, lines, window)
        # Spending is not extrapolated: bills count as they fall, declared costs at most once.
        share = min(Decimal(1), Decimal(window.months) / Decimal(period.months))
        expense = sum((amount for m in inp.members for *_, amount in rigid_expenses(m, window, share)), ZERO)
    label = f"近 {window.months} 个月（{window.label}）"
    return RigidWindow(label, expense, income)


def assess(inp: MeansInput) -> MeansResult:
    period = Period.before(inp.as_of, inp.policy.reference_months)
    size = len(inp.members)
    if size == 0:
        raise ValueError("家庭成员为空，无法核对")
    lines = income_lines(inp, period) + asset_lines(inp)

    gross = _total(lines, _INCOME)
    before_rigid = gross - _total(lines, _MINUS)
    net = max(ZERO, before_rigid - _total(lines, (IncomeCategory.RIGID_DEDUCTION,)))
    pc_income = money(net / period.months / size)
    annual_pc = money(max(ZERO, before_rigid) * 12 / period.months / size)
    rigid = _rigid_window(inp, period, lines)

    fin = financial_total(lines)
    pc_assets = money(fin / size)
    holdings = count_holdings(lines)
    vetoes = _vetoes(inp, pc_assets, lines)
    totals = {
        "gross_income": money(gross),
        **{str(c): money(_total(lines, (c,))) for c in (*_INCOME, *_MINUS, IncomeCategory.RIGID_DEDUCTION)},
        "excluded": money(sum((ln.amount for ln in lines if ln.category == IncomeCategory.EXCLUDED), ZERO)),
        "rigid_expense_all": money(_rigid_spending(lines)),
        "rigid_window_expense": money(rigid.expense),
        "rigid_window_income": money(rigid.income),
        "net_income": money(net),
    }
    verdicts = _verdicts(inp, pc_income, annual_pc, vetoes, rigid)
    return MeansResult(
        size,
        period.months,
        period.label,
        lines,
        totals,
        pc_income,
        money(fin),
        pc_assets,
        holdings,
        vetoes,
        verdicts,
        None if rigid.ratio is None else rigid.ratio.quantize(Decimal("0.0001")),
        rigid.period,
    )
