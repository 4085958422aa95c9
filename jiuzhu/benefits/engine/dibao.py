"""The monthly 低保 allowance by 补差 (gap-filling), rules §1.8, shown step by step for the decision.

The national formula (民政部 57号) pays a household the gap between the local 低保 standard and its
per-capita monthly income, for every member: ``(standard − per-capita income) × members``. On top of
it a region may set a floor and top-ups by group (rules §1.8, "Top-ups"); both are settings of the
policy version in force (``Settings``), zero where the region has none.

- **Eligible** when the per-capita income is *below* the standard. At the standard exactly there is
  nothing to fill: not eligible, 0. One yuan under: a gap of 1 yuan for each member.
- **Gap**: ``(standard − per-capita income) × members``.
- **Floor** (``minimum_allowance``, per person per month): when the gap is less than
  ``minimum_allowance × members``, the household gets ``minimum_allowance × members`` instead
  (``floor_applied``). A floor of 0 means none: every gap of an eligible household is above 0.
- **Top-ups**, per member and per month, added *after* the floor (the floor raises the gap, never the
  top-ups): a minor (age under ``minor_age``), an elderly member (age at or over ``elderly_age``), a
  member with a severe disability (重度残疾, grade 1–2 in the registry). The groups are independent: an
  elderly member with a severe disability gets both top-ups, a disabled minor both of theirs — each
  top-up answers its own need (old age, childhood, disability).
- **Not eligible**: total 0, no floor and no top-ups (top-ups are paid to 低保 households only), and a
  reason saying why.
- **Negative per-capita income** (business losses larger than the other income) is taken as 0: a
  household cannot be owed more than the full standard for each member, which is what it gets with no
  income at all. The means engine already floors the household's net income at 0; this rule keeps the
  formula safe when the figure comes from elsewhere (a figure entered at review).
- **Rounding**: each step's amount is rounded to the fen (0.01 yuan, ``ROUND_HALF_UP``, as the means
  engine rounds), and the total is the sum of the rounded steps, so the lines printed on the decision
  add up to its total exactly.

An empty household has no allowance to compute: ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal) -> Decimal:
    """``value`` rounded to the fen, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _shown(value: Decimal) -> str:
    """A figure as the decision prints it: two decimals, or every decimal it has when it has more (a
    per-capita income of 700.015 is shown as it is, not rounded before it is used)."""
    cents = money(value)
    return str(cents) if cents == value else str(value)


@dataclass(frozen=True)
class Member:
    """One co-resident member counted in the household (rules §2.1)."""

    person_id: int
    name: str
    age: int
    severe_disability: bool  # 重度残疾 (grade 1–2) per the registry


@dataclass(frozen=True)
class Settings:
    """The amounts and ages of the policy version in force; names as the ``PolicyVersion`` fields."""

    standard: Decimal  # 低保标准 for the household (urban or rural), yuan per person per month
    minimum_allowance: Decimal  # floor per person per month; 0 = none
    topup_minor: Decimal  # per minor per month
    topup_elderly: Decimal  # per elderly member per month
    topup_severe_disability: Decimal  # per member with a severe disability per month
    minor_age: int  # under this age is a minor (18)
    elderly_age: int  # at or over this age is elderly (60)


@dataclass(frozen=True)
class Step:
    """One line of the computation, as the decision shows it."""

    label: str  # what the line is: "（标准 − 人均收入）× 人数"
    formula: str  # the figures: "(800.00 − 650.00) × 3 = 450.00"
    amount: Decimal

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "formula": self.formula, "amount": str(self.amount)}


@dataclass(frozen=True)
class Allowance:
    """The outcome: the monthly total for the household and how it was reached."""

    eligible: bool  # per-capita income < standard
    monthly_total: Decimal  # yuan per month for the household, to the fen (see the module docstring)
    gap: Decimal  # (standard − per-capita income) × members; 0 when not eligible
    floor_applied: bool
    topups: Decimal  # all top-ups together
    steps: tuple[Step, ...]
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for the decision row: amounts as strings, never floats."""
        return {
            "eligible": self.eligible,
            "monthly_total": str(self.monthly_total),
            "gap": str(self.gap),
            "floor_applied": self.floor_applied,
            "topups": str(self.topups),
            "steps": [s.to_json() for s in self.steps],
            "reasons": list(self.reasons),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Allowance:
        return cls(
            eligible=bool(data["eligible"]),
            monthly_total=Decimal(data["monthly_total"]),
            gap=Decimal(data["gap"]),
            floor_applied=bool(data["floor_applied"]),
            topups=Decimal(data["topups"]),
            steps=tuple(Step(s["label"], s["formula"], Decimal(s["amount"])) for s in data["steps"]),
            reasons=tuple(data["reasons"]),
        )


def _topup(label: str, rate: Decimal, members: list[Member]) -> Step | None:
    """The top-up of one group, or None when the group is empty or the region pays none."""
    amount = money(rate * len(members))
    if amount == ZERO:
        return None
    names = "、".join(m.name for m in members)
    return Step(label, f"{_shown(rate)} × {len(members)}（{names}）= {amount}", amount)


def dibao_allowance(
    *, members: Sequence[Member], per_capita_income: Decimal, settings: Settings
) -> Allowance:
    """The monthly 低保 allowance of a household (rules §1.8): the rules are in the module docstring."""
    size = len(members)
    if size == 0:
        raise ValueError("家庭成员为空，无法计算保障金额")
    s = settings
    standard = _shown(s.standard)
    if per_capita_income >= s.standard:
        reason = f"家庭人均月收入 {_shown(per_capita_income)} 元，不低于低保标准 {standard} 元，无差额可补"
        return Allowance(False, ZERO, ZERO, False, ZERO, (), (reason,))

    reasons: list[str] = []
    income = per_capita_income
    if income < 0:
        reasons.append(f"家庭人均月收入 {_shown(income)} 元为负数，按 0 元计算")
        income = ZERO
    gap = money((s.standard - income) * size)
    steps = [Step("（标准 − 人均收入）× 人数", f"({standard} − {_shown(income)}) × {size} = {gap}", gap)]
    reasons.append(f"家庭人均月收入 {_shown(income)} 元，低于低保标准 {standard} 元")

    base = gap
    floor = money(s.minimum_allowance * size)
    floor_applied = gap < floor
    if floor_applied:
        base = floor
        steps.append(
            Step(
                "差额低于保底金额，按保底金额 × 人数",
                f"{_shown(s.minimum_allowance)} × {size} = {floor}（差额 {gap} 元）",
                floor,
            )
        )

    groups = (
        ("未成年人加发", s.topup_minor, [m for m in members if m.age < s.minor_age]),
        ("老年人加发", s.topup_elderly, [m for m in members if m.age >= s.elderly_age]),
        ("重度残疾人加发", s.topup_severe_disability, [m for m in members if m.severe_disability]),
    )
    added = [step for label, rate, group in groups if (step := _topup(label, rate, group))]
    topups = sum((step.amount for step in added), ZERO)
    steps += added

    total = base + topups
    if added:
        parts = " + ".join(str(x) for x in (base, *(step.amount for step in added)))
        steps.append(Step("月保障金合计", f"{parts} = {total}", total))
    return Allowance(True, total, gap, floor_applied, topups, tuple(steps), tuple(reasons))
