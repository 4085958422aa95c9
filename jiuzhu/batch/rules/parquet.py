"""The rule tables as a directory of Parquet files, for a province's Spark cluster or a later local run.

    write_tables(tables, "/data/2026-11", as_of=date(2026, 11, 30))
    tables, as_of = read_tables("/data/2026-11")
    hits = run_spark(RULES, table_paths("/data/2026-11"), as_of=as_of)

The directory holds ``persons.parquet``, ``coverage.parquet``, ``feeds.parquet``, ``settings.parquet``
and ``manifest.json`` (the run date, each table's file and row count, the format version). Each table is
written with the columns and types of ``schema`` in that order (an extra column is refused, a missing one
too: a cluster job must not discover it halfway), ZSTD-compressed, and the Parquet metadata repeats the
run date (``jiuzhu.as_of``), so a file copied alone still says which day it describes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .schema import SETTINGS_KEY, TABLES, arrow_schema

FORMAT = 1
NAMES: tuple[str, ...] = (*TABLES, "settings")
MANIFEST = "manifest.json"


class TablesError(ValueError):
    """A table that does not have the schema's columns, or a directory that is not an export."""


def conform(name: str, table: pa.Table) -> pa.Table:
    """``table`` with exactly the columns of ``schema`` for ``name``, in order and cast to their types.
    The settings table keeps its own setting columns after ``county_code``."""
    if name == "settings":
        if "county_code" not in table.column_names:
            raise TablesError("settings 表缺少 county_code 列")
        rest = [c for c in table.column_names if c != "county_code"]
        fields = [pa.field("county_code", pa.string()), *[table.schema.field(c) for c in rest]]
        return table.select(["county_code", *rest]).cast(pa.schema(fields))
    if name not in TABLES:
        raise TablesError(f"未知的表 {name}")
    target = arrow_schema(TABLES[name])
    missing = [c for c in target.names if c not in table.column_names]
    extra = [c for c in table.column_names if c not in target.names]
    if missing or extra:
        raise TablesError(f"表 {name} 的列与规定不符：缺少 {missing}，多出 {extra}")
    return table.select(target.names).cast(target)


def write_tables(tables: Mapping[str, pa.Table], directory: str | Path, *, as_of: date) -> dict[str, int]:
    """Write the four tables (a missing one as an empty table) and the manifest; the row counts."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for name in NAMES:
        table = tables.get(name)
        if table is None:
            columns = TABLES.get(name, SETTINGS_KEY)
            table = arrow_schema(columns).empty_table()
        table = conform(name, table)
        meta = {**(table.schema.metadata or {}), b"jiuzhu.as_of": as_of.isoformat().encode()}
        table = table.replace_schema_metadata(meta)
        pq.write_table(table, out / f"{name}.parquet", compression="zstd")
        counts[name] = table.num_rows
    manifest = {
        "format": FORMAT,
        "as_of": as_of.isoformat(),
        "tables": {name: {"file": f"{name}.parquet", "rows": counts[name]} for name in NAMES},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return counts


def _manifest(directory: str | Path) -> dict[str, object]:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise TablesError(f"{directory} 不是规则数据导出目录（缺少 {MANIFEST}）")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise TablesError(f"不支持的导出格式版本 {manifest.get('format')}")
    return manifest  # type: ignore[no-any-return]


def table_paths(directory: str | Path) -> tuple[dict[str, str], date]:
    """Each table's Parquet path (what ``run_duckdb`` and ``run_spark`` scan without loading) and the
    run date of the export."""
    manifest = _manifest(directory)
    files = manifest["tables"]
    assert isinstance(files, dict)
    paths = {name: str(Path(directory) / files[name]["file"]) for name in NAMES}
    return paths, date.fromisoformat(str(manifest["as_of"]))


def read_tables(directory: str | Path) -> tuple[dict[str, pa.Table], date]:
    """The four tables as Arrow, and the run date they were exported for."""
    paths, as_of = table_paths(directory)
    return {name: pq.read_table(path) for name, path in paths.items()}, as_of
