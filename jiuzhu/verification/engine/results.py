from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class Line:
    """One income, deduction or asset line of the report."""

    person_id: int | None
    name: str
    category: str  # an IncomeCategory or AssetCategory code (jiuzhu.core.vocab)
    label: str
    source: str  # feed code or "declared"
    period: str
    amount: Decimal
    used: bool = True
    note: str = ""


@dataclass
class Verdict:
    program: str  # a Program code (jiuzhu.core.vocab)
    label: str
    outcome: str  # yes | no | review
    reasons: list[str] = field(default_factory=list)


@dataclass
class MeansResult:
    size: int
    months: int
    period: str
    lines: list[Line]
    totals: dict[str, Decimal]
    per_capita_monthly_income: Decimal
    financial_assets: Decimal
    per_capita_financial_assets: Decimal
    holdings: dict[str, int]
    vetoes: list[str]
    verdicts: list[Verdict]
    rigid_expense_ratio: Decimal | None
    rigid_expense_period: str = ""  # the window of the ratio (刚性支出困难家庭)

    def to_json(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            if isinstance(v, Decimal | str):
                return str(v)  # a vocabulary member as its plain code
            if isinstance(v, dict):
                return {k: plain(x) for k, x in v.items()}
            if isinstance(v, list):
                return [plain(x) for x in v]
            return v

        return plain(asdict(self))
