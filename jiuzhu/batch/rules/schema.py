"""The tables every rule reads, engine-neutral: the columns and their SQL types.

The same tables are built from the database (``jiuzhu.monitoring.extract``: Arrow from PostgreSQL or
SQLite), written as Parquet by ``jiuzhu export-parquet`` and read back by Spark, so a province can run the
rules where its data lives. A rule may read only the columns named here; the compiler checks it.

- ``persons``: one row per current member of a household in the registry (or the head of a household
  of one), with the household's region, its urban/rural class, its bank account and, in ``assisted``,
  whether any live entitlement covers the person (their own, or their household's).
- ``coverage``: one row per person and live entitlement that covers them.
- ``feeds``: the departmental facts (one row per staged fact), with the typed slots and, as text, the
  payload fields the rules read (``FEED_FIELDS``).
- ``settings``: one row per county with the policy in force on the run date, a column per setting the
  rules name (``compiler.settings_used``): numbers as DECIMAL(18,4), lists as comma-separated text.
"""

from __future__ import annotations

import re

import pyarrow as pa

PERSONS: dict[str, str] = {
    "person_id": "BIGINT",
    "id_number": "VARCHAR",
    "birth_date": "DATE",
    "death_date": "DATE",
    "household_id": "BIGINT",
    "relation": "VARCHAR",
    "region_code": "VARCHAR",  # the household's village (12 digits)
    "township_code": "VARCHAR",
    "county_code": "VARCHAR",
    "urban_rural": "VARCHAR",
    "residence_code": "VARCHAR",
    "disability_grade": "INT",
    "in_school": "BOOLEAN",
    "employment": "VARCHAR",
    "members": "INT",  # co-resident members of the household
    "assisted": "BOOLEAN",
    # the programs of the live entitlements covering the person, sorted, comma-separated
    "programs": "VARCHAR",
    "bank_account": "VARCHAR",
    # The household's 低保 standard (urban or rural, per person per month) in the policy in force on the
    # run date, and its monthly per-capita income from the feeds (wages, pensions, unemployment benefit,
    # taxed income) over the three whole months before the run date.
    "standard": "DECIMAL(14,2)",
    "income_pc": "DECIMAL(14,2)",
}

COVERAGE: dict[str, str] = {
    "entitlement_id": "BIGINT",
    "person_id": "BIGINT",
    "household_id": "BIGINT",
    "program": "VARCHAR",
    "region_code": "VARCHAR",
    "county_code": "VARCHAR",
    "amount": "DECIMAL(14,2)",
    "bank_account": "VARCHAR",
}

# Payload fields of each feed the rules read, flattened into text columns of ``feeds`` (NULL for the
# feeds that do not have them). Keep this the union of what the rule set reads.
FEED_FIELDS: dict[str, tuple[str, ...]] = {
    "vehicle": ("vehicle_type", "event", "plate"),
    "real_estate": ("event", "unit_no", "use"),
    "business": ("status", "reg_no"),
    "hrss_unemployment": ("ended_on",),
    "medical_bill": ("bill_no", "total"),
    "disability": ("category", "grade"),
    "education": ("level", "school"),
    "justice": ("end_date",),
    "police_hukou": ("hukou_region", "status"),
    "residence": ("region",),
    "hrss_contribution": ("insurance",),
    "tax": ("income_type",),
    "hrss_wage": ("employer",),
}
FIELD_NAMES: tuple[str, ...] = tuple(sorted({f for fields in FEED_FIELDS.values() for f in fields}))

FEEDS: dict[str, str] = {
    "feed": "VARCHAR",
    "id_number": "VARCHAR",
    "date": "DATE",
    "amount": "DECIMAL(14,2)",
    "kind": "VARCHAR",
    "row_key": "VARCHAR",
    **{name: "VARCHAR" for name in FIELD_NAMES},
}

SETTINGS_KEY: dict[str, str] = {"county_code": "VARCHAR"}

TABLES: dict[str, dict[str, str]] = {"persons": PERSONS, "coverage": COVERAGE, "feeds": FEEDS}

# What a rule query returns, one row per hit.
HITS: dict[str, str] = {
    "rule": "VARCHAR",
    "version": "INT",
    "purpose": "VARCHAR",
    "person_id": "BIGINT",
    "household_id": "BIGINT",
    "region_code": "VARCHAR",
    "event_date": "DATE",
    "evidence_key": "VARCHAR",
    "evidence": "VARCHAR",
}


def arrow_type(sql: str) -> pa.DataType:
    """The Arrow type of a column's SQL type (the types above, and DECIMAL(p,s) of the settings)."""
    simple = {
        "VARCHAR": pa.string(),
        "INT": pa.int32(),
        "BIGINT": pa.int64(),
        "DATE": pa.date32(),
        "BOOLEAN": pa.bool_(),
        "DOUBLE": pa.float64(),
    }
    if sql in simple:
        return simple[sql]
    m = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", sql)
    if not m:
        raise ValueError(f"未知的列类型 {sql}")
    return pa.decimal128(int(m.group(1)), int(m.group(2)))


def arrow_schema(columns: dict[str, str]) -> pa.Schema:
    """An Arrow schema of one of the tables above."""
    return pa.schema([(name, arrow_type(sql)) for name, sql in columns.items()])


HITS_SCHEMA: pa.Schema = arrow_schema(HITS)
