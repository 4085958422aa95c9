"""What a family may declare for a report (the items: ``jiuzhu.core.vocab.DeclarableItem``), and what
each amount means. Incomes and expenses are totals over the income reference period (the policy's
``reference_months`` whole months before the month of the check); deposits, securities and insurance
are values on the check date. Always yuan (元)."""

from __future__ import annotations

from jiuzhu.core.vocab import VALUES_ON_DATE

__all__ = [
    "AMOUNT_PATTERN",
    "MAX_AMOUNT_DIGITS",
    "MAX_ITEMS",
    "PERIOD_NOTE",
    "VALUES_ON_DATE",
]

# Sanity bounds of one request (docs/decisions.md): a family declares a few dozen items at most, and no
# amount reaches ten billion yuan (the money columns hold 12 digits, 2 after the point).
MAX_ITEMS = 200
MAX_AMOUNT_DIGITS = 10
AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"

PERIOD_NOTE = (
    "收入与支出项目填收入计算期（核对日期所在月之前的若干个整月，月数见本地政策参数“收入计算期”，"
    "默认 12 个月）内的合计金额；存款、证券、商业保险填核对日的余额或价值。单位：元，最多两位小数。"
)
