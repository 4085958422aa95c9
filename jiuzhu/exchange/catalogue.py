"""The feed catalogue: one declared schema per departmental feed.

Every feed row lands in the one staging table (``FeedRecord``) with a few typed columns the engines
query — ID number, a date, an amount, a kind — and the rest in ``data``. Which column fills which slot
is declared here, so adding a feed is adding a declaration, not a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jiuzhu.core.vocab import BusinessKind, IncomeCategory, PensionType, VehicleType


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str  # id | date | month | decimal | int | str | choice | region
    required: bool = True
    choices: tuple[str, ...] = ()
    # Which staging slot the value fills: "date", "amount", "kind", or "" for the JSON payload only.
    slot: str = ""
    # How many calendar years after today a date may lie. 0 for facts that cannot be in the future
    # (a birth, a death, a payment made, a registration done); more for dates the world plans ahead (the
    # end of a sentence, of a benefit). A refused date quarantines the whole row, so a column that may
    # legitimately be in the future must say so here, or the fact is lost.
    future_years: int = 0

    def latest(self, today: date) -> date:
        """The last date this column accepts."""
        return today if not self.future_years else date(today.year + self.future_years, 12, 31)


@dataclass(frozen=True)
class Feed:
    code: str
    name: str
    department: str
    columns: tuple[Column, ...]
    # Columns that identify a fact; a row with the same key in a later file is the same fact.
    key: tuple[str, ...]
    # Bank, securities and insurance data may only be read for people who signed an authorisation.
    requires_authorisation: bool = False
    column_map: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_map", {c.name: c for c in self.columns})


ID = Column("id_number", "身份证号码", "id")


def _feeds() -> list[Feed]:
    return [
        Feed(
            "police_hukou",
            "户籍信息",
            "公安",
            (
                ID,
                Column("name", "姓名", "str"),
                Column("hukou_region", "户籍地区划代码", "region"),
                # The 户号 is the kind slot: "who else is on this 户口簿" is one indexed lookup.
                Column("household_no", "户号", "str", slot="kind"),
                Column(
                    "relation",
                    "与户主关系",
                    "choice",
                    choices=(
                        "head",
                        "spouse",
                        "child",
                        "child_in_law",
                        "grandchild",
                        "parent",
                        "parent_in_law",
                        "grandparent",
                        "sibling",
                        "other",
                    ),
                ),
                Column("as_of", "数据日期", "date", slot="date"),
                # 户籍注销 (death, emigration, a duplicate registration removed); blank is normal.
                Column("status", "户籍状态", "choice", required=False, choices=("normal", "cancelled")),
            ),
            key=("id_number", "as_of"),
        ),
        Feed(
            "police_death",
            "死亡及火化信息",
            "公安/殡葬",
            (
                ID,
                Column("death_date", "死亡日期", "date", slot="date"),
                Column("source", "来源", "choice", choices=("death", "cremation"), slot="kind"),
            ),
            key=("id_number", "source"),
        ),
        Feed(
            "hrss_wage",
            "工资收入",
            "人社",
            (
                ID,
                Column("month", "月份", "month", slot="date"),
                Column("employer", "单位", "str", required=False),
                Column("amount", "应发工资（元）", "decimal", slot="amount"),
            ),
            key=("id_number", "month", "employer"),
        ),
        Feed(
            "hrss_contribution",
            "社会保险缴费",
            "人社",
            (
                ID,
                Column("month", "月份", "month", slot="date"),
                Column(
                    "insurance", "险种", "choice", choices=("pension", "medical", "unemployment"), slot="kind"
                ),
                Column("amount", "个人缴费（元）", "decimal", slot="amount"),
            ),
            key=("id_number", "month", "insurance"),
        ),
        Feed(
            "hrss_pension",
            "养老金领取",
            "人社",
            (
                ID,
                Column("month", "月份", "month", slot="date"),
                Column(
                    "pension_type",
                    "养老金类型",
                    "choice",
                    choices=PensionType.codes(),
                    slot="kind",
                ),
                Column("amount", "金额（元）", "decimal", slot="amount"),
            ),
            key=("id_number", "month", "pension_type"),
        ),
        Feed(
            "hrss_unemployment",
            "失业登记",
            "人社",
            (
                ID,
                Column("registered_on", "登记日期", "date", slot="date"),
                # The planned end of the benefit (at most 24 months after it starts).
                Column("ended_on", "终止日期", "date", required=False, future_years=3),
                Column("benefit_monthly", "失业保险金（元/月）", "decimal", required=False, slot="amount"),
            ),
            key=("id_number", "registered_on"),
        ),
        Feed(
            "medical_bill",
            "医疗费用结算",
            "医保",
            (
                ID,
                Column("settled_on", "结算日期", "date", slot="date"),
                Column("bill_no", "结算单号", "str"),
                Column("total", "总费用（元）", "decimal"),
                Column("out_of_pocket", "个人自付（元）", "decimal", slot="amount"),
            ),
            key=("bill_no",),
        ),
        Feed(
            "disability",
            "残疾人证",
            "残联",
            (
                ID,
                Column(
                    "category",
                    "残疾类别",
                    "choice",
                    choices=("visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple"),
                    slot="kind",
                ),
                Column("grade", "残疾等级", "int"),
                Column("issued_on", "发证日期", "date", slot="date"),
            ),
            key=("id_number", "issued_on"),
        ),
        Feed(
            "real_estate",
            "不动产登记",
            "自然资源",
            (
                ID,
                Column("unit_no", "不动产单元号", "str"),
                Column("use", "用途", "choice", choices=("residential", "non_residential"), slot="kind"),
                Column("area", "面积（平方米）", "decimal", required=False),
                Column("event", "事项", "choice", choices=("hold", "buy", "sell")),
                Column("event_date", "登记日期", "date", slot="date"),
                Column("value", "价格（元）", "decimal", required=False, slot="amount"),
            ),
            key=("unit_no", "event", "event_date"),
        ),
        Feed(
            "vehicle",
            "机动车登记",
            "公安交管",
            (
                ID,
                Column("plate", "号牌", "str"),
                Column(
                    "vehicle_type",
                    "车型",
                    "choice",
                    choices=VehicleType.codes(),
                    slot="kind",
                ),
                Column("event", "事项", "choice", choices=("hold", "buy", "sell")),
                Column("event_date", "登记日期", "date", slot="date"),
                Column("value", "价格（元）", "decimal", required=False, slot="amount"),
            ),
            key=("plate", "event", "event_date"),
        ),
        Feed(
            "business",
            "市场主体登记",
            "市场监管",
            (
                ID,
                Column("reg_no", "统一社会信用代码", "str"),
                Column("kind", "类型", "choice", choices=BusinessKind.codes(), slot="kind"),
                Column("status", "状态", "choice", choices=("active", "cancelled")),
                Column("registered_on", "登记日期", "date", slot="date"),
                Column("capital", "注册资本（元）", "decimal", required=False, slot="amount"),
            ),
            key=("reg_no", "id_number", "status"),
        ),
        Feed(
            "housing_fund",
            "住房公积金",
            "公积金中心",
            (
                ID,
                Column("month", "月份", "month", slot="date"),
                Column("deposit", "月缴存额（元）", "decimal", slot="amount"),
                Column("balance", "余额（元）", "decimal", required=False),
            ),
            key=("id_number", "month"),
        ),
        Feed(
            "tax",
            "个人所得税",
            "税务",
            (
                ID,
                Column("month", "所属月份", "month", slot="date"),
                Column(
                    "income_type",
                    "所得项目",
                    "choice",
                    # The income categories of the means test, and anything else the tax office reports.
                    choices=(
                        IncomeCategory.WAGES.value,
                        IncomeCategory.BUSINESS.value,
                        IncomeCategory.PROPERTY.value,
                        "other",
                    ),
                    slot="kind",
                ),
                Column("income", "收入额（元）", "decimal", slot="amount"),
                Column("tax", "税额（元）", "decimal"),
            ),
            key=("id_number", "month", "income_type"),
        ),
        Feed(
            "bank",
            "银行存款",
            "银行业金融机构",
            (
                ID,
                Column("institution", "机构", "str"),
                Column("as_of", "查询日期", "date", slot="date"),
                Column("balance", "余额（元）", "decimal", slot="amount"),
                Column("interest_year", "年利息（元）", "decimal", required=False),
            ),
            key=("id_number", "institution", "as_of"),
            requires_authorisation=True,
        ),
        Feed(
            "securities",
            "证券资产",
            "证券登记结算",
            (
                ID,
                Column("as_of", "查询日期", "date", slot="date"),
                Column("market_value", "市值（元）", "decimal", slot="amount"),
            ),
            key=("id_number", "as_of"),
            requires_authorisation=True,
        ),
        Feed(
            "insurance",
            "商业保险",
            "保险机构",
            (
                ID,
                Column("policy_no", "保单号", "str"),
                Column("as_of", "查询日期", "date", slot="date"),
                Column("cash_value", "现金价值（元）", "decimal", slot="amount"),
            ),
            key=("policy_no", "as_of"),
            requires_authorisation=True,
        ),
        Feed(
            "education",
            "学籍信息",
            "教育",
            (
                ID,
                Column(
                    "status", "学籍状态", "choice", choices=("enrolled", "graduated", "dropped"), slot="kind"
                ),
                Column(
                    "level",
                    "学段",
                    "choice",
                    choices=(
                        "primary",
                        "junior",
                        "senior",
                        "vocational",
                        "college",
                        "bachelor",
                        "postgraduate",
                    ),
                ),
                Column("school", "学校", "str", required=False),
                Column("as_of", "数据日期", "date", slot="date"),
            ),
            key=("id_number", "as_of"),
        ),
        Feed(
            "justice",
            "服刑及强制隔离戒毒",
            "司法",
            (
                ID,
                Column("kind", "类型", "choice", choices=("prison", "compulsory_rehab"), slot="kind"),
                Column("start_date", "开始日期", "date", slot="date"),
                # The release date of a sentence or a rehabilitation order, usually still ahead.
                Column("end_date", "结束日期", "date", required=False, future_years=30),
            ),
            key=("id_number", "kind", "start_date"),
        ),
        Feed(
            "residence",
            "居住登记",
            "公安",
            (
                ID,
                # Where the person lives now, anywhere in the country: text, not checked against the
                # region table, which holds only this platform's own divisions.
                Column("region", "居住地区划代码", "str"),
                Column("since", "居住起始日期", "date", slot="date"),
                Column(
                    "kind",
                    "登记类型",
                    "choice",
                    choices=("residence_permit", "residence_registration"),
                    slot="kind",
                ),
            ),
            key=("id_number", "region", "since"),
        ),
    ]


FEEDS: dict[str, Feed] = {f.code: f for f in _feeds()}
