"""The rule tables as a Parquet export and back (``jiuzhu export-parquet``, ``jiuzhu monitor --input``).

Uses ``jiuzhu.batch.rules.parquet`` (``write_tables`` / ``read_tables``) where it is installed, so an
export is what Spark reads; otherwise one ``<table>.parquet`` per table and the run date in ``as_of.txt``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

TABLE_NAMES = ("persons", "coverage", "feeds", "settings")


def _engine_module() -> Any:
    try:
        from jiuzhu.batch.rules import parquet  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    return parquet


def write_export(tables: Mapping[str, pa.Table], directory: Path, *, as_of: date) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    module = _engine_module()
    if module is not None:
        module.write_tables(tables, directory, as_of=as_of)
        return
    for name in TABLE_NAMES:
        pq.write_table(tables[name], directory / f"{name}.parquet")
    (directory / "as_of.txt").write_text(as_of.isoformat() + "\n", encoding="utf-8")


def read_export(directory: Path) -> tuple[dict[str, Any], date]:
    module = _engine_module()
    if module is not None:
        tables, as_of = module.read_tables(directory)
        return dict(tables), as_of
    tables = {name: pq.read_table(directory / f"{name}.parquet") for name in TABLE_NAMES}
    as_of = date.fromisoformat((directory / "as_of.txt").read_text(encoding="utf-8").strip())
    return tables, as_of
