"""The Parquet export of the rule tables: round trip with the run date, the schema's columns enforced,
and DuckDB reading the files gives what it gives on the Arrow tables."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jiuzhu.batch.rules.duck import run_duckdb
from jiuzhu.batch.rules.parquet import TablesError, conform, read_tables, table_paths, write_tables
from jiuzhu.batch.rules.schema import PERSONS, arrow_schema

from . import golden

AS_OF = date(2026, 11, 30)


def test_round_trip_keeps_rows_types_and_the_run_date(tmp_path: Path) -> None:
    data = golden.county(3, AS_OF, households=10)
    data["settings"] = golden.settings(golden.VOCAB_RULES, 3)
    counts = write_tables(data, tmp_path, as_of=AS_OF)
    assert counts == {name: data[name].num_rows for name in ("persons", "coverage", "feeds", "settings")}
    back, as_of = read_tables(tmp_path)
    assert as_of == AS_OF
    for name, table in data.items():
        assert back[name].replace_schema_metadata(None).equals(table), name
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["as_of"] == "2026-11-30" and manifest["format"] == 1
    assert manifest["tables"]["feeds"] == {"file": "feeds.parquet", "rows": data["feeds"].num_rows}
    assert pq.read_schema(tmp_path / "persons.parquet").metadata[b"jiuzhu.as_of"] == b"2026-11-30"


def test_duckdb_on_the_files_equals_duckdb_on_arrow(tmp_path: Path) -> None:
    rules = golden.VOCAB_RULES
    data = golden.county(4, AS_OF, households=30)
    data["settings"] = golden.settings(rules, 4)
    write_tables(data, tmp_path, as_of=AS_OF)
    paths, _ = table_paths(tmp_path)
    from_files = run_duckdb(rules, paths, as_of=AS_OF)
    assert from_files.num_rows > 0
    assert from_files.equals(run_duckdb(rules, data, as_of=AS_OF))


def test_missing_tables_are_written_empty(tmp_path: Path) -> None:
    write_tables({}, tmp_path, as_of=AS_OF)
    back, _ = read_tables(tmp_path)
    assert back["persons"].num_rows == 0 and back["persons"].column_names == list(PERSONS)
    assert back["settings"].column_names == ["county_code"]


def test_columns_are_conformed_in_order_and_type() -> None:
    schema = arrow_schema(PERSONS)
    shuffled = pa.table({name: pa.nulls(1, schema.field(name).type) for name in reversed(schema.names)})
    assert conform("persons", shuffled).schema == schema
    with pytest.raises(TablesError, match="缺少 \\['standard'\\]"):
        conform("persons", shuffled.drop_columns(["standard"]))
    with pytest.raises(TablesError, match="多出 \\['x'\\]"):
        conform("persons", shuffled.append_column("x", pa.nulls(1)))
    with pytest.raises(TablesError, match="county_code"):
        conform("settings", pa.table({"a": [1]}))
    with pytest.raises(TablesError, match="未知的表"):
        conform("other", pa.table({"a": [1]}))


def test_a_directory_without_a_manifest_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TablesError, match=r"manifest\.json"):
        read_tables(tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": 99}', encoding="utf-8")
    with pytest.raises(TablesError, match="格式版本 99"):
        read_tables(tmp_path)


def test_the_printed_sql_returns_what_the_platform_runs() -> None:
    """``rules_sql`` (what ``jiuzhu monitor --emit-sql`` prints) run as it is over the same tables gives the
    rows ``run_duckdb`` gives, duplicates through two paths taken out the same way."""
    from jiuzhu.batch.rules.compiler import rules_sql
    from jiuzhu.batch.rules.duck import connect
    from jiuzhu.monitoring.rules import RULES

    rules = [*RULES, *golden.VOCAB_RULES]
    data = golden.county(2, date(2028, 2, 29))
    data["settings"] = golden.settings(rules, 2)
    expected = run_duckdb(rules, data, as_of=date(2028, 2, 29))
    con = connect(data, rules)
    printed = con.sql(rules_sql(rules, "duckdb", date(2028, 2, 29))).to_arrow_table()
    order = [("rule", "ascending"), ("evidence_key", "ascending"), ("person_id", "ascending")]
    assert printed.num_rows == expected.num_rows > 100
    assert printed.cast(expected.schema).sort_by(order).equals(expected.sort_by(order))
