"""The golden differential test: a seeded random small county (``golden.county``) through every rule of
the monitoring rule set and every vocabulary test rule, on DuckDB and on PySpark: the hits must be the same
rows, byte for byte, in the same order. The DuckDB-only test beside it checks that the county is a real
test: every vocabulary rule hits something (and not everything) on one of the seeds."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest

from jiuzhu.batch.rules.duck import run_duckdb
from jiuzhu.monitoring.rules import RULES

from . import golden

RUNS = [(1, date(2026, 11, 30)), (2, date(2028, 2, 29))]


def _inputs(seed: int, as_of: date) -> tuple[list[Any], dict[str, Any]]:
    rules = [*RULES, *golden.VOCAB_RULES]
    data = golden.county(seed, as_of)
    data["settings"] = golden.settings(rules, seed)
    return rules, data


def test_the_county_exercises_every_vocabulary_rule() -> None:
    hit: Counter[str] = Counter()
    for seed, as_of in RUNS:
        rules, data = _inputs(seed, as_of)
        hit.update(run_duckdb(rules, data, as_of=as_of).column("rule").to_pylist())
        persons = data["persons"].num_rows
    missing = [r.code for r in golden.VOCAB_RULES if not hit[r.code]]
    assert missing == []
    for code in ("death", "vehicle_acquired", "duplicate_household"):
        if any(r.code == code for r in RULES):
            assert hit[code] > 0, code
    assert all(hit[r.code] < 2 * persons for r in golden.VOCAB_RULES)


@pytest.mark.spark
@pytest.mark.parametrize(("seed", "as_of"), RUNS)
def test_duckdb_and_spark_find_the_same_hits(seed: int, as_of: date) -> None:
    pytest.importorskip("pyspark")
    from jiuzhu.batch.rules.spark import run_spark

    golden.spark_for_tests()
    rules, data = _inputs(seed, as_of)
    duck = run_duckdb(rules, data, as_of=as_of)
    spark = run_spark(rules, data, as_of=as_of)
    assert duck.num_rows > 100
    assert spark.schema == duck.schema
    assert spark.to_pylist() == duck.to_pylist()
