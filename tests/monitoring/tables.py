"""Arrow builders for the four rule tables (``jiuzhu.batch.rules.schema``), for rule tests.

Each builder takes rows as dicts naming only what the test cares about; every other column gets a plain
default (an assisted adult head of a household of one in county 530102, with an income of 0 and a
standard of 800). Person ids and ID numbers are derived from ``n`` so a test can join people to feeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa

from jiuzhu.batch.rules.duck import run_duckdb
from jiuzhu.batch.rules.model import Rule
from jiuzhu.batch.rules.schema import COVERAGE, FEEDS, PERSONS

COUNTY = "530102000000"
TOWNSHIP = "530102001000"
VILLAGE = "530102001001"
AS_OF = date(2026, 11, 30)


def _arrow(sql: str) -> pa.DataType:
    if sql.startswith("DECIMAL"):
        precision, scale = sql[8:-1].split(",")
        return pa.decimal128(int(precision), int(scale))
    return {
        "VARCHAR": pa.string(),
        "INT": pa.int32(),
        "BIGINT": pa.int64(),
        "DATE": pa.date32(),
        "BOOLEAN": pa.bool_(),
    }[sql]


def _table(columns: Mapping[str, str], rows: list[dict[str, Any]]) -> pa.Table:
    schema = pa.schema([(name, _arrow(t)) for name, t in columns.items()])
    data = {name: [_value(r.get(name), t) for r in rows] for name, t in columns.items()}
    return pa.table(data, schema=schema)


def _value(v: Any, sql: str) -> Any:
    if v is None:
        return None
    if sql.startswith("DECIMAL"):
        return Decimal(str(v))
    return v


def id_number(n: int) -> str:
    """A stable 18-character ID number for person ``n`` (the rules never check the digit)."""
    return f"530102199001{n:06d}"


def person(n: int, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "person_id": n,
        "id_number": id_number(n),
        "birth_date": date(1990, 1, 1),
        "death_date": None,
        "household_id": n,
        "relation": "head",
        "region_code": VILLAGE,
        "township_code": TOWNSHIP,
        "county_code": COUNTY,
        "urban_rural": "rural",
        "residence_code": VILLAGE,
        "disability_grade": None,
        "in_school": False,
        "employment": "not_working",
        "members": 1,
        "assisted": True,
        "programs": "dibao",
        "bank_account": f"6228{n:012d}",
        "standard": Decimal("800.00"),
        "income_pc": Decimal("0.00"),
    }
    row.update(kw)
    return row


def outsider(n: int, **kw: Any) -> dict[str, Any]:
    """A person no live entitlement covers."""
    return person(n, **{"assisted": False, "programs": "", **kw})


def feed(code: str, n: int, when: date, **kw: Any) -> dict[str, Any]:
    """A feed row about person ``n`` dated ``when``; the row key is unique per feed, person and date
    unless given."""
    row: dict[str, Any] = {
        "feed": code,
        "id_number": id_number(n),
        "date": when,
        "amount": None,
        "kind": None,
        "row_key": f"{code}:{n}:{when.isoformat()}:{kw.get('kind') or ''}",
    }
    row.update(kw)
    return row


def cover(entitlement: int, n: int, program: str = "dibao", **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "entitlement_id": entitlement,
        "person_id": n,
        "household_id": n,
        "program": program,
        "region_code": VILLAGE,
        "county_code": COUNTY,
        "amount": Decimal("500.00"),
        "bank_account": f"6228{n:012d}",
    }
    row.update(kw)
    return row


def persons(*rows: dict[str, Any]) -> pa.Table:
    return _table(PERSONS, list(rows))


def feeds(*rows: dict[str, Any]) -> pa.Table:
    return _table(FEEDS, list(rows))


def coverage(*rows: dict[str, Any]) -> pa.Table:
    return _table(COVERAGE, list(rows))


# The policy defaults of the settings the rules read, written out (tests/monitoring/test_rules_catalogue.py
# checks they are the model's): each boundary test states the figure it relies on through these.
DEFAULTS: dict[str, Any] = {
    "exempt_vehicle_types": "motorcycle,e_bike,disability_scooter",
    "monitor_absence_months": 6,
    "monitor_income_ratio": "1.0",
    "monitor_lead_income_ratio": "1.5",
    "monitor_lookback_months": 12,
    "monitor_medical_oop_assisted": 6000,
    "monitor_medical_oop_others": 10000,
}


def settings(rules: list[Rule] | tuple[Rule, ...], county: str = COUNTY, **values: Any) -> pa.Table:
    """One county's settings row with a column per setting the rules read: numbers as DECIMAL(18,4),
    lists as comma-separated text."""
    names = sorted({s for r in rules for s in r.settings})
    base = {**DEFAULTS, **values}
    fields = [("county_code", pa.string())]
    data: dict[str, list[Any]] = {"county_code": [county]}
    for name in names:
        v = base[name]
        if name == "exempt_vehicle_types":
            fields.append((name, pa.string()))
            data[name] = [v]
        else:
            fields.append((name, pa.decimal128(18, 4)))
            data[name] = [Decimal(str(v))]
    return pa.table(data, schema=pa.schema(fields))


def hits(
    rule: Rule,
    *,
    people: list[dict[str, Any]],
    rows: list[dict[str, Any]] | None = None,
    covers: list[dict[str, Any]] | None = None,
    as_of: date = AS_OF,
    **setting_values: Any,
) -> list[dict[str, Any]]:
    """The rule's hits on DuckDB, as dicts sorted by person and evidence key."""
    tables = {
        "persons": persons(*people),
        "feeds": feeds(*(rows or [])),
        "coverage": coverage(*(covers or [])),
        "settings": settings([rule], **setting_values),
    }
    out = run_duckdb([rule], tables, as_of=as_of).to_pylist()
    return sorted(out, key=lambda h: (h["person_id"], h["evidence_key"]))


def hit_people(rule: Rule, **kw: Any) -> list[int]:
    """The person ids a rule hits, sorted."""
    return sorted(h["person_id"] for h in hits(rule, **kw))
