"""The engine functions of the rule compiler, one by one, at their boundaries, with figures worked by hand.

Each case is evaluated on DuckDB here; ``test_rules_spark.py`` runs the same cases on Spark (marker
``spark``) and requires the same values, so a function that behaves differently on the two engines fails
one of the two files.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from sqlglot import exp

from jiuzhu.batch.rules import functions as fn
from jiuzhu.batch.rules.functions import Engine


def d(iso: str) -> exp.Expression:
    return fn.date_literal(iso)


def s(text: str | None) -> exp.Expression:
    return exp.Null() if text is None else exp.Literal.string(text)


def n(value: Any) -> exp.Expression:
    return exp.Literal.number(value)


def cast(e: exp.Expression, to: str) -> exp.Expression:
    return exp.Cast(this=e, to=exp.DataType.build(to))


# (name, builder(engine) -> expression, expected Python value)
AGE: list[tuple[str, Any, Any]] = [
    # the day before, of and after the 18th birthday
    ("age_eve", ("2008-06-15", "2026-06-14"), 17),
    ("age_day", ("2008-06-15", "2026-06-15"), 18),
    ("age_after", ("2008-06-15", "2026-06-16"), 18),
    # born 29 February: a year older on 1 March in common years, on 29 February in leap years
    ("age_leap_28feb", ("2008-02-29", "2026-02-28"), 17),
    ("age_leap_1mar", ("2008-02-29", "2026-03-01"), 18),
    ("age_leap_leapday", ("2008-02-29", "2028-02-29"), 20),
    ("age_leap_leapeve", ("2008-02-29", "2028-02-28"), 19),
    # year boundary: born 31 December, on 1 January of the next year (DuckDB's date_diff would say 1)
    ("age_newyear", ("2025-12-31", "2026-01-01"), 0),
    ("age_birth_day", ("2026-01-01", "2026-01-01"), 0),
    ("age_before_birth", ("2026-01-02", "2026-01-01"), -1),
]
MONTHS: list[tuple[str, Any, Any]] = [
    ("mb_same_day", ("2026-01-15", "2026-02-15"), 1),
    ("mb_day_short", ("2026-01-15", "2026-02-14"), 0),
    ("mb_jan31_feb28", ("2026-01-31", "2026-02-28"), 0),
    ("mb_jan31_mar01", ("2026-01-31", "2026-03-01"), 1),
    ("mb_jan31_mar31", ("2026-01-31", "2026-03-31"), 2),
    ("mb_feb28_mar31", ("2026-02-28", "2026-03-31"), 1),
    ("mb_year", ("2025-11-30", "2026-11-30"), 12),
    ("mb_year_short", ("2025-11-30", "2026-11-29"), 11),
    ("mb_backwards", ("2026-03-15", "2026-01-15"), -2),
    ("mb_backwards_short", ("2026-03-15", "2026-01-16"), -2),
    ("mb_zero", ("2026-03-15", "2026-03-15"), 0),
]
ADD_MONTHS: list[tuple[str, Any, Any]] = [
    ("am_jan31_plus1", ("2026-01-31", 1), date(2026, 2, 28)),
    ("am_jan31_plus1_leap", ("2028-01-31", 1), date(2028, 2, 29)),
    ("am_mar31_minus1", ("2026-03-31", -1), date(2026, 2, 28)),
    ("am_nov30_minus12", ("2026-11-30", -12), date(2025, 11, 30)),
    ("am_leap_minus12", ("2028-02-29", -12), date(2027, 2, 28)),
    ("am_dec_plus1", ("2026-12-15", 1), date(2027, 1, 15)),
    ("am_zero", ("2026-05-31", 0), date(2026, 5, 31)),
    # a DECIMAL number of months is taken whole, rounded down: 1.5 → 1, -1.5 → -2
    ("am_decimal", ("2026-01-31", "1.5000"), date(2026, 2, 28)),
    ("am_decimal_neg", ("2026-03-31", "-1.5000"), date(2026, 1, 31)),
]
MONTH_KEY: list[tuple[str, Any, Any]] = [
    ("mk_jan", "2026-01-01", 202601),
    ("mk_dec", "2026-12-31", 202612),
    ("mk_leap", "2028-02-29", 202802),
]
NUMBERS: list[tuple[str, Any, Any]] = [
    ("num_plain", "12.34", Decimal("12.34")),
    ("num_round_up", "12.345", Decimal("12.35")),
    ("num_round_neg", "-0.005", Decimal("-0.01")),
    ("num_spaces", " 99 ", Decimal("99.00")),
    ("num_exponent", "1e3", Decimal("1000.00")),
    ("num_sign", "+5", Decimal("5.00")),
    ("num_point_first", ".5", Decimal("0.50")),
    ("num_point_last", "5.", Decimal("5.00")),
    ("num_empty", "", None),
    ("num_null", None, None),
    ("num_word", "abc", None),
    ("num_nan", "NaN", None),
    ("num_inf", "Infinity", None),
    ("num_fullwidth", "１２", None),
    ("num_tab", "\t12", None),
    ("num_comma", "1,000", None),
    ("num_too_big", "1e20", None),
]
DATES: list[tuple[str, Any, Any]] = [
    ("date_iso", "2026-03-01", date(2026, 3, 1)),
    ("date_short", "2026-1-5", date(2026, 1, 5)),
    ("date_spaces", " 2026-03-01 ", date(2026, 3, 1)),
    ("date_leap", "2028-02-29", date(2028, 2, 29)),
    ("date_not_leap", "2026-02-29", None),
    ("date_30feb", "2026-02-30", None),
    ("date_year_only", "2026", None),
    ("date_month_only", "2026-03", None),
    ("date_time", "2026-03-01 10:00:00", None),
    ("date_empty", "", None),
    ("date_null", None, None),
    ("date_slashes", "2026/03/01", None),
]
CONTAINS: list[tuple[str, Any, Any]] = [
    ("in_first", ("car,truck", "car"), True),
    ("in_last", ("car,truck", "truck"), True),
    ("in_prefix_only", ("car,truck", "ca"), False),
    ("in_longer", ("car", "cars"), False),
    ("in_empty_list", ("", "car"), False),
    ("in_null_list", (None, "car"), False),
    ("in_null_item", ("car,truck", None), False),
    ("in_empty_item", ("car,,truck", ""), False),
    ("in_null_both", (None, None), False),
]
DIVIDE: list[tuple[str, Any, Any]] = [
    ("div_exact", ("1.50", "3"), 0.5),
    ("div_third", ("1", "3"), 1 / 3),
    ("div_zero", ("1", "0"), None),
    ("div_null", ("1", None), None),
]


def cases(engine: Engine) -> list[tuple[str, exp.Expression, Any]]:
    out: list[tuple[str, exp.Expression, Any]] = []
    for name, (birth, on), want in AGE:
        out.append((name, fn.age_full_years(d(birth), d(on), engine), want))
    for name, (a, b), want in MONTHS:
        out.append((name, fn.months_between(d(a), d(b), engine), want))
    for name, (start, months), want in ADD_MONTHS:
        count = n(months) if isinstance(months, int) else cast(s(months), "DECIMAL(18,4)")
        out.append((name, fn.add_months(d(start), count, engine), want))
    for name, iso, want in MONTH_KEY:
        out.append((name, fn.month_key(d(iso), engine), want))
    for name, text, want in NUMBERS:
        out.append((name, fn.as_number(s(text), engine), want))
    for name, text, want in DATES:
        out.append((name, fn.as_date(s(text), engine), want))
    for name, (items, item), want in CONTAINS:
        out.append((name, fn.list_contains(s(items), s(item), engine), want))
    for name, (a, b), want in DIVIDE:
        right = exp.Null() if b is None else cast(s(b), "DECIMAL(14,2)")
        out.append((name, fn.divide(cast(s(a), "DECIMAL(14,2)"), right, engine), want))
    return out


# Evidence: the exact bytes, worked by hand.
EVIDENCE_PAIRS: list[tuple[str, exp.Expression]] = [
    ("号牌", s("京A·12345")),
    ('say "hi"', s('a "quoted" \\ value')),
    ("多行", s("line\nbreak\ttab\rcr\x07bell")),
    ("金额", cast(s("6000.5"), "DECIMAL(14,2)")),
    ("日期", d("2026-02-28")),
    ("空", exp.Null()),
]
EVIDENCE_BYTES = (
    '{"号牌":"京A·12345","say \\"hi\\"":"a \\"quoted\\" \\\\ value",'
    '"多行":"line\\nbreak\\ttab\\rcr bell","金额":"6000.50","日期":"2026-02-28","空":""}'
)
KEY_PARTS: list[exp.Expression] = [s("death"), cast(n(1001), "VARCHAR"), s("police_death:7"), exp.Null()]
KEY_TEXT = "death|1001|police_death:7|"


def evaluate(con: duckdb.DuckDBPyConnection, e: exp.Expression) -> Any:
    return con.sql(exp.select(e).sql(dialect="duckdb")).fetchall()[0][0]


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


@pytest.mark.parametrize("case", range(len(cases("duckdb"))), ids=[c[0] for c in cases("duckdb")])
def test_function_on_duckdb(con: duckdb.DuckDBPyConnection, case: int) -> None:
    name, e, want = cases("duckdb")[case]
    got = evaluate(con, e)
    assert got == want, name
    assert type(got) is type(want), name


def test_evidence_json_bytes_on_duckdb(con: duckdb.DuckDBPyConnection) -> None:
    got = evaluate(con, fn.evidence_json(EVIDENCE_PAIRS, "duckdb"))
    assert got == EVIDENCE_BYTES
    assert json.loads(got)["多行"] == "line\nbreak\ttab\rcr bell"
    assert json.loads(got)['say "hi"'] == 'a "quoted" \\ value'


def test_evidence_json_empty(con: duckdb.DuckDBPyConnection) -> None:
    assert evaluate(con, fn.evidence_json([], "duckdb")) == "{}"


def test_evidence_key_is_md5_of_the_joined_parts(con: duckdb.DuckDBPyConnection) -> None:
    assert evaluate(con, fn.evidence_key(KEY_PARTS, "duckdb")) == hashlib.md5(KEY_TEXT.encode()).hexdigest()


def test_text_of_values(con: duckdb.DuckDBPyConnection) -> None:
    assert evaluate(con, fn.text(cast(s("1.5"), "DECIMAL(14,2)"))) == "1.50"
    assert evaluate(con, fn.text(d("2026-01-02"))) == "2026-01-02"
    assert evaluate(con, fn.text(exp.Null())) == ""
    assert evaluate(con, fn.text(exp.true())) == "true"


def test_sorted_set_sorts_as_text(con: duckdb.DuckDBPyConnection) -> None:
    sql = (
        exp.select(fn.sorted_set(exp.column("x"), "duckdb"))
        .from_("(SELECT * FROM (VALUES ('9'), ('10'), ('9'), ('200')) AS t(x))")
        .sql(dialect="duckdb")
    )
    assert con.sql(sql).fetchall()[0][0] == "10,200,9"


def test_number_literals_are_written_in_digits() -> None:
    assert fn.number_literal(1e-05).sql() == "0.00001"
    assert fn.number_literal(1.5).sql() == "1.5"
    assert fn.number_literal(-12).sql() == "-12"
    assert fn.number_literal(1e20).sql() == "100000000000000000000"


def test_json_text_of_labels() -> None:
    assert fn.json_text('a"b\\c\nd\x01') == 'a\\"b\\\\c\\nd '


def test_spark_spellings() -> None:
    """Where the engines spell a function differently, each gets its own (DuckDB's names do not exist in
    Spark and the other way round)."""
    spark = exp.select(
        fn.add_months(d("2026-01-31"), n(1), "spark"), fn.list_contains(s("a"), s("a"), "spark")
    ).sql(dialect="spark")
    assert "ADD_MONTHS(" in spark and "INSTR(" in spark and "TO_MONTHS" not in spark
    duck = exp.select(fn.add_months(d("2026-01-31"), n(1), "duckdb"), fn.as_number(s("1"), "duckdb")).sql(
        dialect="duckdb"
    )
    assert "TO_MONTHS(" in duck and "REGEXP_FULL_MATCH(" in duck and "ADD_MONTHS" not in duck
    as_date = exp.select(fn.as_date(s("x"), "spark"), fn.as_number(s("1"), "spark")).sql(dialect="spark")
    assert "RLIKE" in as_date
    # A pattern-matched 30 February still fails a plain CAST under ANSI mode: it must be TRY_CAST.
    assert as_date.count("TRY_CAST(") == 2 and " CAST(TRIM" not in as_date
    assert "COLLECT_SET" in exp.select(fn.sorted_set(exp.column("x"), "spark")).sql(dialect="spark")
    one = exp.select(fn.evidence_json([("a", s("b"))], "duckdb")).sql(dialect="duckdb")
    assert "'g'" in one  # DuckDB replaces every control character only when told 'g'
