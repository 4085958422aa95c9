"""The two disability subsidies (残疾人两项补贴, rules §6; 国发〔2015〕52号), pure.

**困难残疾人生活补贴 (living subsidy).** For a person holding a disability certificate (残疾人证, grades
1–4, any category) who lives in a household holding 低保 — or, where the region extends it
(``near_dibao``), a 低保边缘 household. The amount is by grade: grades 1–2 (重度) get ``severe``, grades
3–4 ``other``, per person per month. Not granted (rules §6, typical exclusions), whatever the grade:

- covered by 特困 support (the 特困 standard already covers the person's living);
- serving a prison sentence;
- receiving the 工伤保险 (work-injury insurance) care allowance;
- receiving the 困境儿童 / 事实无人抚养儿童 basic living subsidy.

**重度残疾人护理补贴 (care subsidy).** For grades 1 and 2 (any category) needing long-term care, meaning
care costs lasting at least ``months_min`` months (6 nationally): grade 1 gets ``grade1``, grade 2
``grade2``. Where the region extends it (``extended``), grades 3–4 of an intellectual or mental
disability get ``extended_amount`` on the same care condition. No means test.

Every figure is a setting of the policy version (``LivingSettings``, ``CareSettings``); amounts are
monthly, rounded to the fen. A result that is not eligible has amount 0 and the reasons; one that is
has a single step line (what the decision prints) and its basis.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
GRADES = (1, 2, 3, 4)
SEVERE = (1, 2)
EXTENDED_CATEGORIES = ("intellectual", "mental")
CATEGORY_LABELS = {
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "physical": "肢体",
    "intellectual": "智力",
    "mental": "精神",
    "multiple": "多重",
}


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Subsidy:
    """A subsidy's outcome: eligible with a monthly amount and its step line, or not with reasons."""

    eligible: bool
    amount: Decimal
    label: str = ""  # the step line's label
    formula: str = ""  # the step line's formula
    reasons: tuple[str, ...] = ()

    @property
    def steps(self) -> tuple[dict[str, str], ...]:
        if not self.eligible:
            return ()
        return ({"label": self.label, "formula": self.formula, "amount": str(self.amount)},)


def _no(*reasons: str) -> Subsidy:
    return Subsidy(eligible=False, amount=ZERO, reasons=tuple(reasons))


def grade_label(category: str, grade: int) -> str:
    return f"{CATEGORY_LABELS.get(category, category)}{grade}级"


# --- 生活补贴 --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LivingSettings:
    severe: Decimal  # grades 1–2, per month
    other: Decimal  # grades 3–4, per month
    near_dibao: bool = False  # the region extends the subsidy to 低保边缘 households


@dataclass(frozen=True)
class LivingFacts:
    category: str
    grade: int | None  # the certificate's grade; None: no certificate
    in_dibao: bool  # the person's household holds 低保 on the decision date
    in_near_dibao: bool = False  # … or 低保边缘
    tekun: bool = False  # covered by 特困 support
    imprisoned: bool = False  # serving a prison sentence on the decision date
    work_injury_care: bool = False  # receives the 工伤保险 care allowance
    child_allowance: bool = False  # receives the 困境儿童 / 事实无人抚养儿童 basic living subsidy


def living_subsidy(facts: LivingFacts, settings: LivingSettings) -> Subsidy:
    """困难残疾人生活补贴 of one person (see the module docstring)."""
    if facts.grade not in GRADES:
        return _no("未持有效的残疾人证（等级须为一至四级）")
    reasons: list[str] = []
    if not facts.in_dibao and not (settings.near_dibao and facts.in_near_dibao):
        if settings.near_dibao:
            reasons.append("所在家庭未享受最低生活保障或低保边缘家庭认定")
        else:
            reasons.append("所在家庭未享受最低生活保障")
    if facts.tekun:
        reasons.append("已纳入特困人员救助供养")
    if facts.imprisoned:
        reasons.append("正在服刑")
    if facts.work_injury_care:
        reasons.append("已享受工伤保险生活护理费")
    if facts.child_allowance:
        reasons.append("已享受困境儿童（事实无人抚养儿童）基本生活补贴")
    if reasons:
        return _no(*reasons)
    assert facts.grade is not None
    severe = facts.grade in SEVERE
    amount = money(settings.severe if severe else settings.other)
    household = "低保家庭" if facts.in_dibao else "低保边缘家庭"
    band = "一、二级" if severe else "三、四级"
    return Subsidy(
        eligible=True,
        amount=amount,
        label="困难残疾人生活补贴",
        formula=f"{household}{grade_label(facts.category, facts.grade)}残疾人，按{band}标准 {amount} 元/月",
    )


# --- 护理补贴 --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CareSettings:
    grade1: Decimal
    grade2: Decimal
    months_min: int  # long-term care: care costs lasting at least this many months
    extended: bool = False  # grades 3–4 intellectual / mental also qualify
    extended_amount: Decimal = ZERO


@dataclass(frozen=True)
class CareFacts:
    category: str
    grade: int | None
    care_months: int  # how long the care need has lasted (or is certified to last), in months


def care_subsidy(facts: CareFacts, settings: CareSettings) -> Subsidy:
    """重度残疾人护理补贴 of one person (see the module docstring)."""
    grade = facts.grade
    if grade not in GRADES:
        return _no("未持有效的残疾人证（等级须为一至四级）")
    assert grade is not None
    reasons: list[str] = []
    if grade == 1:
        amount, band = settings.grade1, "一级"
    elif grade == 2:
        amount, band = settings.grade2, "二级"
    elif facts.category in EXTENDED_CATEGORIES and settings.extended:
        amount, band = settings.extended_amount, "三、四级智力、精神残疾"
    elif facts.category in EXTENDED_CATEGORIES:
        amount, band = ZERO, ""
        reasons.append("本地护理补贴未扩大到三、四级智力、精神残疾")
    else:
        amount, band = ZERO, ""
        reasons.append("护理补贴限一、二级重度残疾人（三、四级仅限本地扩大范围的智力、精神残疾）")
    if facts.care_months < settings.months_min:
        reasons.append(f"长期照护须持续 {settings.months_min} 个月以上（申报 {facts.care_months} 个月）")
    if reasons:
        return _no(*reasons)
    amount = money(amount)
    return Subsidy(
        eligible=True,
        amount=amount,
        label="重度残疾人护理补贴",
        formula=(
            f"{grade_label(facts.category, grade)}残疾人，需长期照护 {facts.care_months} 个月，"
            f"按{band}标准 {amount} 元/月"
        ),
    )


# --- the certificate number ------------------------------------------------------------------------------

# 残疾人证号 (the second and third generation): the holder's 18-character ID number, then one digit of
# the category and one of the grade.
CATEGORY_DIGITS = {
    "visual": "1",
    "hearing": "2",
    "speech": "3",
    "physical": "4",
    "intellectual": "5",
    "mental": "6",
    "multiple": "7",
}


def certificate_number(id_number: str, category: str, grade: int) -> str:
    """The certificate number the national numbering gives ``id_number``'s certificate of ``category``
    and ``grade``."""
    return f"{id_number.upper()}{CATEGORY_DIGITS[category]}{grade}"


def certificate_problems(number: str, *, id_number: str, category: str, grade: int) -> list[str]:
    """What is wrong with a certificate number given for this person, category and grade (in words;
    empty when it is right)."""
    number = number.strip().upper()
    if len(number) != 20:
        return ["残疾人证号应为 20 位（身份证号码 18 位 + 残疾类别 1 位 + 残疾等级 1 位）"]
    out = []
    if number[:18] != id_number.upper():
        out.append("残疾人证号的前 18 位应为救助对象的身份证号码")
    if category in CATEGORY_DIGITS and number[18] != CATEGORY_DIGITS[category]:
        out.append(f"残疾人证号第 19 位应为残疾类别代码 {CATEGORY_DIGITS[category]}")
    if number[19] != str(grade):
        out.append(f"残疾人证号第 20 位应为残疾等级 {grade}")
    return out
