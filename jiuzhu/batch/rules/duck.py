"""The rules run in DuckDB over Arrow tables.

    hits = run_duckdb(rules, tables, as_of=date(2026, 11, 30))

``tables`` maps ``persons``, ``coverage``, ``feeds`` and ``settings`` to Arrow tables (or anything DuckDB
can scan: a Parquet path as a string). Missing tables are empty ones of the declared columns. The result
is one Arrow table of ``schema.HITS``, in a stable order, each rule's hits deduplicated on the evidence
key (a rule that matched one fact through two paths still raises it once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .compiler import DEDUP_ORDER, rule_sql, settings_used
from .model import Rule
from .schema import HITS_SCHEMA, TABLES

ORDER = "rule, evidence_key, person_id"


def _empty(columns: Mapping[str, str]) -> str:
    cols = ", ".join(f"CAST(NULL AS {t}) AS {name}" for name, t in columns.items())
    return f"SELECT {cols} WHERE FALSE"


def _quoted(path: str | Path) -> str:
    """A path as a SQL string literal (a view's definition cannot take a parameter)."""
    return "'" + str(path).replace("'", "''") + "'"


def connect(
    tables: Mapping[str, Any], rules: Sequence[Rule], *, threads: int | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the rule tables registered as views."""
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    for name, columns in TABLES.items():
        source = tables.get(name)
        if source is None:
            con.execute(f"CREATE VIEW {name} AS {_empty(columns)}")
        elif isinstance(source, str | Path):
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({_quoted(source)})")
        else:
            con.register(name, source)
    settings = tables.get("settings")
    if settings is None:
        columns = {"county_code": "VARCHAR", **{s: "DECIMAL(18,4)" for s in settings_used(rules)}}
        con.execute(f"CREATE VIEW settings AS {_empty(columns)}")
    elif isinstance(settings, str | Path):
        con.execute(f"CREATE VIEW settings AS SELECT * FROM read_parquet({_quoted(settings)})")
    else:
        con.register("settings", settings)
    return con


def run_duckdb(
    rules: Sequence[Rule],
    tables: Mapping[str, Any],
    *,
    as_of: date,
    threads: int | None = None,
    progress: Callable[[Rule, int], None] | None = None,
) -> pa.Table:
    """Every rule's hits as one Arrow table (``schema.HITS`` columns)."""
    con = connect(tables, rules, threads=threads)
    parts = []
    for rule in rules:
        sql = rule_sql(rule, "duckdb", as_of)
        order = ", ".join(f"{c} NULLS FIRST" for c in DEDUP_ORDER)
        table = con.sql(
            f"SELECT DISTINCT ON (evidence_key, person_id) * FROM ({sql}) ORDER BY {order}"
        ).to_arrow_table()
        parts.append(table)
        if progress:
            progress(rule, table.num_rows)
    con.close()
    if not parts:
        return HITS_SCHEMA.empty_table()
    return pa.concat_tables([p.cast(HITS_SCHEMA) for p in parts])
