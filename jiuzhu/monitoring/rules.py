"""The monitoring rule set (rules §7.2), as data: each a ``jiuzhu.batch.rules.model.Rule``.

Compiled to SQL by ``jiuzhu.batch.rules.compiler`` for DuckDB and Spark; thresholds come from the policy
in force in the subject's county (``s.*``, settings on ``PolicyVersion``). Changing what a rule does means
a new ``version``: warnings record the version that raised them. The catalogue, with each rule's feed,
threshold, dispatch and source, is docs/monitoring-rules.md.

Three purposes: a ``warning`` on an assisted household (verify and act), a ``lead`` on a household outside
the program that fits (应保尽保), a ``review`` of an assisted one (应退尽退). Rules marked
``holds_payment`` stop the person's payroll line in the pre-payment comparison (月比对) until verified.
"""

from __future__ import annotations

from jiuzhu.batch.rules.model import Expr, Rule

# Facts registered in the lookback window: on or before the run date and after the date
# ``monitor_lookback_months`` months before it (an older registration no longer raises anything).
RECENT: Expr = (
    "and",
    ("le", "f.date", "as_of"),
    ("gt", "f.date", ("add_months", "as_of", ("mul", -1, "s.monitor_lookback_months"))),
)

# In custody on the run date: started on or before it, not yet released (no end, or an end after it).
IN_CUSTODY: Expr = (
    "and",
    ("le", "f.date", "as_of"),
    ("or", ("null", "f.end_date"), ("gt", ("date_of", "f.end_date"), "as_of")),
)

# The household's monthly per-capita income is low: under the 低保 standard times the lead ratio (no
# income known counts as none).
LOW_INCOME: Expr = (
    "lt",
    ("coalesce", "p.income_pc", 0),
    ("mul", "p.standard", "s.monitor_lead_income_ratio"),
)

# A child (under 18 on the run date) not already supported as 事实无人抚养儿童 or 特困.
CHILD_NOT_SUPPORTED: Expr = (
    "and",
    ("lt", ("age", "p.birth_date", "as_of"), 18),
    ("null", "p.death_date"),
    ("not", ("contains", "p.programs", ("lit", "de_facto_orphan"))),
    ("not", ("contains", "p.programs", ("lit", "tekun"))),
)

# Programs a person may not hold together (benefits/engine/compat.py, the rules for the same person).
# The household rules there (低保边缘/刚性支出 beside 低保) are left to the grant-time check: a member's
# 单人保 grant of 低保 inside a 低保边缘 household is lawful and coverage rows cannot tell it apart.
INCOMPATIBLE_PROGRAMS: tuple[tuple[str, str], ...] = (
    ("tekun", "dibao"),
    ("disability_living", "tekun"),
    ("child_in_difficulty", "de_facto_orphan"),
    ("de_facto_orphan", "tekun"),
)

DEATH = Rule(
    code="death",
    version=1,
    name="死亡、火化",
    purpose="warning",
    population="assisted",
    feed="police_death",
    when=("le", "f.date", "as_of"),
    evidence=(("死亡日期", "f.date"), ("信息来源", "f.kind")),
    severity="high",
    deadline_days=5,
    action="核实后停发救助金，追回死亡后发放的资金",
    outcome="stop",
    holds_payment=True,
    sources="公安、殡葬部门死亡及火化信息（规则 §7.2）",
)

HUKOU_CANCELLED = Rule(
    code="hukou_cancelled",
    version=1,
    name="户籍注销",
    purpose="warning",
    population="assisted",
    feed="police_hukou",
    when=("and", ("eq", "f.status", ("lit", "cancelled")), ("le", "f.date", "as_of")),
    evidence=(("数据日期", "f.date"), ("户籍地", "f.hukou_region"), ("户号", "f.kind")),
    severity="high",
    deadline_days=5,
    action="核实注销原因（死亡、迁出、出国定居等），停发或转移救助关系",
    outcome="stop",
    holds_payment=True,
    sources="公安户籍注销信息（规则 §7.2）",
)

DETAINED = Rule(
    code="detained",
    version=1,
    name="服刑或强制隔离戒毒",
    purpose="warning",
    population="assisted",
    feed="justice",
    when=IN_CUSTODY,
    evidence=(("类型", "f.kind"), ("开始日期", "f.date"), ("结束日期", "f.end_date")),
    severity="high",
    action="核实后将服刑或戒毒人员移出家庭保障人口，重新核定保障金额",
    outcome="adjust",
    holds_payment=True,
    sources="司法、公安服刑及强制隔离戒毒人员信息（规则 §7.2）",
)

VEHICLE = Rule(
    code="vehicle_acquired",
    version=1,
    name="新增机动车（非豁免车型）",
    purpose="warning",
    population="assisted",
    feed="vehicle",
    when=(
        "and",
        ("eq", "f.event", ("lit", "buy")),
        ("not", ("contains", "s.exempt_vehicle_types", "f.vehicle_type")),
        ("le", "f.date", "as_of"),
        ("gt", "f.date", ("add_months", "as_of", ("mul", -1, "s.monitor_lookback_months"))),
    ),
    settings=("exempt_vehicle_types", "monitor_lookback_months"),
    evidence=(("号牌", "f.plate"), ("车型", "f.vehicle_type"), ("价格", "f.amount")),
    severity="high",
    action="入户核实车辆购置情况，重新核对家庭财产",
    outcome="adjust",
    holds_payment=True,
    sources="公安交管机动车登记（规则 §7.2）",
)

PROPERTY = Rule(
    code="property_acquired",
    version=1,
    name="新购不动产",
    purpose="warning",
    population="assisted",
    feed="real_estate",
    when=("and", ("eq", "f.event", ("lit", "buy")), RECENT),
    settings=("monitor_lookback_months",),
    evidence=(("不动产单元号", "f.unit_no"), ("用途", "f.kind"), ("价格", "f.amount")),
    severity="high",
    action="入户核实购房情况及资金来源，重新核对家庭财产",
    outcome="adjust",
    holds_payment=True,
    sources="自然资源（不动产登记）、住建网签信息（规则 §7.2）",
)

BUSINESS = Rule(
    code="business_registered",
    version=1,
    name="新登记市场主体",
    purpose="warning",
    population="assisted",
    feed="business",
    when=("and", ("eq", "f.status", ("lit", "active")), RECENT),
    settings=("monitor_lookback_months",),
    evidence=(("统一社会信用代码", "f.reg_no"), ("类型", "f.kind"), ("注册资本", "f.amount")),
    severity="high",
    action="核实经营情况，重新核对家庭收入和财产",
    outcome="adjust",
    holds_payment=True,
    sources="市场监管部门市场主体登记（规则 §7.2）",
)

MEDICAL = Rule(
    code="medical_expense",
    version=1,
    name="大额医疗自付（在保对象）",
    purpose="warning",
    population="assisted",
    feed="medical_bill",
    when=("and", ("gt", "f.amount", "s.monitor_medical_oop_assisted"), RECENT),
    settings=("monitor_medical_oop_assisted", "monitor_lookback_months"),
    evidence=(("结算单号", "f.bill_no"), ("总费用", "f.total"), ("个人自付", "f.amount")),
    severity="medium",
    deadline_days=5,
    action="告知并协助申请医疗救助、临时救助",
    outcome="assist",
    sources="医保结算数据，在保及监测对象单次自付超过 6000 元预警（规则 §7.2）",
)

MEDICAL_LEAD = Rule(
    code="medical_expense_lead",
    version=1,
    name="大额医疗自付（未在保低收入人员）",
    purpose="lead",
    population="outside",
    feed="medical_bill",
    when=("and", ("gt", "f.amount", "s.monitor_medical_oop_others"), LOW_INCOME, RECENT),
    settings=("monitor_medical_oop_others", "monitor_lead_income_ratio", "monitor_lookback_months"),
    evidence=(
        ("结算单号", "f.bill_no"),
        ("总费用", "f.total"),
        ("个人自付", "f.amount"),
        ("家庭月人均收入", "p.income_pc"),
        ("低保标准", "p.standard"),
    ),
    severity="medium",
    role="village_assistant",
    action="入户了解情况，符合条件的引导申请低保、刚性支出困难认定或临时救助",
    outcome="assist",
    sources="医保结算数据，其他居民单次自付超过 10000 元预警（规则 §7.2）",
)

DISABILITY = Rule(
    code="disability_changed",
    version=1,
    name="新办或变更残疾人证（在保对象）",
    purpose="review",
    population="assisted",
    feed="disability",
    when=RECENT,
    settings=("monitor_lookback_months",),
    evidence=(("残疾类别", "f.kind"), ("残疾等级", "f.grade"), ("发证日期", "f.date")),
    severity="medium",
    action="核查困难残疾人生活补贴、重度残疾人护理补贴资格及单人保条件",
    outcome="assist",
    sources="残联残疾人证信息；残疾人两项补贴（规则 §7.2、§6）",
)

DISABILITY_LEAD = Rule(
    code="disability_lead",
    version=1,
    name="重度残疾且收入低（未在保）",
    purpose="lead",
    population="outside",
    feed="disability",
    # 重度残疾: a certificate of grade one or two.
    when=("and", ("le", ("number", "f.grade"), 2), LOW_INCOME, RECENT),
    settings=("monitor_lead_income_ratio", "monitor_lookback_months"),
    evidence=(
        ("残疾类别", "f.kind"),
        ("残疾等级", "f.grade"),
        ("发证日期", "f.date"),
        ("家庭月人均收入", "p.income_pc"),
        ("低保标准", "p.standard"),
    ),
    severity="medium",
    role="village_assistant",
    action="入户了解情况，引导申请低保（单人保）、两项补贴",
    outcome="assist",
    sources="残联重度残疾人信息；残疾人两项补贴（规则 §7.2、§6）",
)

UNEMPLOYMENT_LEAD = Rule(
    code="unemployment_lead",
    version=1,
    name="低保边缘家庭户主失业登记",
    purpose="lead",
    population="all",
    feed="hrss_unemployment",
    when=(
        "and",
        ("eq", "p.relation", ("lit", "head")),
        ("contains", "p.programs", ("lit", "near_dibao")),
        ("not", ("contains", "p.programs", ("lit", "dibao"))),
        RECENT,
    ),
    settings=("monitor_lookback_months",),
    evidence=(("登记日期", "f.date"), ("失业保险金（月）", "f.amount"), ("终止日期", "f.ended_on")),
    severity="medium",
    role="village_assistant",
    action="重新核对家庭收入，符合条件的引导申请低保、临时救助",
    outcome="assist",
    sources="人社失业登记（规则 §7.2）",
)

UNEMPLOYMENT = Rule(
    code="unemployment_adjust",
    version=1,
    name="在保对象失业登记",
    purpose="warning",
    population="assisted",
    feed="hrss_unemployment",
    when=(
        "and",
        ("or", ("contains", "p.programs", ("lit", "dibao")), ("contains", "p.programs", ("lit", "tekun"))),
        RECENT,
    ),
    settings=("monitor_lookback_months",),
    evidence=(("登记日期", "f.date"), ("失业保险金（月）", "f.amount"), ("终止日期", "f.ended_on")),
    severity="medium",
    action="重新核算家庭收入，调整保障金额；特困人员核实劳动能力",
    outcome="adjust",
    sources="人社失业登记（规则 §7.2）",
)

# Wages (人社) and the taxed incomes other than wages (税务: business, property, other — wages are in the
# wage feed already) of the household's members in the month before the run date, per member.
INCOME_UP = Rule(
    code="income_up",
    version=1,
    name="家庭收入增加",
    purpose="review",
    population="assisted",
    kind="aggregate",
    feed="hrss_wage",
    feeds=("tax",),
    group="household",
    when=(
        "and",
        ("eq", ("month_key", "f.date"), ("month_key", ("add_months", "as_of", -1))),
        ("or", ("eq", "f.feed", ("lit", "hrss_wage")), ("ne", "f.kind", ("lit", "wages"))),
    ),
    measures=(("income", "sum", "f.amount"),),
    having=("gt", ("div", "m.income", "p.members"), ("mul", "p.standard", "s.monitor_income_ratio")),
    settings=("monitor_income_ratio",),
    evidence=(("家庭月收入", "m.income"), ("家庭人数", "p.members"), ("低保标准", "p.standard")),
    severity="medium",
    deadline_days=15,
    action="复核家庭收入，超过标准的按规定减发或停发（应退尽退）",
    outcome="adjust",
    sources="人社工资、税务个人所得税数据（规则 §7.2）",
)

ABSENT = Rule(
    code="absent",
    version=1,
    name="长期离开户籍所在县居住",
    purpose="warning",
    population="assisted",
    feed="residence",
    window=True,
    when=(
        "and",
        ("eq", "f.recency", 1),
        ("ne", ("prefix", "f.region", 6), ("prefix", "p.county_code", 6)),
        ("lt", ("add_months", "f.date", "s.monitor_absence_months"), "as_of"),
    ),
    settings=("monitor_absence_months",),
    evidence=(("居住地", "f.region"), ("居住起始日期", "f.date"), ("登记类型", "f.kind")),
    severity="high",
    action="核实实际居住地，已在外地定居的转移或终止救助关系",
    outcome="stop",
    holds_payment=True,
    sources="公安居住登记；户籍地与经常居住地（规则 §1.2）、跨区域在保唯一性（§10.9）",
)

SCHOOL = Rule(
    code="school_changed",
    version=1,
    name="学籍状态变化",
    purpose="review",
    population="assisted",
    feed="education",
    window=True,
    when=(
        "and",
        ("eq", "f.recency", 1),
        ("notnull", "f.prev_kind"),
        ("ne", "f.prev_kind", "f.kind"),
        RECENT,
    ),
    settings=("monitor_lookback_months",),
    evidence=(
        ("学籍状态", "f.kind"),
        ("原学籍状态", "f.prev_kind"),
        ("学段", "f.level"),
        ("学校", "f.school"),
    ),
    severity="low",
    action="核实在校情况：辍学的落实教育救助，毕业的重新核对就业收入",
    outcome="adjust",
    sources="教育部门学籍信息（规则 §7.2）",
)

GUARDIAN_DIED = Rule(
    code="guardian_died",
    version=2,
    name="儿童监护人死亡",
    purpose="lead",
    population="all",
    feed="police_death",
    via="guardian",
    when=("and", CHILD_NOT_SUPPORTED, RECENT),
    settings=("monitor_lookback_months",),
    # The guardian by relation and record number: a third person's ID number is not shown with a lead.
    evidence=(
        ("监护人关系", "g.relation"),
        ("监护人编号", "g.person_id"),
        ("死亡日期", "f.date"),
        ("信息来源", "f.kind"),
    ),
    evidence_key=("f.row_key", "g.person_id"),
    severity="high",
    deadline_days=5,
    role="village_assistant",
    action="入户核实儿童监护情况，符合条件的认定事实无人抚养儿童或特困",
    outcome="assist",
    sources="公安、殡葬死亡信息与家庭成员关系；事实无人抚养儿童认定（规则 §7.2、§8.1）",
)

GUARDIAN_DETAINED = Rule(
    code="guardian_detained",
    version=2,
    name="儿童监护人服刑或强制隔离戒毒",
    purpose="lead",
    population="all",
    feed="justice",
    via="guardian",
    when=("and", CHILD_NOT_SUPPORTED, IN_CUSTODY),
    evidence=(
        ("监护人关系", "g.relation"),
        ("监护人编号", "g.person_id"),
        ("类型", "f.kind"),
        ("开始日期", "f.date"),
        ("结束日期", "f.end_date"),
    ),
    evidence_key=("f.row_key", "g.person_id"),
    severity="high",
    deadline_days=5,
    role="village_assistant",
    action="入户核实儿童监护情况，符合条件的认定事实无人抚养儿童",
    outcome="assist",
    sources="司法服刑、强制隔离戒毒信息与家庭成员关系；事实无人抚养儿童认定（规则 §7.2、§8.1）",
)

DUPLICATE_PERSON = Rule(
    code="duplicate_household",
    version=1,
    name="同一人在两户家庭重复享受",
    purpose="warning",
    population="assisted",
    kind="duplicate",
    when=None,
    key="person_id",
    across="household_id",
    severity="high",
    action="核实实际共同生活的家庭，停发重复部分",
    outcome="adjust",
    holds_payment=True,
    sources="一人一档、跨户在保校验（规则 §10.9）",
)

DUPLICATE_COUNTY = Rule(
    code="duplicate_county",
    version=1,
    name="同一人在两个县重复享受",
    purpose="warning",
    population="assisted",
    kind="duplicate",
    when=None,
    key="person_id",
    across="county_code",
    severity="high",
    action="与另一县核实实际居住地，保留一地救助，停发并追回重复部分",
    outcome="stop",
    holds_payment=True,
    sources="跨区域在保唯一性校验（规则 §10.9）",
)

DUPLICATE_PROGRAM = Rule(
    code="duplicate_program",
    version=1,
    name="同一人享受互斥救助项目",
    purpose="warning",
    population="assisted",
    kind="duplicate",
    when=None,
    key="person_id",
    across="program",
    programs=INCOMPATIBLE_PROGRAMS,
    severity="high",
    action="核实后保留应享受的项目，停发互斥项目并追回",
    outcome="adjust",
    holds_payment=True,
    sources="救助项目互斥规则（规则 §3、§6、§8.1；benefits/engine/compat.py）",
)

DUPLICATE_ACCOUNT = Rule(
    code="duplicate_account",
    version=1,
    name="同一银行账户用于两户家庭",
    purpose="warning",
    population="assisted",
    kind="duplicate",
    when=None,
    key="bank_account",
    across="household_id",
    severity="high",
    action="核实账户所有人，更正发放账户，防止冒领",
    outcome="adjust",
    holds_payment=True,
    sources="社会救助资金发放账户核查（规则 §10.9）",
)

RULES: tuple[Rule, ...] = (
    DEATH,
    HUKOU_CANCELLED,
    DETAINED,
    VEHICLE,
    PROPERTY,
    BUSINESS,
    MEDICAL,
    MEDICAL_LEAD,
    DISABILITY,
    DISABILITY_LEAD,
    UNEMPLOYMENT_LEAD,
    UNEMPLOYMENT,
    INCOME_UP,
    ABSENT,
    SCHOOL,
    GUARDIAN_DIED,
    GUARDIAN_DETAINED,
    DUPLICATE_PERSON,
    DUPLICATE_COUNTY,
    DUPLICATE_PROGRAM,
    DUPLICATE_ACCOUNT,
)
RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
