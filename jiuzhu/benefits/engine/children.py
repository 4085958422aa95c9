"""The children's programs (rules §8.1), pure: 事实无人抚养儿童 and 困境儿童.

**事实无人抚养儿童 (de facto unsupported child; 民发〔2019〕62号).** A child under ``minor_age`` (18)
whose parents are, each, in one of the *incapable* situations — 重残 (severe disability, grade 1–2),
重病 (severe illness), serving a prison sentence, in compulsory drug rehabilitation, under another
restriction of liberty, or 失联 (lost contact) — or of whom one parent is dead or missing (宣告失踪) and
the other in one of those situations. Both parents dead or missing is an orphan (孤儿), protected by the
orphans' programme, not this one. The basic living subsidy is the local orphan standard
(``orphan_standard``) per month.

**困境儿童 (child in difficulty).** A child under ``minor_age`` in one of three situations: the family
in economic hardship (the household holds 低保 or the child is covered by 特困 — ``household_poor``),
the child's own severe illness or severe disability (``child_severe``: grade 1–2 or a severe
illness), or missing or unfit guardianship (a parent in one of the incapable situations, dead or
missing). The allowance is the region's ``allowance`` per month; 0 means the region pays no cash
(the child is then recorded as 困境儿童 for care and services: payment ``no_cash``).

Amounts are monthly, rounded to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# A parent's situation (the facts' choices), in words.
SITUATIONS: dict[str, str] = {
    "able": "能够履行抚养义务",
    "severe_disability": "重残（一、二级残疾）",
    "severe_illness": "重病",
    "imprisoned": "服刑在押",
    "drug_rehab": "强制隔离戒毒",
    "restricted": "被执行其他限制人身自由的措施",
    "lost_contact": "失联",
    "dead": "死亡",
    "missing": "宣告失踪",
}
INCAPABLE = frozenset(
    {"severe_disability", "severe_illness", "imprisoned", "drug_rehab", "restricted", "lost_contact"}
)
ABSENT = frozenset({"dead", "missing"})

# 困境儿童's situations.
DIFFICULTIES: dict[str, str] = {
    "economic": "家庭经济困难",
    "severe": "自身重病、重残",
    "guardianship": "监护缺失或监护不当",
}


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ChildGrant:
    eligible: bool
    amount: Decimal
    basis: str = ""  # why the child qualifies, in words
    formula: str = ""
    reasons: tuple[str, ...] = ()

    @property
    def cash(self) -> bool:
        return self.eligible and self.amount > 0


def _no(*reasons: str) -> ChildGrant:
    return ChildGrant(eligible=False, amount=ZERO, reasons=tuple(reasons))


def parents_unable(father: str, mother: str) -> str:
    """Why nobody supports the child in fact (the basis in words), or "" when the parents' situations
    do not make the child 事实无人抚养 (see the module docstring)."""
    for s in (father, mother):
        if s not in SITUATIONS:
            raise ValueError(s)
    if father in INCAPABLE and mother in INCAPABLE:
        return f"父亲{SITUATIONS[father]}，母亲{SITUATIONS[mother]}"
    if father in ABSENT and mother in INCAPABLE:
        return f"父亲{SITUATIONS[father]}，母亲{SITUATIONS[mother]}"
    if mother in ABSENT and father in INCAPABLE:
        return f"母亲{SITUATIONS[mother]}，父亲{SITUATIONS[father]}"
    return ""


def de_facto_orphan(
    *, age: int, father: str, mother: str, minor_age: int, orphan_standard: Decimal
) -> ChildGrant:
    """事实无人抚养儿童's basic living subsidy (see the module docstring)."""
    reasons: list[str] = []
    if age >= minor_age:
        reasons.append(f"已年满 {minor_age} 周岁")
    basis = parents_unable(father, mother)
    if father in ABSENT and mother in ABSENT:
        reasons.append("父母均已死亡或宣告失踪，属孤儿，应按孤儿基本生活保障办理")
    elif not basis:
        reasons.append("父母一方能够履行抚养义务，不属于事实无人抚养儿童")
    if reasons:
        return _no(*reasons)
    amount = money(orphan_standard)
    return ChildGrant(
        eligible=True,
        amount=amount,
        basis=basis,
        formula=f"{basis}，按孤儿基本生活保障标准 {amount} 元/月",
    )


def child_in_difficulty(
    *,
    age: int,
    difficulty: str,
    father: str,
    mother: str,
    household_poor: bool,
    child_severe: bool,
    minor_age: int,
    allowance: Decimal,
) -> ChildGrant:
    """困境儿童 (see the module docstring)."""
    if difficulty not in DIFFICULTIES:
        raise ValueError(difficulty)
    for s in (father, mother):
        if s not in SITUATIONS:
            raise ValueError(s)
    reasons: list[str] = []
    if age >= minor_age:
        reasons.append(f"已年满 {minor_age} 周岁")
    if difficulty == "economic" and not household_poor:
        reasons.append("所在家庭未享受最低生活保障，也未纳入特困供养，不属于家庭经济困难儿童")
    if difficulty == "severe" and not child_severe:
        reasons.append("儿童本人未患重病且非一、二级残疾，不属于自身重病、重残儿童")
    unfit = [s for s in (father, mother) if s in INCAPABLE | ABSENT]
    if difficulty == "guardianship" and not unfit:
        reasons.append("父母均能够履行抚养义务，不属于监护缺失儿童")
    if reasons:
        return _no(*reasons)
    amount = money(allowance)
    basis = DIFFICULTIES[difficulty]
    formula = (
        f"{basis}，按困境儿童基本生活补贴标准 {amount} 元/月"
        if amount > 0
        else f"{basis}，本地不设困境儿童基本生活补贴，认定为困境儿童（不发放资金）"
    )
    return ChildGrant(eligible=True, amount=amount, basis=basis, formula=formula)
