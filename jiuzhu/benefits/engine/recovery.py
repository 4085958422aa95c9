"""The overpayment to recover (追缴) when a finding shows that income or assets were hidden (rules §1.11:
false statements lead to the recovery of money paid, 追回).

The months recovered are the months the entitlement paid while the concealment lasted: from the
entitlement's first month (or the month the concealment began, when the finding gives it and it is
later) to the month of the finding, both included — the entitlement ends with the finding's month, so
that month is paid (or payable) and recovered alike. Where the entitlement was valid only up to an
earlier month (``last_month``: its validity or its end), the months stop there. Days do not count: a
concealment that began on the 31st of a month counts that whole month, a finding on 29 February counts
February.

- **monthly** entitlements: the amount due is the monthly amount × the months;
- a **one-off** grant (临时救助): the whole grant, when the concealment began no later than the grant's
  month (a concealment that began afterwards did not obtain it);
- an entitlement **without cash** (救助资格 only): nothing to recover.

An amount is rounded to the fen (half up) once, on the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from jiuzhu.core.vocab import PaymentKind

from .review import month_of

FEN = Decimal("0.01")


@dataclass(frozen=True)
class RecoveryStep:
    label: str
    formula: str


@dataclass(frozen=True)
class Recovery:
    """What is due: the months counted (first and last, both included), the monthly amount and the
    total, and each step in words (the notice prints them)."""

    from_month: date
    through_month: date
    months: int
    monthly_amount: Decimal
    amount_due: Decimal
    steps: tuple[RecoveryStep, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "from_month": self.from_month.isoformat(),
            "through_month": self.through_month.isoformat(),
            "months": self.months,
            "monthly_amount": str(self.monthly_amount),
            "amount_due": str(self.amount_due),
            "steps": [{"label": s.label, "formula": s.formula} for s in self.steps],
        }


def months_inclusive(first: date, last: date) -> int:
    """The number of calendar months from ``first``'s month to ``last``'s, both included; 0 when
    ``last`` lies in an earlier month."""
    count = (last.year - first.year) * 12 + (last.month - first.month) + 1
    return max(count, 0)


def _ym(day: date) -> str:
    return f"{day.year}年{day.month}月"


def overpayment(
    *,
    payment: str,
    amount: Decimal,
    start_month: date,
    found_on: date,
    concealed_from: date | None = None,
    last_month: date | None = None,
) -> Recovery:
    """The overpayment of an entitlement of ``amount`` (a month's, or the one-off grant) paid from
    ``start_month``, found on ``found_on`` to have been obtained by concealment since ``concealed_from``
    (default: from the start). ``last_month`` is the last month the entitlement was valid, if earlier
    than the finding's."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    first = month_of(start_month)
    if concealed_from is not None and month_of(concealed_from) > first:
        first = month_of(concealed_from)
    last = month_of(found_on)
    if last_month is not None and month_of(last_month) < last:
        last = month_of(last_month)
    if payment == PaymentKind.NO_CASH:
        steps: tuple[RecoveryStep, ...] = (RecoveryStep("不发放资金", "该救助项目不发放资金，无需追缴"),)
        return Recovery(first, last, 0, amount, Decimal("0.00"), steps)
    if payment == PaymentKind.ONCE:
        obtained = concealed_from is None or month_of(concealed_from) <= month_of(start_month)
        due = amount.quantize(FEN, ROUND_HALF_UP) if obtained else Decimal("0.00")
        grant = month_of(start_month)
        formula = (
            f"{_ym(grant)}一次性发放 {amount.quantize(FEN, ROUND_HALF_UP)} 元，全部追缴"
            if obtained
            else f"隐瞒始于{_ym(concealed_from or grant)}，晚于发放月份，无需追缴"
        )
        return Recovery(
            grant, grant, 1 if obtained else 0, amount, due, (RecoveryStep("一次性救助金", formula),)
        )
    months = months_inclusive(first, last)
    due = (amount * months).quantize(FEN, ROUND_HALF_UP)
    period = f"{_ym(first)}至{_ym(last)}，共 {months} 个月" if months else "认定时尚未发放，无需追缴"
    steps = (
        RecoveryStep("追缴月份", period),
        RecoveryStep("应追缴金额", f"{amount.quantize(FEN, ROUND_HALF_UP)} 元 × {months} 个月 = {due} 元"),
    )
    return Recovery(first, last, months, amount, due, steps)
