"""The four rule tables (``jiuzhu.batch.rules.schema``) read from the database as Arrow.

    tables = extract_tables(as_of=date(2026, 11, 30), county=county, rules=RULES)

Three plain queries, the same on both databases but for how a payload field is read: ``persons`` (every
current member of a household of the county), ``coverage`` (every live entitlement covering a person of
the county, or held by a household sharing a bank account with one of its households, so that the
duplicate rules see the other side), and ``feeds`` (the facts on the county's people, of the feeds the
rules and the income read). PostgreSQL sends each as ``COPY (SELECT …) TO STDOUT (FORMAT csv)``; SQLite
rows are written as the same CSV; one ``pyarrow.csv`` reader with the declared types parses both, so
there is one conversion path to get right. The derived columns are then computed in DuckDB over Arrow:
``assisted`` and ``programs`` from coverage, ``members`` (co-resident members), ``standard`` (the 低保
standard in force in the county on the run date) and ``income_pc``:

    income_pc = household income over the three whole calendar months before the run date's month
                ÷ 3 ÷ co-resident members, rounded to the fen, where a member's income in a month is
                max(hrss_wage, tax of kind wages) + tax of other kinds + hrss_pension
                + the monthly unemployment benefit when the registration covers any day of the month.

Wages are reported by both 人社 and 税务; the larger counts, never their sum.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection, models

from jiuzhu.batch.rules.compiler import settings_used
from jiuzhu.batch.rules.model import Rule
from jiuzhu.batch.rules.schema import COVERAGE, FEED_FIELDS, FEEDS, FIELD_NAMES, PERSONS
from jiuzhu.benefits.models import Entitlement
from jiuzhu.benefits.selectors import LIVE
from jiuzhu.core.errors import NotFound
from jiuzhu.exchange.models import FeedRecord
from jiuzhu.policy.models import PolicyVersion
from jiuzhu.policy.selectors import policy_in_force
from jiuzhu.regions.codes import validate_code
from jiuzhu.regions.models import Region
from jiuzhu.registry.models import Household, Membership, Person

INCOME_FEEDS = ("hrss_wage", "tax", "hrss_pension", "hrss_unemployment")
INCOME_MONTHS = 3
WAGES = "wages"  # the tax feed's kind for wages (IncomeCategory.WAGES)

_ARROW = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "BIGINT": pa.int64(),
    "INT": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "DECIMAL(14,2)": pa.decimal128(14, 2),
    "DECIMAL(18,4)": pa.decimal128(18, 4),
}


def arrow_schema(columns: dict[str, str]) -> pa.Schema:
    """The Arrow schema of a table of ``batch.rules.schema``."""
    return pa.schema([(name, _ARROW[t]) for name, t in columns.items()])


# --- reading a query as Arrow ------------------------------------------------------------------------


def _t(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _c(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    return connection.ops.quote_name(str(field.column))  # type: ignore[union-attr]


def _lit(value: str) -> str:
    """A literal of a value we generated or validated (codes, dates, choice values): no quote inside."""
    if "'" in value or "\\" in value:
        raise ValueError(f"不能作为字面量：{value!r}")
    return f"'{value}'"


def _csv_bytes(sql: str) -> bytes:
    """The query's rows as CSV: PostgreSQL's own ``COPY … TO STDOUT``; elsewhere written the same way
    (text always quoted so that an empty string stays one, NULL an empty unquoted field)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buf = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:  # psycopg's own cursor
                for block in copy:
                    buf.write(block)
            return buf.getvalue()
        cursor.execute(sql)
        text = io.StringIO()
        while rows := cursor.fetchmany(10_000):
            for row in rows:
                text.write(",".join(_csv_field(v) for v in row))
                text.write("\n")
        return text.getvalue().encode()


def _csv_field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return '"' + str(value).replace('"', '""') + '"'


def _read(sql: str, columns: dict[str, str]) -> pa.Table:
    """Run ``sql`` (its columns in the order of ``columns``) and parse the rows with the declared types."""
    raw = _csv_bytes(sql)
    schema = arrow_schema(columns)
    if not raw:
        return schema.empty_table()
    table = pacsv.read_csv(
        io.BytesIO(raw),
        read_options=pacsv.ReadOptions(column_names=list(columns), block_size=4 << 20),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={n: schema.field(n).type for n in columns},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t", "1", "true", "True"],
            false_values=["f", "0", "false", "False"],
        ),
    )
    return table.cast(schema)


# --- the three queries --------------------------------------------------------------------------------


def _payload_field(name: str) -> str:
    data = f"f.{_c(FeedRecord, 'data')}"
    if connection.vendor == "postgresql":
        return f"{data}->>{_lit(name)}"
    return f"CAST(json_extract({data}, {_lit('$.' + name)}) AS TEXT)"


def _county_of(expr: str) -> str:
    return f"substr({expr}, 1, 6) || '000000'"


def _township_of(expr: str) -> str:
    return f"substr({expr}, 1, 9) || '000'"


def _in_scope(expr: str, bounds: tuple[str, str] | None) -> str:
    if bounds is None:
        return "1 = 1"
    return f"{expr} BETWEEN {_lit(bounds[0])} AND {_lit(bounds[1])}"


_BASE_PERSONS = {
    **{k: PERSONS[k] for k in ("person_id", "id_number", "birth_date", "death_date", "household_id")},
    **{k: PERSONS[k] for k in ("relation", "region_code", "township_code", "county_code", "urban_rural")},
    **{k: PERSONS[k] for k in ("residence_code", "disability_grade", "in_school", "employment")},
    "co_resident": "BOOLEAN",
    "bank_account": "VARCHAR",
}


def _persons_sql(bounds: tuple[str, str] | None) -> str:
    m, p, h = Membership, Person, Household
    region = f"h.{_c(h, 'region')}"
    return (
        f"SELECT p.{_c(p, 'id')}, p.{_c(p, 'id_number')}, p.{_c(p, 'birth_date')}, p.{_c(p, 'death_date')},"
        f" m.{_c(m, 'household')}, m.{_c(m, 'relation')}, {region}, {_township_of(region)},"
        f" {_county_of(region)}, h.{_c(h, 'urban_rural')}, p.{_c(p, 'residence_region')},"
        f" p.{_c(p, 'disability_grade')}, p.{_c(p, 'in_school')}, p.{_c(p, 'employment')},"
        f" m.{_c(m, 'co_resident')}, h.{_c(h, 'bank_account')}"
        f" FROM {_t(m)} m JOIN {_t(p)} p ON p.{_c(p, 'id')} = m.{_c(m, 'person')}"
        f" JOIN {_t(h)} h ON h.{_c(h, 'id')} = m.{_c(m, 'household')}"
        f" WHERE m.{_c(m, 'end_date')} IS NULL AND {_in_scope(region, bounds)}"
    )


def _coverage_sql(bounds: tuple[str, str] | None) -> str:
    e, h, m = Entitlement, Household, Membership
    covered = f"COALESCE(e.{_c(e, 'person')}, m.{_c(m, 'person')})"
    e_region = f"e.{_c(e, 'region')}"
    live = ", ".join(_lit(str(s)) for s in LIVE)
    scope = ""
    if bounds is not None:
        region = f"h2.{_c(h, 'region')}"
        scope = (
            f" AND ({_in_scope(e_region, bounds)}"
            f" OR {covered} IN (SELECT m2.{_c(m, 'person')} FROM {_t(m)} m2 JOIN {_t(h)} h2"
            f" ON h2.{_c(h, 'id')} = m2.{_c(m, 'household')}"
            f" WHERE m2.{_c(m, 'end_date')} IS NULL AND {_in_scope(region, bounds)})"
            f" OR (h.{_c(h, 'bank_account')} <> '' AND h.{_c(h, 'bank_account')} IN"
            f" (SELECT h2.{_c(h, 'bank_account')} FROM {_t(h)} h2 WHERE {_in_scope(region, bounds)})))"
        )
    return (
        f"SELECT e.{_c(e, 'id')}, {covered}, e.{_c(e, 'household')}, e.{_c(e, 'program')},"
        f" e.{_c(e, 'region')}, {_county_of(e_region)}, e.{_c(e, 'amount')},"
        f" h.{_c(h, 'bank_account')}"
        f" FROM {_t(e)} e JOIN {_t(h)} h ON h.{_c(h, 'id')} = e.{_c(e, 'household')}"
        f" LEFT JOIN {_t(m)} m ON e.{_c(e, 'person')} IS NULL"
        f" AND m.{_c(m, 'household')} = e.{_c(e, 'household')} AND m.{_c(m, 'end_date')} IS NULL"
        f" AND m.{_c(m, 'co_resident')}"
        f" WHERE e.{_c(e, 'status')} IN ({live}) AND {covered} IS NOT NULL{scope}"
    )


def _feeds_sql(bounds: tuple[str, str] | None, feeds: Sequence[str], *, as_of: date | None = None) -> str:
    """The facts of ``feeds`` (every row); with ``as_of``, also the income feeds' rows the income reads
    (those of the window; unemployment registered before its end)."""
    f, m, p, h = FeedRecord, Membership, Person, Household
    fields = []
    for name in FIELD_NAMES:
        having = [code for code, names in FEED_FIELDS.items() if name in names]
        cond = ", ".join(_lit(code) for code in having)
        fields.append(f"CASE WHEN f.{_c(f, 'feed')} IN ({cond}) THEN {_payload_field(name)} END")
    scope = ""
    h_region = f"h.{_c(h, 'region')}"
    if bounds is not None:
        scope = (
            f" AND f.{_c(f, 'id_number')} IN (SELECT p.{_c(p, 'id_number')} FROM {_t(m)} m"
            f" JOIN {_t(p)} p ON p.{_c(p, 'id')} = m.{_c(m, 'person')}"
            f" JOIN {_t(h)} h ON h.{_c(h, 'id')} = m.{_c(m, 'household')}"
            f" WHERE m.{_c(m, 'end_date')} IS NULL AND {_in_scope(h_region, bounds)})"
        )
    wanted = ", ".join(_lit(code) for code in sorted(set(feeds))) or "''"
    which = f"f.{_c(f, 'feed')} IN ({wanted})"
    if as_of is not None:
        start, end = (_lit(d.isoformat()) for d in income_window(as_of))
        day, kind = f"f.{_c(f, 'date')}", f"f.{_c(f, 'feed')}"
        monthly = ", ".join(_lit(code) for code in INCOME_FEEDS if code != "hrss_unemployment")
        which = (
            f"({which} OR ({kind} IN ({monthly}) AND {day} >= {start} AND {day} < {end})"
            f" OR ({kind} = 'hrss_unemployment' AND {day} < {end}))"
        )
    return (
        f"SELECT f.{_c(f, 'feed')}, f.{_c(f, 'id_number')}, f.{_c(f, 'date')}, f.{_c(f, 'amount')},"
        f" f.{_c(f, 'kind')}, f.{_c(f, 'row_key')}, {', '.join(fields)}"
        f" FROM {_t(f)} f WHERE {which}{scope}"
    )


# --- settings and standards --------------------------------------------------------------------------


def _setting_type(name: str) -> str:
    field = PolicyVersion._meta.get_field(name)
    return "VARCHAR" if isinstance(field, models.JSONField) else "DECIMAL(18,4)"


def _setting_value(value: Any, kind: str) -> Any:
    if kind == "VARCHAR":
        items = value if isinstance(value, list | tuple) else [value]
        return ",".join(str(v) for v in items)
    if isinstance(value, bool):
        return Decimal(int(value))
    return Decimal(str(value))


def policies(counties: Iterable[str], as_of: date) -> dict[str, PolicyVersion]:
    """The policy in force on ``as_of`` for each county (a county without one is left out: its people
    get no standard and the rules reading settings do not fire there)."""
    out: dict[str, PolicyVersion] = {}
    for code in sorted(set(counties)):
        try:
            out[code] = policy_in_force(region_code=code, on=as_of)
        except NotFound:
            continue
    return out


def settings_table(in_force: dict[str, PolicyVersion], rules: Sequence[Rule]) -> pa.Table:
    names = settings_used(rules)
    columns = {"county_code": "VARCHAR", **{n: _setting_type(n) for n in names}}
    rows: dict[str, list[Any]] = {c: [] for c in columns}
    for code, version in sorted(in_force.items()):
        rows["county_code"].append(code)
        for n in names:
            rows[n].append(_setting_value(getattr(version, n), columns[n]))
    schema = arrow_schema(columns)
    return pa.table({c: pa.array(v, type=schema.field(c).type) for c, v in rows.items()}, schema=schema)


def _standards(in_force: dict[str, PolicyVersion]) -> pa.Table:
    codes, urban, rural = [], [], []
    for code, version in sorted(in_force.items()):
        codes.append(code)
        urban.append(version.dibao_standard_urban)
        rural.append(version.dibao_standard_rural)
    money = pa.decimal128(14, 2)
    return pa.table(
        {
            "county_code": pa.array(codes, pa.string()),
            "urban": pa.array(urban, money),
            "rural": pa.array(rural, money),
        }
    )


# --- the derived columns, in DuckDB ------------------------------------------------------------------


def _month_start(d: date, back: int = 0) -> date:
    months = d.year * 12 + d.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


def income_window(as_of: date) -> tuple[date, date]:
    """[first day, day after the last) of the three whole months before the run date's month."""
    return _month_start(as_of, INCOME_MONTHS), _month_start(as_of)


_DERIVE = """
WITH cov AS (
  SELECT person_id, bool_or(TRUE) AS assisted, string_agg(DISTINCT program, ',' ORDER BY program) AS programs
  FROM coverage GROUP BY person_id
),
mem AS (
  SELECT household_id, count(*) FILTER (WHERE co_resident) AS members FROM base GROUP BY household_id
),
months AS (
  SELECT m::DATE AS m_start, (m + INTERVAL 1 MONTH)::DATE AS m_end
  FROM range($win_start::TIMESTAMP, $win_end::TIMESTAMP, INTERVAL 1 MONTH) t(m)
),
monthly AS (
  SELECT f.id_number, date_trunc('month', f.date)::DATE AS m,
    greatest(
      coalesce(sum(f.amount) FILTER (WHERE f.feed = 'hrss_wage'), 0),
      coalesce(sum(f.amount) FILTER (WHERE f.feed = 'tax' AND f.kind = $wages), 0)
    )
    + coalesce(sum(f.amount) FILTER (WHERE f.feed = 'tax' AND f.kind IS DISTINCT FROM $wages), 0)
    + coalesce(sum(f.amount) FILTER (WHERE f.feed = 'hrss_pension'), 0) AS income
  FROM feeds_all f
  WHERE f.feed IN ('hrss_wage', 'tax', 'hrss_pension') AND f.date >= $win_start AND f.date < $win_end
  GROUP BY 1, 2
),
unemployment AS (
  SELECT f.id_number, sum(f.amount) AS income
  FROM feeds_all f JOIN months ON f.date < months.m_end
    AND (f.ended_on IS NULL OR TRY_CAST(f.ended_on AS DATE) >= months.m_start)
  WHERE f.feed = 'hrss_unemployment' AND f.amount IS NOT NULL
  GROUP BY 1
),
per_person AS (
  SELECT id_number, sum(income) AS income FROM (
    SELECT id_number, income FROM monthly UNION ALL SELECT id_number, income FROM unemployment
  ) GROUP BY 1
),
hh AS (
  SELECT b.household_id, sum(coalesce(pp.income, 0)) AS income
  FROM base b LEFT JOIN per_person pp ON pp.id_number = b.id_number
  WHERE b.co_resident GROUP BY 1
)
SELECT b.person_id, b.id_number, b.birth_date, b.death_date, b.household_id, b.relation, b.region_code,
  b.township_code, b.county_code, b.urban_rural, b.residence_code, b.disability_grade, b.in_school,
  b.employment, coalesce(mem.members, 0)::INT AS members, coalesce(cov.assisted, FALSE) AS assisted,
  cov.programs, b.bank_account,
  CAST(CASE WHEN b.urban_rural = 'urban' THEN st.urban ELSE st.rural END AS DECIMAL(14,2)) AS standard,
  CAST(CASE WHEN coalesce(mem.members, 0) > 0
    THEN round(coalesce(hh.income, 0) / $months / mem.members, 2) END AS DECIMAL(14,2)) AS income_pc
FROM base b
LEFT JOIN cov ON cov.person_id = b.person_id
LEFT JOIN mem ON mem.household_id = b.household_id
LEFT JOIN hh ON hh.household_id = b.household_id
LEFT JOIN standards st ON st.county_code = b.county_code
ORDER BY b.person_id
"""


def derive_persons(
    base: pa.Table, coverage: pa.Table, feeds: pa.Table, standards: pa.Table, *, as_of: date
) -> pa.Table:
    """``persons`` from the registry rows, the coverage, the income feeds and the standards."""
    start, end = income_window(as_of)
    con = duckdb.connect()
    try:
        con.execute("SET threads = 2")
        con.register("base", base)
        con.register("coverage", coverage)
        con.register("feeds_all", feeds)
        con.register("standards", standards)
        params = {"win_start": start, "win_end": end, "wages": WAGES, "months": INCOME_MONTHS}
        table = con.sql(_DERIVE, params=params).to_arrow_table()
    finally:
        con.close()
    schema = arrow_schema(PERSONS)
    return table.select(list(PERSONS)).cast(schema)


# --- the interface ------------------------------------------------------------------------------------


def extract_tables(*, as_of: date, county: Region | None, rules: Sequence[Rule]) -> dict[str, pa.Table]:
    """The rule tables for a county (or every county) as of a date: keys ``persons``, ``coverage``,
    ``feeds`` and ``settings``, exactly the columns and types of ``batch.rules.schema``."""
    bounds = county.bounds() if county is not None else None
    if county is not None:
        validate_code(county.code)
    base = _read(_persons_sql(bounds), _BASE_PERSONS)
    coverage = _read(_coverage_sql(bounds), COVERAGE)
    rule_feeds = sorted({f for r in rules for f in (r.feed, *r.feeds) if f})
    feeds_all = _read(_feeds_sql(bounds, rule_feeds, as_of=as_of), FEEDS)
    counties = set(base.column("county_code").to_pylist())
    if county is not None:
        counties.add(county.code[:6] + "000000")
    in_force = policies(counties, as_of)
    persons = derive_persons(base, coverage, feeds_all, _standards(in_force), as_of=as_of)
    wanted = pa.array(rule_feeds, pa.string())
    feeds = feeds_all.filter(pa.compute.is_in(feeds_all.column("feed"), value_set=wanted))
    return {
        "persons": persons,
        "coverage": coverage.sort_by([("entitlement_id", "ascending"), ("person_id", "ascending")]),
        "feeds": feeds,
        "settings": settings_table(in_force, rules),
    }
