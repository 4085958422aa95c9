"""The baseline of the rule-evaluation figure: the monitoring rules written by hand as DuckDB SQL, one
query per rule, over the same four tables (``jiuzhu.batch.rules.schema``) the compiled rules read.

This is what a developer would write for each rule without the rule vocabulary: the feed filtered first,
the person joined on the ID number, the thresholds read from the county's settings row, dates with
DuckDB's own interval arithmetic, evidence with ``json_object``. Each query returns ``schema.HITS``; the
benchmark compares the hit sets (rule, person, event date) with the compiled rules' and the times.

A rule added to ``jiuzhu.monitoring.rules`` without a query here is listed by the benchmark and left out
of the comparison.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa

from jiuzhu.batch.rules.model import Rule

Sql = Callable[[Rule, str], str]  # (rule, as_of literal) -> query


def _head(rule: Rule) -> str:
    return f"SELECT '{rule.code}' AS rule, {rule.version} AS version, '{rule.purpose}' AS purpose, "


def _hit(rule: Rule, evidence: str, *, key: str = "f.row_key", event: str = "f.date", who: str = "p") -> str:
    return (
        _head(rule) + f"{who}.person_id, {who}.household_id, {who}.region_code, {event} AS event_date, "
        f"md5(concat_ws('|', '{rule.code}', {who}.person_id::VARCHAR, {key})) AS evidence_key, "
        f"json_object({evidence})::VARCHAR AS evidence "
    )


def _feed(rule: Rule, feed: str, population: str, where: str, evidence: str) -> str:
    pop = {"assisted": "p.assisted AND ", "outside": "NOT p.assisted AND ", "all": ""}[population]
    return (
        _hit(rule, evidence)
        + f"FROM (SELECT * FROM feeds WHERE feed = '{feed}') f JOIN persons p ON p.id_number = f.id_number "
        "LEFT JOIN settings s ON s.county_code = p.county_code "
        f"WHERE {pop}{where}"
    )


def _recent(a: str) -> str:
    return f"f.date <= {a} AND f.date > {a} - to_months(s.monitor_lookback_months::INT)"


def _custody(a: str) -> str:
    return f"f.date <= {a} AND (f.end_date IS NULL OR f.end_date::DATE > {a})"


def _low_income() -> str:
    return "coalesce(p.income_pc, 0) < p.standard * s.monitor_lead_income_ratio"


def _has(program: str) -> str:
    return f"list_contains(string_split(coalesce(p.programs, ''), ','), '{program}')"


def _death(r: Rule, a: str) -> str:
    return _feed(r, "police_death", "assisted", f"f.date <= {a}", "'死亡日期', f.date, '信息来源', f.kind")


def _hukou(r: Rule, a: str) -> str:
    return _feed(
        r,
        "police_hukou",
        "assisted",
        f"f.status = 'cancelled' AND f.date <= {a}",
        "'注销日期', f.date, '户籍地', f.hukou_region, '户号', f.kind",
    )


def _detained(r: Rule, a: str) -> str:
    return _feed(
        r, "justice", "assisted", _custody(a), "'类型', f.kind, '开始日期', f.date, '结束日期', f.end_date"
    )


def _vehicle(r: Rule, a: str) -> str:
    return _feed(
        r,
        "vehicle",
        "assisted",
        "f.event = 'buy' AND NOT list_contains(string_split(coalesce(s.exempt_vehicle_types, ''), ','), "
        f"f.vehicle_type) AND {_recent(a)}",
        "'号牌', f.plate, '车型', f.vehicle_type, '价格', f.amount",
    )


def _property(r: Rule, a: str) -> str:
    return _feed(
        r,
        "real_estate",
        "assisted",
        f"f.event = 'buy' AND {_recent(a)}",
        "'不动产单元号', f.unit_no, '用途', f.kind, '价格', f.amount",
    )


def _business(r: Rule, a: str) -> str:
    return _feed(
        r,
        "business",
        "assisted",
        f"f.status = 'active' AND {_recent(a)}",
        "'统一社会信用代码', f.reg_no, '类型', f.kind, '注册资本', f.amount",
    )


def _medical(r: Rule, a: str) -> str:
    return _feed(
        r,
        "medical_bill",
        "assisted",
        f"f.amount > s.monitor_medical_oop_assisted AND {_recent(a)}",
        "'结算单号', f.bill_no, '总费用', f.total, '个人自付', f.amount",
    )


def _medical_lead(r: Rule, a: str) -> str:
    return _feed(
        r,
        "medical_bill",
        "outside",
        f"f.amount > s.monitor_medical_oop_others AND {_low_income()} AND {_recent(a)}",
        "'结算单号', f.bill_no, '总费用', f.total, '个人自付', f.amount, "
        "'家庭月人均收入', p.income_pc, '低保标准', p.standard",
    )


def _disability(r: Rule, a: str) -> str:
    return _feed(
        r, "disability", "assisted", _recent(a), "'残疾类别', f.kind, '残疾等级', f.grade, '发证日期', f.date"
    )


def _disability_lead(r: Rule, a: str) -> str:
    return _feed(
        r,
        "disability",
        "outside",
        f"TRY_CAST(f.grade AS DECIMAL(18, 4)) <= 2 AND {_low_income()} AND {_recent(a)}",
        "'残疾类别', f.kind, '残疾等级', f.grade, '发证日期', f.date, "
        "'家庭月人均收入', p.income_pc, '低保标准', p.standard",
    )


def _unemployment_lead(r: Rule, a: str) -> str:
    return _feed(
        r,
        "hrss_unemployment",
        "all",
        f"p.relation = 'head' AND {_has('near_dibao')} AND NOT {_has('dibao')} AND {_recent(a)}",
        "'登记日期', f.date, '失业保险金（月）', f.amount, '终止日期', f.ended_on",
    )


def _unemployment(r: Rule, a: str) -> str:
    return _feed(
        r,
        "hrss_unemployment",
        "assisted",
        f"({_has('dibao')} OR {_has('tekun')}) AND {_recent(a)}",
        "'登记日期', f.date, '失业保险金（月）', f.amount, '终止日期', f.ended_on",
    )


def _income_up(r: Rule, a: str) -> str:
    return (
        _hit(
            r,
            "'家庭月收入', m.income, '家庭人数', p.members, '低保标准', p.standard",
            key="(year(m.last_date) * 100 + month(m.last_date))::VARCHAR",
            event="m.last_date",
        )
        + "FROM (SELECT p.household_id, max(f.date) AS last_date, sum(f.amount) AS income "
        "FROM (SELECT * FROM feeds WHERE feed IN ('hrss_wage', 'tax')) f "
        "JOIN persons p ON p.id_number = f.id_number "
        f"WHERE p.assisted AND date_trunc('month', f.date) = date_trunc('month', {a} - INTERVAL 1 MONTH) "
        "AND (f.feed = 'hrss_wage' OR f.kind <> 'wages') GROUP BY p.household_id) m "
        "JOIN persons p ON p.household_id = m.household_id AND p.relation = 'head' "
        "LEFT JOIN settings s ON s.county_code = p.county_code "
        "WHERE m.income / p.members > p.standard * s.monitor_income_ratio"
    )


def _absent(r: Rule, a: str) -> str:
    return (
        _hit(r, "'居住地', f.region, '居住起始日期', f.date, '登记类型', f.kind")
        + "FROM (SELECT * FROM feeds WHERE feed = 'residence' "
        "QUALIFY row_number() OVER (PARTITION BY id_number ORDER BY date DESC, row_key DESC) = 1) f "
        "JOIN persons p ON p.id_number = f.id_number LEFT JOIN settings s ON s.county_code = p.county_code "
        "WHERE p.assisted AND left(f.region, 6) <> left(p.county_code, 6) "
        f"AND f.date + to_months(s.monitor_absence_months::INT) < {a}"
    )


def _school(r: Rule, a: str) -> str:
    return (
        _hit(r, "'学籍状态', f.kind, '原学籍状态', f.prev_kind, '学段', f.level, '学校', f.school")
        + "FROM (SELECT *, lag(kind) OVER (PARTITION BY id_number ORDER BY date, row_key) AS prev_kind "
        "FROM feeds WHERE feed = 'education' "
        "QUALIFY row_number() OVER (PARTITION BY id_number ORDER BY date DESC, row_key DESC) = 1) f "
        "JOIN persons p ON p.id_number = f.id_number LEFT JOIN settings s ON s.county_code = p.county_code "
        f"WHERE p.assisted AND f.prev_kind IS NOT NULL AND f.prev_kind <> f.kind AND {_recent(a)}"
    )


def _guardian(r: Rule, a: str, feed: str, when: str, evidence: str) -> str:
    return (
        _hit(r, evidence, key="f.row_key, g.person_id::VARCHAR")
        + "FROM persons p JOIN persons g ON g.household_id = p.household_id AND g.person_id <> p.person_id "
        "AND g.relation IN ('head', 'spouse') AND p.relation IN ('child', 'grandchild') "
        f"JOIN (SELECT * FROM feeds WHERE feed = '{feed}') f ON f.id_number = g.id_number "
        "LEFT JOIN settings s ON s.county_code = p.county_code "
        f"WHERE date_sub('year', p.birth_date, {a}) < 18 AND p.death_date IS NULL "
        f"AND NOT {_has('de_facto_orphan')} AND NOT {_has('tekun')} AND {when}"
    )


def _guardian_died(r: Rule, a: str) -> str:
    return _guardian(
        r, a, "police_death", _recent(a), "'监护人', g.id_number, '死亡日期', f.date, '信息来源', f.kind"
    )


def _guardian_detained(r: Rule, a: str) -> str:
    return _guardian(
        r,
        a,
        "justice",
        _custody(a),
        "'监护人', g.id_number, '类型', f.kind, '开始日期', f.date, '结束日期', f.end_date",
    )


def _duplicate(r: Rule, a: str, key: str, having: str) -> str:
    # Two steps, as one would write it by hand: the keys found more than once first (a cheap aggregate),
    # then the lists of entitlements for those few keys only.
    return (
        f"WITH k AS (SELECT {key} AS k FROM coverage WHERE coalesce({key}::VARCHAR, '') <> '' "
        f"GROUP BY {key} HAVING {having}), "
        f"d AS (SELECT c.{key} AS k, string_agg(DISTINCT c.entitlement_id::VARCHAR, ',' ORDER BY "
        f"c.entitlement_id::VARCHAR) AS eids FROM coverage c SEMI JOIN k ON c.{key} = k.k GROUP BY 1) "
        "SELECT DISTINCT "
        + _hit(r, "'涉及在保记录', d.eids", key="d.eids", event=a)[len("SELECT ") :]
        + f"FROM d JOIN coverage c ON c.{key} = d.k "
        "JOIN persons p ON p.person_id = c.person_id AND p.household_id = c.household_id"
    )


def _dup_household(r: Rule, a: str) -> str:
    return _duplicate(r, a, "person_id", "min(household_id) <> max(household_id)")


def _dup_county(r: Rule, a: str) -> str:
    return _duplicate(r, a, "person_id", "min(county_code) <> max(county_code)")


def _dup_account(r: Rule, a: str) -> str:
    return _duplicate(r, a, "bank_account", "min(household_id) <> max(household_id)")


def _dup_program(r: Rule, a: str) -> str:
    pairs = " OR ".join(f"(bool_or(program = '{x}') AND bool_or(program = '{y}'))" for x, y in r.programs)
    return _duplicate(r, a, "person_id", pairs)


HAND: dict[str, Sql] = {
    "death": _death,
    "hukou_cancelled": _hukou,
    "detained": _detained,
    "vehicle_acquired": _vehicle,
    "property_acquired": _property,
    "business_registered": _business,
    "medical_expense": _medical,
    "medical_expense_lead": _medical_lead,
    "disability_changed": _disability,
    "disability_lead": _disability_lead,
    "unemployment_lead": _unemployment_lead,
    "unemployment_adjust": _unemployment,
    "income_up": _income_up,
    "absent": _absent,
    "school_changed": _school,
    "guardian_died": _guardian_died,
    "guardian_detained": _guardian_detained,
    "duplicate_household": _dup_household,
    "duplicate_county": _dup_county,
    "duplicate_program": _dup_program,
    "duplicate_account": _dup_account,
}


def connect(tables: Mapping[str, Any]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    return con


def query(rule: Rule, as_of: date) -> str:
    return HAND[rule.code](rule, f"DATE '{as_of.isoformat()}'")


def run(rules: Sequence[Rule], tables: Mapping[str, Any], *, as_of: date) -> pa.Table:
    """Every rule's hand-written query, the hits concatenated."""
    con = connect(tables)
    parts = [con.sql(query(r, as_of)).to_arrow_table() for r in rules]
    con.close()
    if not parts:
        return pa.table({"rule": pa.array([], pa.string())})
    columns = ("rule", "person_id", "event_date", "evidence_key")
    return pa.concat_tables(
        [p.select(list(columns)).cast(parts[0].select(list(columns)).schema) for p in parts]
    )


def hit_set(table: pa.Table) -> list[tuple[str, int, Any]]:
    cols = [table.column(c).to_pylist() for c in ("rule", "person_id", "event_date")]
    return sorted(zip(*cols, strict=True), key=lambda r: (r[0], r[1], str(r[2])))


def compare_hits(compiled: pa.Table, hand: pa.Table) -> str:
    a, b = hit_set(compiled), hit_set(hand)
    if a == b:
        return f"identical ({len(a):,} hits)"
    per: dict[str, list[int]] = {}
    for r, *_ in a:
        per.setdefault(r, [0, 0])[0] += 1
    for r, *_ in b:
        per.setdefault(r, [0, 0])[1] += 1
    diff = {r: v for r, v in per.items() if v[0] != v[1]}
    return f"DIFFERENT: {len(a):,} against {len(b):,}; per rule where they differ: {diff}"


def per_rule(
    rules: Sequence[Rule], tables: Mapping[str, Any], *, as_of: date
) -> dict[str, tuple[float, float, int]]:
    """Per rule: the compiled query's seconds, the hand-written one's, and the hits (best of two each)."""
    from jiuzhu.batch.rules.duck import run_duckdb

    con = connect(tables)
    out: dict[str, tuple[float, float, int]] = {}
    for r in rules:
        sc = sh = float("inf")
        n = 0
        for _ in range(2):
            t = time.perf_counter()
            run_duckdb([r], tables, as_of=as_of)
            sc = min(sc, time.perf_counter() - t)
            t = time.perf_counter()
            n = con.sql(query(r, as_of)).to_arrow_table().num_rows
            sh = min(sh, time.perf_counter() - t)
        out[r.code] = (sc, sh, n)
    con.close()
    return out
