"""The monitoring rule set (rules §7.2), as data: each a ``jiuzhu.batch.rules.model.Rule``.

Compiled to SQL by ``jiuzhu.batch.rules.compiler`` for DuckDB and Spark; thresholds come from the policy
in force in the subject's county (``s.*``, settings on ``PolicyVersion``). Changing what a rule does means
a new ``version``: warnings record the version that raised them.
"""

from __future__ import annotations

from jiuzhu.batch.rules.model import Rule

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

RULES: tuple[Rule, ...] = (DEATH, VEHICLE, DUPLICATE_PERSON)
RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
