"""The rule compiler: malformed rules refused when compiled (with the rule and the operand named), the
settings a rule reads, the SQL text for both engines, and each rule kind run on DuckDB over small
hand-made tables with the hits worked out by hand."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from jiuzhu.batch.rules.compiler import RuleError, rule_query, rule_sql, rules_sql, settings_used
from jiuzhu.batch.rules.duck import connect, run_duckdb
from jiuzhu.batch.rules.model import Rule
from jiuzhu.batch.rules.schema import COVERAGE, FEEDS, FIELD_NAMES, HITS, PERSONS, arrow_schema

AS_OF = date(2026, 11, 30)


def rule(**kw: Any) -> Rule:
    base: dict[str, Any] = {
        "code": "r",
        "version": 1,
        "name": "测试",
        "purpose": "warning",
        "population": "all",
        "when": ("eq", 1, 1),
    }
    if not kw.get("feed"):  # a rule without a feed has no f.date nor f.row_key
        base.update(event_date="as_of", evidence_key=())
    return Rule(**{**base, **kw})


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"when": ("eq", "p.no_such", 1)}, "未知字段 p.no_such"),
        ({"when": ("eq", "f.date", "as_of")}, "此处不能引用 f.date"),
        ({"event_date": "f.date"}, "此处不能引用 f.date"),
        ({"evidence_key": ("f.row_key",)}, "此处不能引用 f.row_key"),
        ({"feed": "vehicle", "when": ("eq", "f.grade", ("lit", "1"))}, "数据源 vehicle 没有字段 grade"),
        ({"when": ("eq", "g.relation", ("lit", "head"))}, "此处不能引用 g.relation"),
        ({"when": ("eq", "c.program", ("lit", "dibao"))}, "此处不能引用 c.program"),
        ({"when": ("gt", "s.monitor_income_ratio", 1)}, "政策参数 monitor_income_ratio 未在 settings 中声明"),
        ({"settings": ("monitor_income_ratio",)}, "声明了未使用的政策参数 ['monitor_income_ratio']"),
        ({"when": ("like", "p.relation", ("lit", "x"))}, "未知运算 'like'"),
        ({"when": ("eq", "p.relation")}, "运算 eq 需要 2 个操作数，给了 1 个"),
        ({"when": ("and",)}, "运算 and 需要 至少 1 个操作数，给了 0 个"),
        ({"when": ("if", ("eq", 1, 1), 1)}, "运算 if 需要 3 个操作数"),
        ({"when": ("in", "p.relation", ())}, "in 的第二个操作数应为非空列表"),
        ({"when": ("eq", "p.birth_date", ("date", "2026-02-30"))}, "日期 '2026-02-30' 不是 YYYY-MM-DD"),
        ({"when": ("eq", "relation", 1)}, "无法识别的操作数 'relation'"),
        ({"when": ()}, "无法识别的表达式 ()"),
        ({"when": ("eq", "m.total", 1)}, "此处不能引用 m.total"),
        ({"kind": "aggregate", "feed": "tax"}, "汇总规则需要 feed、measures 与 having"),
        (
            {
                "kind": "aggregate",
                "feed": "tax",
                "measures": (("t", "avg", "f.amount"),),
                "having": ("gt", "m.t", 1),
            },
            "未知汇总 avg",
        ),
        ({"kind": "duplicate", "key": "id_number"}, "重复享受规则的 key/across 不受支持"),
        ({"kind": "other"}, "未知规则类型 other"),
    ],
)
def test_malformed_rules_are_refused_when_compiled(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleError) as raised:
        rule_query(rule(**kw), "duckdb", AS_OF)
    assert str(raised.value).startswith("规则 r：")
    assert message in str(raised.value)


def test_unknown_engine() -> None:
    with pytest.raises(RuleError, match="不支持的引擎 postgres"):
        rule_query(rule(), "postgres", AS_OF)  # type: ignore[arg-type]


def test_settings_used_is_the_sorted_union() -> None:
    rules = [
        rule(settings=("b", "a")),
        rule(settings=("a", "c")),
        rule(),
    ]
    assert settings_used(rules) == ["a", "b", "c"]
    assert settings_used([]) == []


def test_rules_sql_heads_each_rule_and_unions_them() -> None:
    a = rule(code="a", name="甲")
    b = rule(code="b", version=3, name="乙")
    text = rules_sql([a, b], "spark", AS_OF)
    assert text.startswith("-- a v1 甲\nSELECT")
    assert "\nUNION ALL\n-- b v3 乙\nSELECT" in text
    assert text.endswith("\n")
    assert rule_sql(a, "spark", AS_OF) in rules_sql([a], "spark", AS_OF, pretty=False)


def test_as_of_is_a_date_literal_in_the_sql() -> None:
    sql = rule_sql(rule(when=("le", "p.birth_date", "as_of")), "spark", AS_OF)
    assert "CAST('2026-11-30' AS DATE)" in sql


# Hand-made tables -------------------------------------------------------------------------------


def person(pid: int, household: int, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(PERSONS)
    row.update(
        person_id=pid,
        id_number=f"ID{pid}",
        household_id=household,
        relation="head",
        region_code="980101001001",
        township_code="980101001000",
        county_code="980101000000",
        members=1,
        assisted=True,
        programs="dibao",
        standard=Decimal("800.00"),
        income_pc=Decimal("0.00"),
    )
    row.update(kw)
    return row


def feed(key: str, id_number: str, day: date | None, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(FEEDS)
    row.update(feed="vehicle", id_number=id_number, date=day, row_key=key)
    row.update(kw)
    return row


def tables(
    persons: list[dict[str, Any]],
    feeds: Sequence[dict[str, Any]] = (),
    coverage: Sequence[dict[str, Any]] = (),
) -> dict[str, pa.Table]:
    return {
        "persons": pa.Table.from_pylist(persons, schema=arrow_schema(PERSONS)),
        "feeds": pa.Table.from_pylist(list(feeds), schema=arrow_schema(FEEDS)),
        "coverage": pa.Table.from_pylist(list(coverage), schema=arrow_schema(COVERAGE)),
    }


def hits(rules: list[Rule], data: dict[str, pa.Table]) -> list[dict[str, Any]]:
    table = run_duckdb(rules, data, as_of=AS_OF)
    assert table.column_names == list(HITS)
    return table.to_pylist()


def test_match_rule_population_and_evidence() -> None:
    r = rule(
        code="car",
        population="assisted",
        feed="vehicle",
        when=("eq", "f.event", ("lit", "buy")),
        evidence=(("号牌", "f.plate"), ("价格", "f.amount")),
    )
    data = tables(
        [person(1, 10), person(2, 20, assisted=False)],
        [
            feed("v1", "ID1", date(2026, 5, 1), event="buy", plate='京A"1', amount=Decimal("30000.00")),
            feed("v2", "ID1", date(2026, 6, 1), event="sell", plate="京A2"),
            feed("v3", "ID2", date(2026, 6, 1), event="buy", plate="京A3"),
            feed("v4", "ID9", date(2026, 6, 1), event="buy", plate="京A4"),
        ],
    )
    got = hits([r], data)
    assert [(h["person_id"], h["event_date"]) for h in got] == [(1, date(2026, 5, 1))]
    assert json.loads(got[0]["evidence"]) == {"号牌": '京A"1', "价格": "30000.00"}
    assert got[0]["rule"] == "car" and got[0]["version"] == 1 and got[0]["purpose"] == "warning"


def test_match_rule_outside_population() -> None:
    r = rule(
        population="outside", when=("eq", "p.relation", ("lit", "head")), event_date="as_of", evidence_key=()
    )
    got = hits([r], tables([person(1, 10), person(2, 20, assisted=False)]))
    assert [h["person_id"] for h in got] == [2]
    assert got[0]["event_date"] == AS_OF


def test_guardian_rule_raises_the_child() -> None:
    r = rule(
        via="guardian",
        feed="police_death",
        when=("lt", ("age", "p.birth_date", "as_of"), 18),
        evidence=(("监护人", "g.id_number"),),
    )
    data = tables(
        [
            person(1, 10),
            person(2, 10, relation="child", birth_date=date(2008, 12, 1)),  # 17 on 30 November 2026
            person(3, 10, relation="child", birth_date=date(2008, 11, 30)),  # 18 that day
            person(4, 10, relation="spouse"),
        ],
        [feed("d1", "ID1", date(2026, 10, 1), feed="police_death", kind="death")],
    )
    got = hits([r], data)
    assert [(h["person_id"], json.loads(h["evidence"])) for h in got] == [(2, {"监护人": "ID1"})]


def test_aggregate_per_household_raises_the_head_keyed_on_the_newest_month() -> None:
    r = rule(
        kind="aggregate",
        group="household",
        feed="tax",
        population="assisted",
        when=("le", "f.date", "as_of"),
        measures=(("total", "sum", "f.amount"),),
        having=("gt", ("div", "m.total", "p.members"), ("mul", "p.standard", "s.monitor_income_ratio")),
        settings=("monitor_income_ratio",),
        evidence=(("合计", "m.total"),),
    )
    settings = pa.table(
        {
            "county_code": ["980101000000"],
            "monitor_income_ratio": pa.array([Decimal("1.0000")], pa.decimal128(18, 4)),
        }
    )
    data = tables(
        [person(1, 10, members=2), person(2, 10, relation="spouse", members=2), person(3, 30, members=1)],
        [
            # household 10: 900 + 700.02 = 1600.02 over 2 members = 800.01 > 800.00
            feed("t1", "ID1", date(2026, 9, 30), feed="tax", amount=Decimal("900.00")),
            feed("t2", "ID2", date(2026, 10, 31), feed="tax", amount=Decimal("700.02")),
            feed("t3", "ID2", date(2026, 12, 1), feed="tax", amount=Decimal("5000.00")),  # after the run date
            # household 30: exactly the standard, not above it
            feed("t4", "ID3", date(2026, 10, 31), feed="tax", amount=Decimal("800.00")),
        ],
    )
    data["settings"] = settings
    got = hits([r], data)
    assert [(h["person_id"], h["household_id"], h["event_date"]) for h in got] == [
        (1, 10, date(2026, 10, 31))
    ]
    assert json.loads(got[0]["evidence"]) == {"合计": "1600.02"}


def test_aggregate_reads_settings_in_its_condition() -> None:
    r = rule(
        kind="aggregate",
        feed="tax",
        when=("gt", "f.date", ("add_months", "as_of", ("mul", -1, "s.monitor_lookback_months"))),
        measures=(("n", "count", "f.row_key"),),
        having=("ge", "m.n", 1),
        settings=("monitor_lookback_months",),
    )
    settings = pa.table(
        {
            "county_code": ["980101000000"],
            "monitor_lookback_months": pa.array([Decimal("12")], pa.decimal128(18, 4)),
        }
    )
    data = tables(
        [person(1, 10), person(2, 20)],
        [
            feed("a", "ID1", date(2025, 12, 1), feed="tax"),  # inside twelve months
            feed("b", "ID2", date(2025, 11, 30), feed="tax"),  # exactly twelve months back: not after it
        ],
    )
    data["settings"] = settings
    assert [h["person_id"] for h in hits([r], data)] == [1]


def test_duplicate_accounts_key_on_the_set_of_entitlements() -> None:
    r = rule(kind="duplicate", when=None, key="bank_account", across="household_id")
    cover = [
        {"entitlement_id": 7, "person_id": 1, "household_id": 10, "program": "dibao", "bank_account": "A"},
        {"entitlement_id": 12, "person_id": 2, "household_id": 20, "program": "dibao", "bank_account": "A"},
        {"entitlement_id": 13, "person_id": 3, "household_id": 30, "program": "dibao", "bank_account": "B"},
        {"entitlement_id": 14, "person_id": 4, "household_id": 40, "program": "dibao", "bank_account": ""},
        {"entitlement_id": 15, "person_id": 5, "household_id": 50, "program": "dibao", "bank_account": ""},
    ]
    data = tables([person(i, i * 10) for i in (1, 2, 3, 4, 5)], coverage=cover)
    got = hits([r], data)
    assert sorted(h["person_id"] for h in got) == [1, 2]
    assert {json.loads(h["evidence"])["涉及在保记录"] for h in got} == {"12,7"}  # sorted as text


def test_duplicate_programs_only_the_incompatible_pairs() -> None:
    r = rule(kind="duplicate", when=None, key="person_id", across="program", programs=(("dibao", "tekun"),))
    cover = [
        {"entitlement_id": 1, "person_id": 1, "household_id": 10, "program": "dibao"},
        {"entitlement_id": 2, "person_id": 1, "household_id": 10, "program": "tekun"},
        {"entitlement_id": 3, "person_id": 2, "household_id": 20, "program": "dibao"},
        {"entitlement_id": 4, "person_id": 2, "household_id": 20, "program": "children"},
    ]
    got = hits([r], tables([person(1, 10), person(2, 20)], coverage=cover))
    assert [h["person_id"] for h in got] == [1]


def test_window_rule_sees_the_previous_kind_and_the_newest_row() -> None:
    r = rule(
        feed="education",
        window=True,
        when=("and", ("eq", "f.recency", 1), ("ne", ("coalesce", "f.prev_kind", ("lit", "")), "f.kind")),
        evidence=(("原", "f.prev_kind"), ("新", "f.kind")),
    )
    data = tables(
        [person(1, 10), person(2, 20)],
        [
            feed("e1", "ID1", date(2026, 3, 1), feed="education", kind="enrolled"),
            feed("e2", "ID1", date(2026, 9, 1), feed="education", kind="dropped"),
            feed("e3", "ID2", date(2026, 3, 1), feed="education", kind="enrolled"),
            feed("e4", "ID2", date(2026, 9, 1), feed="education", kind="enrolled"),
        ],
    )
    got = hits([r], data)
    assert [(h["person_id"], json.loads(h["evidence"])) for h in got] == [
        (1, {"原": "enrolled", "新": "dropped"})
    ]


def test_one_fact_through_two_paths_is_one_hit() -> None:
    """Two settings rows for one county double every joined row; the hit is kept once."""
    r = rule(feed="vehicle", when=("gt", "f.amount", "s.limit"), settings=("limit",))
    settings = pa.table(
        {
            "county_code": ["980101000000", "980101000000"],
            "limit": pa.array([Decimal("1"), Decimal("2")], pa.decimal128(18, 4)),
        }
    )
    data = tables([person(1, 10)], [feed("v", "ID1", date(2026, 1, 1), amount=Decimal("5.00"))])
    data["settings"] = settings
    assert len(hits([r], data)) == 1
    con = connect(data, [r])
    assert len(con.sql(rules_sql([r], "duckdb", AS_OF, dedup=False)).fetchall()) == 2
    assert len(con.sql(rules_sql([r], "duckdb", AS_OF)).fetchall()) == 1


def test_missing_tables_are_empty() -> None:
    r = rule(feed="vehicle", when=("gt", "f.amount", "s.limit"), settings=("limit",))
    assert run_duckdb([r], {}, as_of=AS_OF).num_rows == 0
    assert run_duckdb([], {}, as_of=AS_OF).column_names == list(HITS)


def test_every_field_of_the_feeds_table_is_text() -> None:
    assert all(FEEDS[name] == "VARCHAR" for name in FIELD_NAMES)
