"""临时救助 (temporary assistance, rules §5): whether a one-off grant may be made, how much, and who
approves it, step by step for the decision. Pure: the standard library and ``jiuzhu.core.vocab``.

Every figure is a multiple of the monthly 低保 standard (``Settings.standard``: the urban one, or the
household's where the region says so), from the policy version in force:

- **支出型 (expense)**: ``standard × people helped × months of hardship``, the months at most
  ``expense_months_max`` (more asked are counted as the maximum, with a line saying so); not more than
  the expense itself where one is given (a grant does not exceed what it answers).
- **急难型 (emergency)**: the amount asked, but never less than ``emergency_floor_months × standard``
  (the floor, rules §5: ≥ 2 × the standard): nothing (or 0) asked gives the floor, and less than the
  floor asked is raised to it with a line saying so. The caps below still cut it.
- **Caps**: up to ``township_cap_months × standard`` the township approves (county mandate); up to
  ``cap_months × standard`` the county; above it only the county case by case (一事一议), up to
  ``county_cap_months × standard``. Above the general cap without the county's 一事一议 approval the grant
  is cut to the general cap; above the county cap it is cut to the county cap. Who must approve
  (``approval``) is read from the amount *before* any cut, so that a case asking more than the general
  cap goes to the county's 一事一议 even while it has not been approved yet.
- **Once per cause**: the same person's grants for the same cause in the calendar year of the decision
  (``past``: earlier grants, each with its date and cause) may not exceed ``times_per_cause``; one
  more is refused unless the county allowed it (``county_exception``). A grant on 31 December counts in
  its own year only: a grant for the same cause on 1 January of the next year is a new year's first.
- **先行救助 (prior aid)**: what the township paid at once (``prior_aid``) is part of the grant, not on
  top of it: the decision ratifies it and pays only the rest (``top_up``), never less than 0.
- **Rounding**: every amount to the fen (0.01 yuan, half up).

An emergency with no standard (0) or a negative figure is a programming error: ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jiuzhu.core.vocab import TEMPORARY_CAUSES, TemporaryApproval, TemporaryCause, TemporaryKind

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _shown(value: Decimal) -> str:
    """A multiplier or an amount as printed: without trailing zeros of the setting (3, 2.5, 800.00)."""
    text = format(value.normalize(), "f")
    return text


@dataclass(frozen=True)
class Settings:
    """The policy version's figures (names as the ``PolicyVersion`` fields, less the prefix)."""

    standard: Decimal  # the monthly 低保 standard the caps are multiples of
    township_cap_months: Decimal
    cap_months: Decimal
    county_cap_months: Decimal
    emergency_floor_months: Decimal
    expense_months_max: int
    times_per_cause: int


@dataclass(frozen=True)
class PastGrant:
    """An earlier 临时救助 grant to the same person."""

    granted_on: date
    cause: str


@dataclass(frozen=True)
class Request:
    kind: str  # TemporaryKind
    cause: str  # TemporaryCause
    on: date  # the day of the decision (its calendar year counts)
    amount_asked: Decimal | None = None
    expense_amount: Decimal | None = None  # 支出型: the expense borne (after insurance and other aid)
    people: int = 1
    months: int = 1
    county_exception: bool = False  # the county allows one more grant for the same cause this year
    county_special: bool = False  # the county approved an amount above the general cap (一事一议)
    prior_aid: Decimal = ZERO  # paid at once by the township (先行救助), ratified by this decision
    past: tuple[PastGrant, ...] = ()


@dataclass(frozen=True)
class Step:
    label: str
    formula: str
    amount: Decimal

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "formula": self.formula, "amount": str(self.amount)}


@dataclass(frozen=True)
class Grant:
    eligible: bool
    amount: Decimal  # the whole grant (0 when not eligible)
    top_up: Decimal  # what remains to pay after the prior aid (the entitlement's amount)
    approval: str  # TemporaryApproval: who must approve the amount
    township_cap: Decimal
    cap: Decimal
    county_cap: Decimal
    times_this_year: int  # earlier grants for the same cause in the decision's calendar year
    steps: tuple[Step, ...]
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "amount": str(self.amount),
            "top_up": str(self.top_up),
            "approval": self.approval,
            "township_cap": str(self.township_cap),
            "cap": str(self.cap),
            "county_cap": str(self.county_cap),
            "times_this_year": self.times_this_year,
            "steps": [s.to_json() for s in self.steps],
            "reasons": list(self.reasons),
        }


def caps(settings: Settings) -> tuple[Decimal, Decimal, Decimal]:
    """(township cap, general cap, county cap) in yuan."""
    s = settings
    return (
        money(s.standard * s.township_cap_months),
        money(s.standard * s.cap_months),
        money(s.standard * s.county_cap_months),
    )


def approval_for(amount: Decimal, settings: Settings) -> str:
    """Who must approve ``amount`` (rules §5): the township up to its cap (inclusive), the county up to
    the general cap (inclusive), above it the county's 一事一议."""
    township, cap, _county = caps(settings)
    if amount <= township:
        return TemporaryApproval.TOWNSHIP
    if amount <= cap:
        return TemporaryApproval.COUNTY
    return TemporaryApproval.COUNTY_SPECIAL


def same_cause_this_year(past: Sequence[PastGrant], *, cause: str, on: date) -> int:
    """Earlier grants for ``cause`` in the calendar year of ``on``."""
    return sum(1 for g in past if g.cause == cause and g.granted_on.year == on.year)


def temporary_grant(*, request: Request, settings: Settings) -> Grant:
    """The grant of one 临时救助 request (rules in the module docstring)."""
    r, s = request, settings
    if s.standard <= 0:
        raise ValueError("低保标准须大于 0")
    if r.kind not in TemporaryKind.codes():
        raise ValueError(f"未知的临时救助类型：{r.kind}")
    if r.cause not in TEMPORARY_CAUSES[r.kind]:
        raise ValueError(f"事由“{TemporaryCause.label_of(r.cause)}”不属于{TemporaryKind.label_of(r.kind)}")
    township_cap, cap, county_cap = caps(s)
    std = _shown(s.standard)
    steps: list[Step] = []
    reasons: list[str] = []

    if r.kind == TemporaryKind.EXPENSE:
        if r.people < 1 or r.months < 1:
            raise ValueError("支出型临时救助的救助人数和困难月数须至少为 1")
        months = min(r.months, s.expense_months_max)
        base = money(s.standard * r.people * months)
        label = "低保标准 × 救助人数 × 困难月数"
        note = f"（申请 {r.months} 个月，最多计 {s.expense_months_max} 个月）" if r.months > months else ""
        steps.append(Step(label, f"{std} × {r.people} × {months} = {base}{note}", base))
        if r.expense_amount is not None and Decimal(0) < r.expense_amount < base:
            base = money(r.expense_amount)
            steps.append(Step("不超过自付支出", f"自付支出 {base} 元", base))
    else:
        floor = money(s.standard * s.emergency_floor_months)
        if r.amount_asked is not None and r.amount_asked > 0:
            base = money(r.amount_asked)
            steps.append(Step("申请救助金额", f"{base}", base))
            if base < floor:
                formula = f"{std} × {_shown(s.emergency_floor_months)} = {floor}（申请 {base} 元）"
                base = floor
                steps.append(Step("不低于急难型最低救助额", formula, floor))
        else:
            base = floor
            steps.append(
                Step("急难型最低救助额", f"{std} × {_shown(s.emergency_floor_months)} = {floor}", floor)
            )

    approval = approval_for(base, s)
    amount = base
    if amount > county_cap:
        amount = county_cap
        formula = f"{std} × {_shown(s.county_cap_months)} = {county_cap}（申请 {base} 元）"
        steps.append(Step("超过县级一事一议最高限额，按最高限额", formula, amount))
    if amount > cap and not r.county_special:
        amount = cap
        formula = f"{std} × {_shown(s.cap_months)} = {cap}（超出部分须县级一事一议批准）"
        steps.append(Step("超过一般上限，按一般上限", formula, amount))

    times = same_cause_this_year(r.past, cause=r.cause, on=r.on)
    if times + 1 > s.times_per_cause:
        label = TemporaryCause.label_of(r.cause)
        said = f"{r.on.year} 年已因“{label}”获临时救助 {times} 次（每年不超过 {s.times_per_cause} 次）"
        if not r.county_exception:
            reasons.append(said + "，县级未批准例外")
            return Grant(
                False,
                ZERO,
                ZERO,
                approval,
                township_cap,
                cap,
                county_cap,
                times,
                tuple(steps),
                tuple(reasons),
            )
        reasons.append(said + "，经县级批准例外")

    top_up = amount
    if r.prior_aid > 0:
        top_up = max(ZERO, money(amount - r.prior_aid))
        formula = f"{amount} − {money(r.prior_aid)} = {top_up}"
        steps.append(Step("已先行救助，本次补发", formula, top_up))
    kind, cause = TemporaryKind.label_of(r.kind), TemporaryCause.label_of(r.cause)
    reasons.append(f"{kind}临时救助（{cause}），救助金额 {amount} 元")
    return Grant(
        True, amount, top_up, approval, township_cap, cap, county_cap, times, tuple(steps), tuple(reasons)
    )
