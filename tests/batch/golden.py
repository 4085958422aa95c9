"""A small random county for the DuckDB/Spark differential test, seeded and boundary-heavy.

``county(seed, as_of)`` builds the four rule tables as Arrow: households in two counties (and a third with
no settings row), people born on and around the days their age changes (29 February included), deaths,
coverage with the same person, account or person in two households, counties and incompatible programs,
and rows of every feed (the catalogue's plus the ones ``schema.FEED_FIELDS`` names) dated on and around
the month-end boundaries the rules compare with, some undated, with payload text that is malformed,
numeric in odd spellings, or full of quotes, backslashes, newlines and Chinese. Values are drawn from
the catalogue's own choices, so the rule set finds hits in it.

``VOCAB_RULES`` exercises every operator of the rule vocabulary (``model``) at least once, every rule kind
and both ``via`` forms, each written so that some rows of the county match and some do not.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa

from jiuzhu.batch.rules.model import Rule
from jiuzhu.batch.rules.schema import COVERAGE, FEED_FIELDS, FEEDS, FIELD_NAMES, PERSONS, arrow_schema
from jiuzhu.exchange.catalogue import FEEDS as CATALOGUE

COUNTIES = ("980101000000", "980102000000", "980103000000")  # the third has no settings row
PROGRAMS = ("dibao", "tekun", "edge", "children", "disability_living", "disability_care", "temporary")
LIST_SETTINGS = {"exempt_vehicle_types": ("e_bike,motorcycle", "e_bike", "")}
NUMBER_SETTINGS = {
    "monitor_lookback_months": ("12", "6"),
    "monitor_absence_months": ("6", "3"),
    "monitor_medical_oop_assisted": ("6000", "5000.5"),
    "monitor_medical_oop_others": ("10000", "8000"),
    "monitor_income_ratio": ("1.0", "1.2"),
    "monitor_lead_income_ratio": ("1.5", "2"),
}
TRICKY = (
    "京A·12345",
    'say "hi"',
    "back\\slash",
    "line\nbreak\ttab\rcr",
    "bell\x07here",
    "",
    " ",
    "中文，逗号, comma",
    "{json}",
    "a|b",
)
NUMBER_TEXT = (
    "12.345",
    " 99 ",
    "1e3",
    "abc",
    "",
    "-0.005",
    "6000",
    "6000.01",
    "5999.99",
    "NaN",
    "１２",
    ".5",
)
DATE_TEXT = ("2026-1-5", "2026", "2026-02-30", "2026-11-30", "2025-11-30", " 2026-03-01 ", "", "x")


def _dates_around(as_of: date) -> list[date]:
    """The days rules compare with: the run date, month ends, a year back, each ±1 day."""
    out = []
    for anchor in (
        as_of,
        _shift(as_of, -12),
        _shift(as_of, -6),
        _shift(as_of, -3),
        _shift(as_of, -1),
        date(as_of.year, 2, 28),
        date(as_of.year, 3, 1),
    ):
        out += [anchor - timedelta(days=1), anchor, anchor + timedelta(days=1)]
    return out


def _shift(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    last = (date(y + (m + 1) // 12, (m + 1) % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m + 1, min(d.day, last))


def _births(as_of: date) -> list[date]:
    out = []
    for years in (6, 16, 18, 60, 70):
        born = date(as_of.year - years, as_of.month, min(as_of.day, 28))
        out += [born - timedelta(days=1), born, born + timedelta(days=1)]
    out += [date(2008, 2, 29), date(1960, 2, 29), date(2012, 2, 29)]
    return out


def _feed_value(feed: str, name: str, rnd: random.Random, as_of: date) -> str | None:
    column = CATALOGUE[feed].column_map.get(name) if feed in CATALOGUE else None
    roll = rnd.random()
    if roll < 0.06:
        return None
    if column is not None and column.choices:
        return rnd.choice(column.choices) if roll > 0.12 else rnd.choice(("other", ""))
    kind = column.type if column is not None else ""
    if kind in ("date", "month") or name.endswith(("_on", "_date")):
        return rnd.choice(DATE_TEXT) if roll < 0.3 else rnd.choice(_dates_around(as_of)).isoformat()
    if kind in ("decimal", "int") or name in ("total", "grade"):
        if name == "grade":
            return rnd.choice(("1", "2", "3", "4", " 2", "x"))
        return rnd.choice(NUMBER_TEXT)
    if kind == "region" or name == "region":
        return rnd.choice(("980101001001", "980101002001", "980102001001", "980101001"))
    if name == "status":
        return rnd.choice(("normal", "cancelled", "active"))
    return rnd.choice(TRICKY)


def _kinds(feed: str) -> tuple[str, ...]:
    if feed in CATALOGUE:
        for column in CATALOGUE[feed].columns:
            if column.slot == "kind" and column.choices:
                return column.choices
    return {"residence": ("residence_permit", "temporary")}.get(feed, ("a", "b"))


def county(seed: int, as_of: date, households: int = 60) -> dict[str, pa.Table]:
    rnd = random.Random(seed)
    births = _births(as_of)
    persons: list[dict[str, Any]] = []
    coverage: list[dict[str, Any]] = []
    pid = 1000
    eid = 5000
    accounts = [f"62220{n:06d}" for n in range(households)]
    for h in range(1, households + 1):
        county_code = rnd.choice(COUNTIES)
        region = county_code[:6] + rnd.choice(("001001", "001002", "002001"))
        standard = Decimal(rnd.choice(("800.00", "650.50", "1000.00")))
        income = standard * Decimal(rnd.choice(("0", "0.5", "1", "1.5", "2"))) + Decimal(
            rnd.choice(("0", "0.01", "-0.01"))
        )
        members = rnd.randint(1, 4)
        assisted_house = rnd.random() < 0.6
        programs = sorted(rnd.sample(PROGRAMS[:4], rnd.choice((1, 1, 2))))
        account = rnd.choice(accounts) if rnd.random() < 0.9 else None
        for m in range(members):
            pid += 1
            relation = "head" if m == 0 else rnd.choice(("spouse", "child", "grandchild", "other"))
            died = rnd.random() < 0.05
            person = {
                "person_id": pid,
                "id_number": f"98{pid:016d}",
                "birth_date": rnd.choice(births) if rnd.random() > 0.03 else None,
                "death_date": rnd.choice(_dates_around(as_of)) if died else None,
                "household_id": h,
                "relation": relation,
                "region_code": region,
                "township_code": region[:9] + "000",
                "county_code": county_code,
                "urban_rural": rnd.choice(("urban", "rural")),
                "residence_code": region if rnd.random() < 0.7 else rnd.choice(("980102001001", "", None)),
                "disability_grade": rnd.choice((None, None, 1, 2, 3, 4)),
                "in_school": rnd.choice((None, True, False)),
                "employment": rnd.choice((None, "employed", "unemployed", "farming")),
                "members": members,
                "assisted": assisted_house,
                "programs": ",".join(programs) if assisted_house else "",
                "bank_account": account,
                "standard": standard,
                "income_pc": income if rnd.random() > 0.05 else None,
            }
            persons.append(person)
            if assisted_house:
                for program in programs:
                    eid += 1
                    coverage.append(
                        {
                            "entitlement_id": eid,
                            "person_id": pid,
                            "household_id": h,
                            "program": program,
                            "region_code": region,
                            "county_code": county_code,
                            "amount": Decimal(rnd.choice(("850.00", "300.50", "0.01"))),
                            "bank_account": account,
                        }
                    )
    # The same person covered in a second household (and county), incompatible programs on one person.
    for row in rnd.sample(coverage, min(6, len(coverage))):
        eid += 1
        other = rnd.choice(persons)
        coverage.append(
            {
                **row,
                "entitlement_id": eid,
                "household_id": other["household_id"],
                "county_code": other["county_code"],
                "program": rnd.choice(("dibao", "tekun")),
            }
        )
    persons_by_id = {p["person_id"]: p for p in persons}
    for row in rnd.sample(coverage, min(6, len(coverage))):
        eid += 1
        person = persons_by_id[row["person_id"]]
        coverage.append(
            {**row, "entitlement_id": eid, "program": "tekun" if row["program"] == "dibao" else "dibao"}
        )
        person["programs"] = ",".join(sorted({*person["programs"].split(","), "dibao", "tekun"} - {""}))

    feeds: list[dict[str, Any]] = []
    dates = _dates_around(as_of)
    feed_codes = sorted({*CATALOGUE, *FEED_FIELDS, "police_death"})
    ids = [p["id_number"] for p in persons] + ["990000000000000000"]
    n = 0
    for feed in feed_codes:
        for _ in range(rnd.randint(25, 45)):
            n += 1
            fact: dict[str, Any] = dict.fromkeys(FIELD_NAMES)
            fact.update(
                feed=feed,
                id_number=rnd.choice(ids),
                date=rnd.choice(dates) if rnd.random() > 0.04 else None,
                amount=Decimal(
                    rnd.choice(("0.00", "6000.00", "6000.01", "5999.99", "10000.00", "10000.01", "12.50"))
                )
                if rnd.random() > 0.05
                else None,
                kind=rnd.choice(_kinds(feed)),
                row_key=f"{feed}:{n}",
            )
            for name in FEED_FIELDS.get(feed, ()):
                fact[name] = _feed_value(feed, name, rnd, as_of)
            feeds.append(fact)
        # The same person twice in a feed on one day, to order the window rules' ties by row key.
        twin = dict(feeds[-1])
        n += 1
        twin["row_key"] = f"{feed}:{n}"
        feeds.append(twin)
    return {
        "persons": pa.Table.from_pylist(persons, schema=arrow_schema(PERSONS)),
        "coverage": pa.Table.from_pylist(coverage, schema=arrow_schema(COVERAGE)),
        "feeds": pa.Table.from_pylist(feeds, schema=arrow_schema(FEEDS)),
    }


def settings(rules: list[Rule] | tuple[Rule, ...], seed: int) -> pa.Table:
    """One row per county but the last, a column per setting the rules read: numbers DECIMAL(18,4),
    list settings (``LIST_SETTINGS``) as comma-separated text."""
    rnd = random.Random(seed)
    names = sorted({s for r in rules for s in r.settings})
    rows = []
    for code in COUNTIES[:-1]:
        row: dict[str, Any] = {"county_code": code}
        for name in names:
            if name in LIST_SETTINGS:
                row[name] = rnd.choice(LIST_SETTINGS[name])
            else:
                row[name] = Decimal(rnd.choice(NUMBER_SETTINGS.get(name, ("1", "2.5"))))
        rows.append(row)
    fields = [pa.field("county_code", pa.string())] + [
        pa.field(n, pa.string() if n in LIST_SETTINGS else pa.decimal128(18, 4)) for n in names
    ]
    return pa.Table.from_pylist(rows, schema=pa.schema(fields))


def _rule(code: str, **kw: Any) -> Rule:
    base: dict[str, Any] = {"version": 1, "name": code, "purpose": "warning", "population": "all"}
    return Rule(code=code, **{**base, **kw})


# Every operator, kind and form of the vocabulary, each rule matching some rows and not others.
VOCAB_RULES: tuple[Rule, ...] = (
    _rule(
        "t_age",
        when=(
            "or",
            ("eq", ("age", "p.birth_date", "as_of"), 18),
            ("ge", ("age", "p.birth_date", ("date", "2028-02-28")), 60),
        ),
        event_date="as_of",
        evidence_key=(("month_key", "p.birth_date"),),
        evidence=(("出生", "p.birth_date"), ("年龄", ("age", "p.birth_date", "as_of"))),
    ),
    _rule(
        "t_months",
        feed="hrss_unemployment",
        population="outside",
        when=(
            "and",
            ("le", ("months_between", "f.date", "as_of"), 6),
            ("gt", ("months_between", "f.date", "as_of"), 0),
            ("notnull", "f.date"),
        ),
        evidence=(("月数", ("months_between", "f.date", "as_of")), ("结束", ("date_of", "f.ended_on"))),
    ),
    _rule(
        "t_add_months",
        feed="justice",
        when=(
            "and",
            ("gt", "f.date", ("add_months", "as_of", ("mul", -1, "s.monitor_lookback_months"))),
            ("lt", ("add_months", "f.date", 1), ("add_months", "as_of", ("sub", 1, 1))),
            ("ge", ("coalesce", ("date_of", "f.end_date"), ("date", "9999-12-31")), "as_of"),
            ("in", "f.kind", (("lit", "prison"), ("lit", "compulsory_rehab"))),
        ),
        settings=("monitor_lookback_months",),
        evidence=(
            ("类型", "f.kind"),
            ("刑满", ("date_of", "f.end_date")),
            ("上溯", "s.monitor_lookback_months"),
        ),
    ),
    _rule(
        "t_number",
        feed="medical_bill",
        population="assisted",
        when=(
            "or",
            ("gt", "f.amount", "s.monitor_medical_oop_assisted"),
            ("ge", ("number", "f.total"), ("add", 6000, 0.01)),
            ("null", ("number", "f.total")),
        ),
        settings=("monitor_medical_oop_assisted",),
        evidence=(
            ("自付", "f.amount"),
            ("总额", ("number", "f.total")),
            (
                "比例",
                ("if", ("gt", ("div", "f.amount", ("number", "f.total")), 0.5), ("lit", "高"), ("lit", "低")),
            ),
            ("单号", "f.bill_no"),
        ),
    ),
    _rule(
        "t_income",
        feed="tax",
        kind="aggregate",
        group="household",
        population="assisted",
        when=("and", ("ne", "f.kind", ("lit", "other")), ("le", "f.date", "as_of")),
        measures=(("total", "sum", "f.amount"), ("rows", "count", "f.row_key"), ("top", "max", "f.amount")),
        having=(
            "or",
            ("gt", ("div", "m.total", "p.members"), ("mul", "p.standard", "s.monitor_income_ratio")),
            ("ge", "m.rows", 3),
        ),
        settings=("monitor_income_ratio",),
        evidence=(("合计", "m.total"), ("笔数", "m.rows"), ("最高", "m.top"), ("标准", "p.standard")),
    ),
    _rule(
        "t_min_person",
        feed="hrss_wage",
        kind="aggregate",
        group="person",
        when=("notnull", "f.amount"),
        measures=(("low", "min", "f.amount"),),
        having=("lt", "m.low", 100),
        evidence=(("最低", "m.low"), ("单位", "p.employment")),
    ),
    _rule(
        "t_window",
        feed="education",
        window=True,
        when=(
            "and",
            ("eq", "f.recency", 1),
            ("ne", ("coalesce", "f.prev_kind", ("lit", "")), "f.kind"),
            ("not", ("eq", "f.kind", ("lit", "enrolled"))),
        ),
        evidence=(("原状态", "f.prev_kind"), ("新状态", "f.kind"), ("学校", "f.school"), ("学段", "f.level")),
    ),
    _rule(
        "t_guardian",
        via="guardian",
        feed="police_death",
        when=("and", ("le", "f.date", "as_of"), ("lt", ("age", "p.birth_date", "as_of"), 18)),
        evidence=(("监护人", "g.id_number"), ("关系", "g.relation"), ("死亡", "f.date")),
    ),
    _rule(
        "t_contains",
        feed="vehicle",
        when=(
            "and",
            ("contains", "p.programs", ("lit", "dibao")),
            ("not", ("contains", "s.exempt_vehicle_types", "f.kind")),
            ("eq", "f.event", ("lit", "buy")),
        ),
        settings=("exempt_vehicle_types",),
        evidence=(("号牌", "f.plate"), ("车型", "f.vehicle_type"), ("豁免", "s.exempt_vehicle_types")),
    ),
    _rule(
        "t_month_key",
        feed="residence",
        when=(
            "and",
            ("ne", "f.region", "p.region_code"),
            ("le", ("month_key", "f.date"), ("month_key", ("add_months", "as_of", -6))),
            ("eq", True, True),
        ),
        evidence=(("地区", "f.region"), ("月份", ("month_key", "f.date")), ("倍", ("div", "f.amount", 0))),
    ),
    _rule(
        "t_dup_account",
        kind="duplicate",
        when=None,
        key="bank_account",
        across="household_id",
        evidence=(("账号", "c.bank_account"), ("项目", "c.program")),
    ),
    _rule("t_dup_county", kind="duplicate", when=None, key="person_id", across="county_code"),
    _rule(
        "t_dup_programs",
        kind="duplicate",
        when=None,
        key="person_id",
        across="program",
        programs=(("dibao", "tekun"), ("tekun", "children")),
    ),
)


def spark_for_tests() -> Any:
    """The process's Spark session tuned for tables of a few hundred rows: one shuffle partition and no
    whole-stage code generation (compiling code costs more than it saves on so little data)."""
    from jiuzhu.batch.rules.spark import spark_session

    session = spark_session()
    session.conf.set("spark.sql.shuffle.partitions", "1")
    session.conf.set("spark.sql.codegen.wholeStage", "false")
    return session
