"""Both import paths read an amount the same way, whatever the text: the row-by-row rules
(``validate.py``) and the bulk rules compiled to SQL (``sqlrules.py``, run by ``fastpath.py``) give the
same reasons, the same stored amount and the same canonical text for every generated cell."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jiuzhu.exchange.catalogue import FEEDS
from jiuzhu.exchange.sqlrules import validation_sql
from jiuzhu.exchange.validate import validate_row

TODAY = date(2026, 11, 1)
FEED = FEEDS["hrss_wage"]
NUMBER = "11010519491231002X"

# What a department's amount column plausibly holds, and what a careless export holds besides:
# signs, separators, exponents, spaces of several kinds, full-width digits and punctuation, letters.
_PIECES = st.one_of(
    st.text(alphabet="0123456789", min_size=1, max_size=16),
    st.sampled_from(
        [
            ".",
            ",",
            "-",
            "+",
            " ",
            "e",
            "E",
            "\u3000",
            "\t",
            "\u00a0",
            "０",
            "５",
            "９",
            "．",
            "，",
            "－",
            "元",
            "x",
        ]
    ),
)
_SIGN = st.sampled_from(["", "", "-", "+", " ", "－"])
_GROUPS = st.lists(st.text(alphabet="0123456789", min_size=1, max_size=4), min_size=1, max_size=5)
# Numbers as people write them: an optional sign, digit groups joined by separators, an optional fraction.
_NUMBERLIKE = st.tuples(
    _SIGN,
    _GROUPS,
    st.sampled_from([",", "", ",", "，", " "]),
    st.sampled_from(["", ".", "．"]),
    st.text("0123456789"),
).map(lambda t: t[0] + t[2].join(t[1]) + (t[3] + t[4] if t[3] else ""))
AMOUNT_TEXT = st.one_of(_NUMBERLIKE, st.lists(_PIECES, min_size=0, max_size=8).map("".join))


@pytest.fixture(scope="module")
def duck() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE known_regions (code VARCHAR)")
    return con


def _bulk(con: duckdb.DuckDBPyConnection, text: str) -> tuple[str, object, object]:
    chunk = pa.table(
        {"line": [2], "id_number": [NUMBER], "month": ["2026-01"], "employer": ["甲"], "amount": [text]}
    )
    con.register("chunk", chunk)
    try:
        [(reasons, amount, data)] = con.execute(
            f"SELECT reasons, amount, data FROM ({validation_sql(FEED, TODAY)})"
        ).fetchall()
    finally:
        con.unregister("chunk")
    return reasons, amount, json.loads(data).get("amount")


def _row(text: str) -> tuple[str, object, object]:
    raw = {"id_number": NUMBER, "month": "2026-01", "employer": "甲", "amount": text}
    result = validate_row(FEED, raw, today=TODAY, regions=set())
    if isinstance(result, list):
        return "；".join(result), None, None
    return "", result.amount, result.data["amount"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(AMOUNT_TEXT)
@example("1,234.565")
@example("1,234,567.891")
@example("-0.004")
@example("-1")
@example("-0.10")
@example("999999999999.995")
@example(" 12 ")
@example("1e3")
@example("")
def test_both_paths_agree_on_any_amount_text(duck: duckdb.DuckDBPyConnection, text: str) -> None:
    bulk_reasons, bulk_amount, bulk_text = _bulk(duck, text)
    row_reasons, row_amount, row_text = _row(text)
    assert bulk_reasons == row_reasons
    if not row_reasons:
        assert (bulk_amount, bulk_text) == (row_amount, row_text)


def test_the_paths_read_a_plain_amount_as_written() -> None:
    """Hand-computed: thousands separators dropped, rounded half up to the cent."""
    assert _row("1,234.565") == ("", Decimal("1234.57"), "1234.57")
    assert _row("1e3") == ("应发工资（元）：金额格式错误：1e3", None, None)
