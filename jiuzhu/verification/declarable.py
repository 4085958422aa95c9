"""What a family may declare for a report, and what each amount means. Incomes and expenses are totals
over the income reference period (the policy's ``reference_months`` whole months before the month of the
check); deposits, securities and insurance are values on the check date. Always yuan (元)."""

from __future__ import annotations

from enum import StrEnum


class DeclarableItem(StrEnum):
    WAGES = "wages"
    BUSINESS = "business"
    PROPERTY = "property"
    SUPPORT_RECEIVED = "support_received"
    SUPPORT_PAID = "support_paid"
    OTHER_INCOME = "other_income"
    DEPOSITS = "deposits"
    SECURITIES = "securities"
    INSURANCE = "insurance"
    EDUCATION_EXPENSE = "education_expense"
    REHABILITATION_EXPENSE = "rehabilitation_expense"
    VETERAN = "veteran"
    FAMILY_PLANNING = "family_planning"
    SCHOLARSHIP = "scholarship"
    GOOD_SAMARITAN = "good_samaritan"
    SOCIAL_ASSISTANCE = "social_assistance"
    ONE_CHILD = "one_child"


LABELS = {
    DeclarableItem.WAGES: "工资性收入",
    DeclarableItem.BUSINESS: "经营净收入",
    DeclarableItem.PROPERTY: "财产净收入",
    DeclarableItem.SUPPORT_RECEIVED: "收到的赡养/抚养费",
    DeclarableItem.SUPPORT_PAID: "支付的赡养/抚养费",
    DeclarableItem.OTHER_INCOME: "其他收入",
    DeclarableItem.DEPOSITS: "存款",
    DeclarableItem.SECURITIES: "证券",
    DeclarableItem.INSURANCE: "商业保险现金价值",
    DeclarableItem.EDUCATION_EXPENSE: "教育支出",
    DeclarableItem.REHABILITATION_EXPENSE: "残疾康复支出",
    DeclarableItem.VETERAN: "优待抚恤金",
    DeclarableItem.FAMILY_PLANNING: "计划生育奖励扶助金",
    DeclarableItem.SCHOLARSHIP: "奖学金、助学金",
    DeclarableItem.GOOD_SAMARITAN: "见义勇为奖励",
    DeclarableItem.SOCIAL_ASSISTANCE: "社会救助款物",
    DeclarableItem.ONE_CHILD: "独生子女奖励金",
}
# Values on the check date; every other item is a total over the reference period.
VALUES_ON_DATE = frozenset({DeclarableItem.DEPOSITS, DeclarableItem.SECURITIES, DeclarableItem.INSURANCE})

# Sanity bounds of one request (docs/decisions.md): a family declares a few dozen items at most, and no
# amount reaches ten billion yuan (the money columns hold 12 digits, 2 after the point).
MAX_ITEMS = 200
MAX_AMOUNT_DIGITS = 10
AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"

PERIOD_NOTE = (
    "收入与支出项目填收入计算期（核对日期所在月之前的若干个整月，月数见本地政策参数“收入计算期”，"
    "默认 12 个月）内的合计金额；存款、证券、商业保险填核对日的余额或价值。单位：元，最多两位小数。"
)
