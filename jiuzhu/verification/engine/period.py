from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


@dataclass(frozen=True)
class Period:
    """The reference period: the ``months`` whole calendar months before the month of ``as_of``."""

    start: date  # inclusive
    end: date  # exclusive
    months: int

    @classmethod
    def before(cls, as_of: date, months: int) -> Period:
        end = as_of.replace(day=1)
        return cls(_add_months(end, -months), end, months)

    def contains(self, d: date | None) -> bool:
        return d is not None and self.start <= d < self.end

    def months_overlapping(self, start: date, end: date | None) -> int:
        """Whole months of this period touched by [start, end] (end None = still open)."""
        first = max(self.start, start.replace(day=1))
        last_excl = self.end if end is None else min(self.end, _add_months(end.replace(day=1), 1))
        if last_excl <= first:
            return 0
        return (last_excl.year - first.year) * 12 + last_excl.month - first.month

    @property
    def label(self) -> str:
        last = _add_months(self.end, -1)
        return f"{self.start:%Y-%m}至{last:%Y-%m}"
