"""The engine functions and the runner on Spark (PySpark local mode; marker ``spark``, its own stage of
``scripts/test``): every function case of ``test_rules_functions`` gives the same value as on DuckDB, the
evidence bytes are the same, and ``run_spark`` reads Arrow or a Parquet export and returns what
``run_duckdb`` returns."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlglot import exp

from jiuzhu.batch.rules import functions as fn
from jiuzhu.batch.rules.duck import run_duckdb
from jiuzhu.batch.rules.parquet import table_paths, write_tables
from jiuzhu.batch.rules.schema import HITS_SCHEMA

from . import golden
from .test_rules_functions import EVIDENCE_BYTES, EVIDENCE_PAIRS, KEY_PARTS, KEY_TEXT, cases

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark() -> Any:
    return golden.spark_for_tests()


def test_every_function_case_on_spark(spark: Any) -> None:
    """All cases in one SELECT (a Spark query costs a second or more): each column is one case."""
    all_cases = cases("spark")
    columns = [exp.alias_(e, f"c{i}") for i, (_, e, _) in enumerate(all_cases)]
    row = spark.sql(exp.select(*columns).sql(dialect="spark")).collect()[0]
    got = {name: row[f"c{i}"] for i, (name, _, _) in enumerate(all_cases)}
    want = {name: value for name, _, value in all_cases}
    assert got == want
    assert all(type(got[k]) is type(want[k]) for k in want)


def test_evidence_json_and_key_on_spark(spark: Any) -> None:
    sql = exp.select(
        exp.alias_(fn.evidence_json(EVIDENCE_PAIRS, "spark"), "evidence"),
        exp.alias_(fn.evidence_key(KEY_PARTS, "spark"), "key"),
        exp.alias_(fn.evidence_json([], "spark"), "empty"),
    ).sql(dialect="spark")
    row = spark.sql(sql).collect()[0]
    assert row["evidence"] == EVIDENCE_BYTES
    assert row["key"] == hashlib.md5(KEY_TEXT.encode()).hexdigest()
    assert row["empty"] == "{}"


def test_sorted_set_on_spark(spark: Any) -> None:
    sql = (
        exp.select(exp.alias_(fn.sorted_set(exp.column("x"), "spark"), "s"))
        .from_("(SELECT * FROM VALUES ('9'), ('10'), ('9'), ('200') AS t(x))")
        .sql(dialect="spark")
    )
    assert spark.sql(sql).collect()[0]["s"] == "10,200,9"


def test_run_spark_from_a_parquet_export_equals_duckdb(spark: Any, tmp_path: Path) -> None:
    from jiuzhu.batch.rules.spark import run_spark

    as_of = date(2026, 11, 30)
    rules = golden.VOCAB_RULES[:3]
    data = golden.county(7, as_of, households=25)
    data["settings"] = golden.settings(rules, 7)
    write_tables(data, tmp_path / "export", as_of=as_of)
    paths, exported = table_paths(tmp_path / "export")
    assert exported == as_of
    seen: list[tuple[str, int]] = []
    from_files = run_spark(rules, paths, as_of=as_of, progress=lambda r, n: seen.append((r.code, n)))
    expected = run_duckdb(rules, data, as_of=as_of)
    assert from_files.equals(expected)
    assert expected.num_rows > 0
    assert [c for c, _ in seen] == [r.code for r in rules]
    assert sum(n for _, n in seen) == expected.num_rows


def test_run_spark_on_missing_tables_and_no_rules(spark: Any) -> None:
    from jiuzhu.batch.rules.spark import run_spark, spark_session

    as_of = date(2026, 11, 30)
    assert run_spark(golden.VOCAB_RULES[:2], {}, as_of=as_of).schema == HITS_SCHEMA
    assert run_spark([], {}, as_of=as_of).num_rows == 0
    assert spark_session() is spark_session()  # reused within the process


def test_a_stopped_session_is_started_again() -> None:
    from jiuzhu.batch.rules.spark import run_spark, spark_stop

    spark_stop()
    spark_stop()  # twice is harmless
    session = golden.spark_for_tests()
    assert session.sql("SELECT 1 AS one").collect()[0]["one"] == 1
    assert run_spark([], {}, as_of=date(2026, 11, 30)).num_rows == 0
