"""The rules run on Spark SQL (PySpark, local mode here; the same SQL runs on a province's cluster).

    hits = run_spark(rules, tables, as_of=date(2026, 11, 30))

``tables`` maps ``persons``, ``coverage``, ``feeds`` and ``settings`` to Arrow tables or to Parquet paths
(a file or a directory of files, as ``parquet.write_tables`` writes them). Missing tables are empty ones of
the declared columns. The result has the same columns, rows and order as ``duck.run_duckdb``: one query of
every rule's SELECT (``compiler.rules_sql(…, "spark", …)``) each deduplicated on (evidence_key, person_id)
keeping the first row in ``compiler.DEDUP_ORDER``, collected as Arrow and sorted by rule, evidence key and
person.

The session is local with two threads, no web UI and only errors logged; it is created on first use and
reused within the process (a Spark session costs seconds to start). ``JIUZHU_SPARK_MASTER``,
``JIUZHU_SPARK_MEMORY`` and ``JIUZHU_SPARK_PARTITIONS`` change the master, the driver's memory and the
shuffle partitions (4; more for a wide local master such as ``local[16]``). PySpark is an optional dependency
(``uv sync --group spark``); importing this module does not need it, running does.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .compiler import rules_sql, settings_used
from .model import Rule
from .schema import HITS_SCHEMA, TABLES

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

_SESSION: Any = None
# Only errors reach the console: Spark's start-up chatter goes through log4j2 before any setLogLevel.
_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def spark_session() -> SparkSession:
    """The process's Spark session: local[2] (or ``JIUZHU_SPARK_MASTER``), UI off, quiet logs, UTC."""
    global _SESSION
    if _SESSION is not None and _alive(_SESSION):
        return _SESSION  # type: ignore[no-any-return]
    from pyspark.sql import SparkSession

    log4j = Path(tempfile.gettempdir()) / "jiuzhu-spark-log4j2.properties"
    log4j.write_text(_LOG4J, encoding="utf-8")
    java_options = f"-Dlog4j2.configurationFile=file:{log4j} -Dlog4j.configurationFile=file:{log4j}"
    builder = (
        SparkSession.builder.master(os.environ.get("JIUZHU_SPARK_MASTER", "local[2]"))
        .appName("jiuzhu-rules")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", os.environ.get("JIUZHU_SPARK_MEMORY", "2g"))
        .config("spark.driver.extraJavaOptions", java_options)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", os.environ.get("JIUZHU_SPARK_PARTITIONS", "4"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _SESSION = session
    return session


def _alive(session: Any) -> bool:
    """Whether a session's context still runs (stopped elsewhere, its JVM handle is gone)."""
    try:
        return not session.sparkContext._jsc.sc().isStopped()
    except AttributeError:
        return False


def spark_stop() -> None:
    """Stop the process's session (tests and commands that are done with Spark)."""
    global _SESSION
    if _SESSION is not None:
        _SESSION.stop()
        _SESSION = None


def _spark_type(sql: str) -> str:
    return "STRING" if sql == "VARCHAR" else sql


def _empty_sql(columns: Mapping[str, str]) -> str:
    cols = ", ".join(f"CAST(NULL AS {_spark_type(t)}) AS {name}" for name, t in columns.items())
    return f"SELECT {cols} WHERE FALSE"


def _register(session: SparkSession, name: str, source: Any, scratch: Path) -> None:
    """A temporary view ``name`` over an Arrow table (written to a scratch Parquet file first: the file
    keeps every type exactly, decimals and dates included) or over a Parquet path."""
    if isinstance(source, str | Path):
        path = str(source)
    else:
        path = str(scratch / f"{name}.parquet")
        pq.write_table(source, path)
    session.read.parquet(path).createOrReplaceTempView(name)


def spark_sql(rules: Sequence[Rule], as_of: date) -> str:
    """The one Spark SQL statement ``run_spark`` runs: every rule's deduplicated SELECT, UNION ALL (the
    text ``compiler.rules_sql(rules, "spark", as_of)`` prints, comments aside)."""
    return rules_sql(rules, "spark", as_of, pretty=False)


def run_spark(
    rules: Sequence[Rule],
    tables: Mapping[str, Any],
    *,
    as_of: date,
    progress: Callable[[Rule, int], None] | None = None,
) -> pa.Table:
    """Every rule's hits as one Arrow table (``schema.HITS`` columns), as ``run_duckdb`` returns them."""
    if not rules:
        return HITS_SCHEMA.empty_table()
    session = spark_session()
    with tempfile.TemporaryDirectory(prefix="jiuzhu-spark-") as tmp:
        scratch = Path(tmp)
        for name, columns in TABLES.items():
            source = tables.get(name)
            if source is None:
                session.sql(_empty_sql(columns)).createOrReplaceTempView(name)
            else:
                _register(session, name, source, scratch)
        settings = tables.get("settings")
        if settings is None:
            columns = {"county_code": "VARCHAR", **{s: "DECIMAL(18,4)" for s in settings_used(rules)}}
            session.sql(_empty_sql(columns)).createOrReplaceTempView("settings")
        else:
            _register(session, "settings", settings, scratch)
        result = session.sql(spark_sql(rules, as_of)).toArrow()
    hits = result.cast(HITS_SCHEMA)
    if hits.num_rows:
        rank = {rule.code: i for i, rule in enumerate(rules)}
        order = pa.array([rank[c] for c in hits.column("rule").to_pylist()], pa.int32())
        keyed = hits.append_column("_rank", order)
        indices = pc.sort_indices(
            keyed,
            sort_keys=[("_rank", "ascending"), ("evidence_key", "ascending"), ("person_id", "ascending")],
        )
        hits = hits.take(indices)
    if progress:
        counts = dict.fromkeys((r.code for r in rules), 0)
        for code in hits.column("rule").to_pylist():
            counts[code] += 1
        for rule in rules:
            progress(rule, counts[rule.code])
    return hits
